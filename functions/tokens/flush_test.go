package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// TestStageCacheFlush: one DELETE of the stage's authorizer cache, signed for apigateway in the
// function's region with its credentials; an API Gateway error is an error.
func TestStageCacheFlush(t *testing.T) {
	var got []*http.Request
	status := http.StatusAccepted
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r)
		if status != http.StatusAccepted {
			w.Header().Set("X-Amzn-ErrorType", "BadRequestException")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"message":"Invalid stage identifier specified"}`))
			return
		}
		w.WriteHeader(status)
	}))
	defer server.Close()
	cfg := aws.Config{Region: "ap-southeast-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "session-token"),
		BaseEndpoint: aws.String(server.URL), RetryMaxAttempts: 1}
	c := stageCache{client: apigateway.NewFromConfig(cfg)}
	if err := c.FlushStageAuthorizersCache(context.Background(), "a1b2c3d4e5", "v1"); err != nil {
		t.Fatal(err)
	}
	r := got[0]
	if r.Method != http.MethodDelete || r.URL.Path != "/restapis/a1b2c3d4e5/stages/v1/cache/authorizers" {
		t.Errorf("request = %s %s", r.Method, r.URL)
	}
	if auth := r.Header.Get("Authorization"); !strings.Contains(auth, "/ap-southeast-1/apigateway/aws4_request") || r.Header.Get("X-Amz-Security-Token") != "session-token" {
		t.Errorf("not signed for apigateway: %v", r.Header)
	}
	status = http.StatusBadRequest
	if err := c.FlushStageAuthorizersCache(context.Background(), "a1b2c3d4e5", "v2"); err == nil || !strings.Contains(err.Error(), "Invalid stage identifier") {
		t.Errorf("refused: err = %v", err)
	}
}
