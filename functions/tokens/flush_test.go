package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// TestStageCacheFlush: one DELETE of the stage's authorizer cache, signed for apigateway in the
// function's region with its credentials (session token included); 202 is success, an API
// Gateway error is an error naming its type and message.
func TestStageCacheFlush(t *testing.T) {
	var got []*http.Request
	status := http.StatusAccepted
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r)
		if status != http.StatusAccepted {
			w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException:http://internal.amazon.com/coral/com.amazonaws.backplane.controlplane/")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"message":"Too Many Requests"}`))
			return
		}
		w.WriteHeader(status)
	}))
	defer server.Close()
	cfg := aws.Config{Region: "ap-southeast-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session-token"), HTTPClient: server.Client()}
	c := newStageCache(cfg, mapEnv{"AWS_ENDPOINT_URL_API_GATEWAY": server.URL + "/"}.Get)
	c.now = func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }
	if err := c.FlushStageAuthorizersCache(context.Background(), "a1b2c3d4e5", "v1"); err != nil {
		t.Fatal(err)
	}
	r := got[0]
	if r.Method != http.MethodDelete || r.URL.Path != "/restapis/a1b2c3d4e5/stages/v1/cache/authorizers" || r.ContentLength > 0 {
		t.Errorf("request = %s %s (%d bytes)", r.Method, r.URL, r.ContentLength)
	}
	if auth := r.Header.Get("Authorization"); !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/ap-southeast-1/apigateway/aws4_request, SignedHeaders=") ||
		r.Header.Get("X-Amz-Security-Token") != "session-token" || r.Header.Get("X-Amz-Date") != "20261126T120000Z" {
		t.Errorf("not signed for apigateway: %v", r.Header)
	}
	status = http.StatusTooManyRequests
	err := c.FlushStageAuthorizersCache(context.Background(), "a1b2c3d4e5", "v1")
	if err == nil || !strings.Contains(err.Error(), "TooManyRequestsException") || !strings.Contains(err.Error(), "Too Many Requests") {
		t.Errorf("throttled: err = %v", err)
	}
	if err := c.FlushStageAuthorizersCache(context.Background(), "", "v1"); err == nil {
		t.Errorf("no API id: no error")
	}
}

// mapEnv is a getenv over a map.
type mapEnv map[string]string

func (m mapEnv) Get(k string) string { return m[k] }

func TestStageCacheEndpoint(t *testing.T) {
	base := "http://127.0.0.1:9"
	for _, c := range []struct {
		region string
		base   *string
		env    mapEnv
		want   string
	}{
		{"ap-southeast-1", nil, nil, "https://apigateway.ap-southeast-1.amazonaws.com"},
		{"cn-north-1", nil, nil, "https://apigateway.cn-north-1.amazonaws.com.cn"},
		{"ap-southeast-1", &base, nil, base},
		{"ap-southeast-1", &base, mapEnv{"AWS_ENDPOINT_URL_API_GATEWAY": "http://localhost:4566/"}, "http://localhost:4566"},
		{"ap-southeast-1", nil, mapEnv{"AWS_ENDPOINT_URL_API_GATEWAY": "http://localhost:4566", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
			"https://apigateway.ap-southeast-1.amazonaws.com"},
	} {
		if got := newStageCache(aws.Config{Region: c.region, BaseEndpoint: c.base}, c.env.Get).endpoint; got != c.want {
			t.Errorf("%+v: endpoint %s, want %s", c, got, c.want)
		}
	}
}
