package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// stageCache is API Gateway's FlushStageAuthorizersCache for one REST API stage:
// DELETE /restapis/{restapi_id}/stages/{stage_name}/cache/authorizers, signed with Signature
// Version 4 (service apigateway) with the function's credentials, one attempt.
//
// It stands in for the SDK's service/apigateway client, which the module proxy this project
// builds from does not serve: the same call, the same endpoint rules (AWS_ENDPOINT_URL_API_GATEWAY,
// then AWS_ENDPOINT_URL, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true; else the regional
// endpoint), the same IAM action (apigateway:DELETE on
// arn:aws:apigateway:<region>::/restapis/<id>/stages/<stage>/cache/authorizers). With the SDK
// client, its FlushStageAuthorizersCache satisfies AuthorizerCache through a one-line adapter.
type stageCache struct {
	cfg      aws.Config
	endpoint string // scheme://host[:port], no trailing slash
	signer   *v4.Signer
	now      func() time.Time
}

// newStageCache is the flush client for the function's AWS configuration and environment.
func newStageCache(cfg aws.Config, getenv func(string) string) *stageCache {
	endpoint := "https://apigateway." + cfg.Region + ".amazonaws.com"
	if strings.HasPrefix(cfg.Region, "cn-") {
		endpoint += ".cn"
	}
	if !strings.EqualFold(getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true") {
		if v := getenv("AWS_ENDPOINT_URL_API_GATEWAY"); v != "" {
			endpoint = v
		} else if cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != "" {
			endpoint = *cfg.BaseEndpoint
		}
	}
	return &stageCache{cfg: cfg, endpoint: strings.TrimSuffix(endpoint, "/"), signer: v4.NewSigner(), now: time.Now}
}

// emptyPayloadHash is the SHA-256 of an empty body, which a DELETE sends.
var emptyPayloadHash = func() string { sum := sha256.Sum256(nil); return hex.EncodeToString(sum[:]) }()

// FlushStageAuthorizersCache implements AuthorizerCache. API Gateway answers 202 Accepted.
func (c *stageCache) FlushStageAuthorizersCache(ctx context.Context, restAPIID, stageName string) error {
	if restAPIID == "" || stageName == "" {
		return fmt.Errorf("FlushStageAuthorizersCache: the REST API id and the stage name are required")
	}
	u := c.endpoint + "/restapis/" + url.PathEscape(restAPIID) + "/stages/" + url.PathEscape(stageName) + "/cache/authorizers"
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u, nil)
	if err != nil {
		return fmt.Errorf("FlushStageAuthorizersCache: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if c.cfg.Credentials == nil {
		return fmt.Errorf("FlushStageAuthorizersCache: no credentials")
	}
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("FlushStageAuthorizersCache: credentials: %w", err)
	}
	if err := c.signer.SignHTTP(ctx, creds, req, emptyPayloadHash, "apigateway", c.cfg.Region, c.now()); err != nil {
		return fmt.Errorf("FlushStageAuthorizersCache: signing: %w", err)
	}
	var client aws.HTTPClient = http.DefaultClient
	if c.cfg.HTTPClient != nil {
		client = c.cfg.HTTPClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("FlushStageAuthorizersCache: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	// API Gateway's REST errors: {"message": "..."} and the type in X-Amzn-ErrorType.
	var e struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &e)
	typ, _, _ := strings.Cut(resp.Header.Get("X-Amzn-ErrorType"), ":")
	return fmt.Errorf("FlushStageAuthorizersCache: %s %s: %s", resp.Status, typ, e.Message)
}
