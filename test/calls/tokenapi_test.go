package calls

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// tokenAPI runs the token API as API Gateway would: the token service issues a token, the
// authorizer (functions/authorizer) answers for it as API Gateway asks, and the handler
// (functions/api) serves every route with the context the authorizer gave, through every
// documented answer.
func tokenAPI(t *testing.T, h *harness) {
	tokens, authorizer, api := h.only(t, "tokens"), h.only(t, "authorizer"), h.only(t, "api")
	owner := h.userToken(t, "5a1e0c4e-0000-4e00-8e00-00000000000e")
	issue := func(t *testing.T, scopes ...string) (token, id string) {
		t.Helper()
		out := h.invoke(t, tokens, "tokens: issue for the token API", map[string]any{"action": "issue", "idToken": owner, "scopes": scopes})
		id = wantIssued(t, out)
		if json.Unmarshal(out["token"], &token) != nil {
			t.Fatalf("no token in %s", compact(out))
		}
		return token, id
	}
	apiID, stage := tokens.env[limits.EnvTokenAPIID], tokens.env[limits.EnvTokenAPIStage]
	if h.app.stages["/restapis/"+apiID+"/stages/"+stage] == nil {
		t.Fatalf("the token service names stage %s of REST API %s, which the assembly does not have", stage, apiID)
	}
	stageARN := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/*/*", authorizer.region, authorizer.account, apiID, stage)
	methodARN := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/GET/items", authorizer.region, authorizer.account, apiID, stage)

	// authorize asks the authorizer as API Gateway's TOKEN authorizer does.
	authorize := func(t *testing.T, what, header, method string) (events.APIGatewayCustomAuthorizerResponse, string) {
		t.Helper()
		raw, functionError := h.invokeRaw(t, authorizer, "authorizer: "+what, events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: header, MethodArn: method})
		var out events.APIGatewayCustomAuthorizerResponse
		if functionError != "" {
			var e struct{ ErrorMessage string }
			_ = json.Unmarshal(raw, &e)
			return out, e.ErrorMessage
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("the authorizer answered %s: %v", raw, err)
		}
		return out, ""
	}
	unauthorized := func(t *testing.T, what, header, method string) {
		t.Helper()
		if out, err := authorize(t, what, header, method); err != "Unauthorized" {
			t.Errorf("authorizer, %s: answered %+v, error %q; want the error Unauthorized (API Gateway's 401)", what, out, err)
		}
	}

	readWrite, readWriteID := issue(t, apitokens.ScopeRead, apitokens.ScopeWrite)
	readOnly, _ := issue(t, apitokens.ScopeRead)
	var allowed, allowedReadOnly map[string]any
	t.Run("authorizer: a current token is allowed the whole stage, for its owner, with its scopes and expiry", func(t *testing.T) {
		out, err := authorize(t, "a current token", "Bearer "+readWrite, methodARN)
		if err != "" {
			t.Fatalf("a current token was refused: %s", err)
		}
		if len(out.PolicyDocument.Statement) != 1 || out.PolicyDocument.Statement[0].Effect != "Allow" ||
			strings.Join(out.PolicyDocument.Statement[0].Resource, ",") != stageARN || out.PrincipalID == "" || out.PrincipalID != out.Context[apitokens.ContextOwner] {
			t.Errorf("the authorizer answered %+v; want Allow on %s for the token's owner", out, stageARN)
		}
		if out.Context[apitokens.ContextScopes] != "read write" {
			t.Errorf("the context's scopes are %q, want \"read write\"", out.Context[apitokens.ContextScopes])
		}
		allowed = out.Context
		if out, err = authorize(t, "a current read-only token, without Bearer", readOnly, methodARN); err != "" {
			t.Fatalf("a current read-only token was refused: %s", err)
		}
		allowedReadOnly = out.Context
	})
	t.Run("authorizer: unknown, malformed, expired and revoked tokens, and a foreign method, get 401", func(t *testing.T) {
		unknown, _ := apitokens.New()
		unauthorized(t, "an unknown token", "Bearer "+unknown, methodARN)
		unauthorized(t, "a malformed header", "Bearer "+readWrite+"x", methodARN)
		unauthorized(t, "a method ARN that is not API Gateway's", "Bearer "+readWrite, "arn:aws:lambda:"+authorizer.region+":"+authorizer.account+":function:x")
		// An expired token lingers until DynamoDB's TTL deletes it (days later).
		expired, _ := apitokens.New()
		tokenTable := h.tableOf(t, authorizer, "TOKEN_TABLE_NAME")
		past := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
		if _, err := h.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(tokenTable.name), Item: map[string]types.AttributeValue{
			apitokens.AttrHash: &types.AttributeValueMemberS{Value: apitokens.Hash(expired)}, apitokens.AttrOwner: &types.AttributeValueMemberS{Value: "expired-owner"},
			apitokens.AttrScopes: &types.AttributeValueMemberSS{Value: []string{"read"}}, apitokens.AttrCreated: &types.AttributeValueMemberN{Value: past},
			apitokens.AttrExpiresAt: &types.AttributeValueMemberN{Value: past}, apitokens.AttrRevoked: &types.AttributeValueMemberBOOL{Value: false},
		}}); err != nil {
			t.Fatal(err)
		}
		unauthorized(t, "an expired token", "Bearer "+expired, methodARN)
		revoked, revokedID := issue(t, apitokens.ScopeRead)
		h.invoke(t, tokens, "tokens: revoke for the token API", map[string]any{"action": "revoke", "idToken": owner, "tokenId": revokedID})
		unauthorized(t, "a revoked token", "Bearer "+revoked, methodARN)
	})
	t.Run("authorizer: a DynamoDB failure is not a 401", func(t *testing.T) {
		h.front.failNext(authorizer, "dynamodb", "ResourceNotFoundException")
		if _, err := authorize(t, "while DynamoDB fails", "Bearer "+readWrite, methodARN); err == "" || err == "Unauthorized" {
			t.Errorf("the authorizer answered %q when its GetItem failed; want an error other than Unauthorized", err)
		}
	})
	if allowed == nil {
		t.Fatal("the handler's routes need the authorizer's context")
	}

	// request is API Gateway's proxy request of a route, with an authorizer context.
	request := func(method, resource, path string, context map[string]any) events.APIGatewayProxyRequest {
		r := events.APIGatewayProxyRequest{HTTPMethod: method, Resource: resource, Path: path, Headers: map[string]string{"Origin": "http://localhost:3000"}}
		r.RequestContext.Authorizer = context
		r.RequestContext.Stage, r.RequestContext.APIID = stage, apiID
		if id, ok := strings.CutPrefix(path, "/items/"); ok {
			r.PathParameters = map[string]string{"id": id}
		}
		return r
	}
	serve := func(t *testing.T, what string, r events.APIGatewayProxyRequest) (int, string) {
		t.Helper()
		raw, functionError := h.invokeRaw(t, api, "api: "+what, r)
		if functionError != "" {
			t.Fatalf("api, %s: function error %s: %s (the handler must always answer)", what, functionError, raw)
		}
		var out events.APIGatewayProxyResponse
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("api, %s: answered %s: %v", what, raw, err)
		}
		return out.StatusCode, out.Body
	}
	want := func(t *testing.T, what string, r events.APIGatewayProxyRequest, status int, contains string) string {
		t.Helper()
		got, body := serve(t, what, r)
		if got != status || !strings.Contains(body, contains) {
			t.Errorf("api, %s: %d %s; want %d with %s", what, got, body, status, contains)
		}
		return body
	}
	t.Run("api: every route and answer", func(t *testing.T) {
		put := request("PUT", "/items/{id}", "/items/api-1", allowed)
		put.Body = `{"name": "from the API", "body": "hello"}`
		want(t, "PUT a new item", put, 201, `"id":"api-1"`)
		want(t, "PUT it again", put, 409, `"conflict"`)
		second := request("PUT", "/items/{id}", "/items/api-2", allowed)
		second.Body = `{"name": "second"}`
		want(t, "PUT a second item", second, 201, `"id":"api-2"`)
		want(t, "GET an item", request("GET", "/items/{id}", "/items/api-1", allowed), 200, `"name":"from the API"`)
		want(t, "GET an unknown item", request("GET", "/items/{id}", "/items/api-9", allowed), 404, `"not_found"`)
		page := request("GET", "/items", "/items", allowed)
		page.QueryStringParameters = map[string]string{"limit": "1"}
		var first struct{ Next string }
		_ = json.Unmarshal([]byte(want(t, "GET a page of items", page, 200, `"id":"api-1"`)), &first)
		if first.Next == "" {
			t.Errorf("api: a page of one of two items has no next")
		}
		page.QueryStringParameters = map[string]string{"limit": "1", "next": first.Next}
		want(t, "GET the next page", page, 200, `"id":"api-2"`)
		want(t, "GET with the read-only token's context", request("GET", "/items/{id}", "/items/api-1", allowedReadOnly), 200, `"id":"api-1"`)
		readOnlyPut := request("PUT", "/items/{id}", "/items/api-3", allowedReadOnly)
		readOnlyPut.Body = `{"name": "x"}`
		want(t, "PUT without the write scope", readOnlyPut, 403, `"forbidden"`)
		bad := request("GET", "/items", "/items", allowed)
		bad.QueryStringParameters = map[string]string{"limit": "ten"}
		want(t, "a limit that is not a number", bad, 400, `"field":"limit"`)
		bad.QueryStringParameters = map[string]string{"owner": "someone"}
		want(t, "an unknown query parameter", bad, 400, `"field":"owner"`)
		badBody := request("PUT", "/items/{id}", "/items/api-4", allowed)
		badBody.Body = `not json`
		want(t, "a body that is not JSON", badBody, 400, `"field":"body"`)
		badBody.Body = `{"name": "x", "owner": "someone"}`
		want(t, "a body naming an owner", badBody, 400, `"field":"owner"`)
		want(t, "no authorizer context", request("GET", "/items", "/items", nil), 401, `"unauthorized"`)
		noExpiry := map[string]any{apitokens.ContextOwner: allowed[apitokens.ContextOwner], apitokens.ContextScopes: "read write"}
		want(t, "a context without expiresAt", request("GET", "/items", "/items", noExpiry), 401, `"unauthorized"`)
		expired := map[string]any{apitokens.ContextOwner: allowed[apitokens.ContextOwner], apitokens.ContextScopes: "read write",
			apitokens.ContextExpiresAt: strconv.FormatInt(time.Now().Add(-time.Second).Unix(), 10)}
		want(t, "a cached answer for a token that has since expired", request("GET", "/items", "/items", expired), 401, `"unauthorized"`)
		want(t, "an unknown route", request("DELETE", "/items/{id}", "/items/api-1", allowed), 404, `"not_found"`)
		h.front.failNext(api, "dynamodb", "ResourceNotFoundException")
		want(t, "GET while DynamoDB fails", request("GET", "/items/{id}", "/items/api-1", allowed), 500, `"internal"`)
		// CORS: the configured origin may read the answer (no AWS call: the answer's headers).
		raw, _ := h.invokeRaw(t, api, "api: CORS", request("GET", "/items/{id}", "/items/api-1", allowed))
		var out events.APIGatewayProxyResponse
		if json.Unmarshal(raw, &out) != nil || (api.env["ALLOWED_ORIGINS"] != "" && out.Headers["Access-Control-Allow-Origin"] != "http://localhost:3000") {
			t.Errorf("api: an allowed origin (ALLOWED_ORIGINS %q) got headers %v", api.env["ALLOWED_ORIGINS"], out.Headers)
		}
	})
	// The token that was allowed still is: the scenarios above changed nothing of it.
	if _, err := authorize(t, "the first token again", "Bearer "+readWrite, methodARN); err != "" {
		t.Errorf("the read-write token %s was refused after the API's scenarios: %s", readWriteID, err)
	}
}
