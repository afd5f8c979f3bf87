// Package handlertest is what the functions' handler tests share: a handler invoked with a raw
// payload (an error fails the test), an answer as JSON for failure messages, and the log lines
// the handler writes, captured.
package handlertest

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

// Invoke runs handle with payload; an error (a failed invocation) fails the test.
func Invoke[R any](t testing.TB, handle func(context.Context, json.RawMessage) (R, error), payload string) R {
	t.Helper()
	resp, err := handle(context.Background(), json.RawMessage(payload))
	if err != nil {
		t.Fatalf("Handle(%.80s) returned error %v", payload, err)
	}
	return resp
}

// JSON is v encoded as JSON.
func JSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// CaptureLogs sends the default slog logger (JSON lines) to a buffer until the test ends.
func CaptureLogs(t testing.TB) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewJSONHandler(&buf, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })
	return &buf
}
