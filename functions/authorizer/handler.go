package main

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
)

// TokenTable is what the authorizer needs of DynamoDB: one item by key.
type TokenTable interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// Authorizer answers API Gateway's TOKEN authorizer requests.
type Authorizer struct {
	Table     TokenTable
	TableName string
	Now       func() time.Time
}

// ErrUnauthorized is the literal error API Gateway turns into a 401.
var ErrUnauthorized = errors.New("Unauthorized")

// Handle allows a current token of the table: the whole stage of the API, for its owner, with
// its scopes and expiry in the context. Anything else is ErrUnauthorized, whatever the reason (which only
// the log says).
func (a *Authorizer) Handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	stage, ok := stageArn(req.MethodArn)
	if !ok {
		return deny("the method ARN is not an API Gateway method's")
	}
	token, ok := apitokens.FromHeader(req.AuthorizationToken)
	if !ok {
		return deny("malformed")
	}
	out, err := a.Table.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &a.TableName,
		Key:            map[string]types.AttributeValue{apitokens.AttrHash: &types.AttributeValueMemberS{Value: apitokens.Hash(token)}},
		ConsistentRead: ptr(true), // a revocation counts at once (beyond the authorizer's cache)
	})
	if err != nil {
		// Not a 401: the client should retry, and API Gateway does not cache a failure.
		slog.ErrorContext(ctx, "token lookup failed", "error", err.Error())
		return events.APIGatewayCustomAuthorizerResponse{}, errors.New("token lookup failed")
	}
	if out.Item == nil {
		return deny("unknown")
	}
	owner, _ := stringAttr(out.Item, apitokens.AttrOwner)
	expires, expiresOK := numberAttr(out.Item, apitokens.AttrExpiresAt)
	switch {
	case owner == "" || !expiresOK:
		return deny("malformed item")
	case boolAttr(out.Item, apitokens.AttrRevoked):
		return deny("revoked")
	case !a.Now().Before(time.Unix(expires, 0)):
		return deny("expired") // DynamoDB's TTL deletes expired items days later, if at all
	}
	var scopes []string
	if set, ok := out.Item[apitokens.AttrScopes].(*types.AttributeValueMemberSS); ok {
		scopes = set.Value
	}
	slog.InfoContext(ctx, "allowed", "owner", owner)
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: owner,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{stage},
			}},
		},
		// expiresAt (Unix seconds, a string, as API Gateway passes every context value on) lets
		// the handler refuse the token the second it expires, though API Gateway reuses this
		// answer for up to the stage's authorizer cache time.
		Context: map[string]any{
			apitokens.ContextOwner: owner, apitokens.ContextScopes: strings.Join(scopes, " "), apitokens.ContextExpiresAt: strconv.FormatInt(expires, 10),
		},
	}, nil
}

func deny(reason string) (events.APIGatewayCustomAuthorizerResponse, error) {
	slog.Info("denied", "reason", reason) // never the token
	return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
}

// stageArn is the ARN of every method of the stage a method ARN
// (arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<verb>/<path>) belongs to. The
// policy covers the whole stage: API Gateway reuses a cached answer for every route the token
// calls, so a policy for one route would deny the others.
func stageArn(methodArn string) (string, bool) {
	parts := strings.SplitN(methodArn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "execute-api" {
		return "", false
	}
	path := strings.SplitN(parts[5], "/", 3) // api id, stage, verb/path
	if len(path) < 3 || path[0] == "" || path[1] == "" {
		return "", false
	}
	return strings.Join(parts[:5], ":") + ":" + path[0] + "/" + path[1] + "/*/*", true
}

func stringAttr(item map[string]types.AttributeValue, name string) (string, bool) {
	v, ok := item[name].(*types.AttributeValueMemberS)
	if !ok {
		return "", false
	}
	return v.Value, true
}

func numberAttr(item map[string]types.AttributeValue, name string) (int64, bool) {
	v, ok := item[name].(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	return n, err == nil
}

func boolAttr(item map[string]types.AttributeValue, name string) bool {
	v, ok := item[name].(*types.AttributeValueMemberBOOL)
	return ok && v.Value
}

func ptr[T any](v T) *T { return &v }
