package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// stageCache is the token API stage's authorizer cache, flushed with the SDK's API Gateway
// client (FlushStageAuthorizersCache: DELETE /restapis/<id>/stages/<stage>/cache/authorizers,
// IAM action apigateway:DELETE on that path). The SDK's endpoint rules apply, so
// AWS_ENDPOINT_URL_API_GATEWAY points it at a local stand-in in tests.
type stageCache struct{ client *apigateway.Client }

// FlushStageAuthorizersCache implements AuthorizerCache.
func (c stageCache) FlushStageAuthorizersCache(ctx context.Context, restAPIID, stageName string) error {
	_, err := c.client.FlushStageAuthorizersCache(ctx, &apigateway.FlushStageAuthorizersCacheInput{RestApiId: &restAPIID, StageName: &stageName})
	return err
}
