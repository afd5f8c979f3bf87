package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/handlertest"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

const methodArn = "arn:aws:execute-api:ap-southeast-1:123456789012:a1b2c3d4e5/prod/GET/items/42"

// fakeTable holds token items by hash and records the lookups.
type fakeTable struct {
	items map[string]map[string]types.AttributeValue
	gets  []*dynamodb.GetItemInput
	err   error
}

func (f *fakeTable) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.gets = append(f.gets, in)
	if f.err != nil {
		return nil, f.err
	}
	hash := in.Key[apitokens.AttrHash].(*types.AttributeValueMemberS).Value
	return &dynamodb.GetItemOutput{Item: f.items[hash]}, nil
}

func item(owner string, expires time.Time, revoked bool, scopes ...string) map[string]types.AttributeValue {
	i := map[string]types.AttributeValue{
		apitokens.AttrOwner:     &types.AttributeValueMemberS{Value: owner},
		apitokens.AttrExpiresAt: &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
		apitokens.AttrRevoked:   &types.AttributeValueMemberBOOL{Value: revoked},
		apitokens.AttrCreated:   &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)},
	}
	if len(scopes) > 0 {
		i[apitokens.AttrScopes] = &types.AttributeValueMemberSS{Value: scopes}
	}
	return i
}

func newToken(t *testing.T) string {
	t.Helper()
	token, err := apitokens.New()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func setup(t *testing.T) (*Authorizer, *fakeTable, *bytes.Buffer) {
	t.Helper()
	logs := handlertest.CaptureLogs(t)
	table := &fakeTable{items: map[string]map[string]types.AttributeValue{}}
	return &Authorizer{Table: table, TableName: "tokens", Now: func() time.Time { return now }}, table, logs
}

// TestAllowsACurrentToken: the response is exactly what API Gateway expects — principalId the
// owner, one Allow of execute-api:Invoke on the whole stage, the owner, scopes and the token's
// expiry (Unix seconds, a string: API Gateway passes context values on as strings) in the context.
func TestAllowsACurrentToken(t *testing.T) {
	a, table, logs := setup(t)
	token := newToken(t)
	table.items[apitokens.Hash(token)] = item("ap-southeast-1:owner-1", now.Add(time.Hour), false, "read", "write")
	for _, header := range []string{token, "Bearer " + token} {
		resp, err := a.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: header, MethodArn: methodArn})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(resp)
		want := `{"principalId":"ap-southeast-1:owner-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":["execute-api:Invoke"],` +
			`"Effect":"Allow","Resource":["arn:aws:execute-api:ap-southeast-1:123456789012:a1b2c3d4e5/prod/*/*"]}]},` +
			`"context":{"expiresAt":"` + strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + `","owner":"ap-southeast-1:owner-1","scopes":"read write"}}`
		if string(got) != want {
			t.Errorf("response:\n got %s\nwant %s", got, want)
		}
	}
	// Looked up by hash, consistently; the token is in no log line.
	in := table.gets[0]
	if *in.TableName != "tokens" || !*in.ConsistentRead || len(in.Key) != 1 || in.Key[apitokens.AttrHash].(*types.AttributeValueMemberS).Value != apitokens.Hash(token) {
		t.Errorf("GetItem input = %+v", in)
	}
	if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), token[len(apitokens.Prefix):]) {
		t.Errorf("the token is logged: %s", logs.String())
	}
}

// TestRefusesWithoutSayingWhy: unknown, malformed, expired (the item still there) and revoked
// tokens, and items without an owner or expiry, all get the literal "Unauthorized" (API
// Gateway's 401), with no policy; a malformed token is not even looked up.
func TestRefusesWithoutSayingWhy(t *testing.T) {
	a, table, logs := setup(t)
	expired, revoked, justExpired, noOwner, unknown := newToken(t), newToken(t), newToken(t), newToken(t), newToken(t)
	table.items[apitokens.Hash(expired)] = item("o", now.Add(-time.Minute), false, "read")
	table.items[apitokens.Hash(justExpired)] = item("o", now, false, "read")
	table.items[apitokens.Hash(revoked)] = item("o", now.Add(time.Hour), true, "read")
	table.items[apitokens.Hash(noOwner)] = item("", now.Add(time.Hour), false, "read")
	cases := map[string]string{
		"unknown": unknown, "expired": expired, "expiring now": justExpired, "revoked": revoked, "without an owner": noOwner,
		"malformed": "ghapi_short", "the hash instead of the token": apitokens.Hash(unknown), "empty": "",
		"another scheme": "Basic " + unknown,
	}
	for name, header := range cases {
		before := len(table.gets)
		resp, err := a.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: header, MethodArn: methodArn})
		if err == nil || err.Error() != "Unauthorized" || resp.PrincipalID != "" || len(resp.PolicyDocument.Statement) != 0 {
			t.Errorf("%s: got %+v, %v; want the error Unauthorized and nothing else", name, resp, err)
		}
		if looked := len(table.gets) > before; looked == (name == "malformed" || name == "empty" || name == "another scheme" || name == "the hash instead of the token") {
			t.Errorf("%s: looked up = %v", name, looked)
		}
	}
	for _, token := range []string{expired, revoked, unknown} {
		if strings.Contains(logs.String(), token[len(apitokens.Prefix):]) {
			t.Errorf("a token is logged")
		}
	}
}

// TestDynamoDBFailureIsNotA401: a failed lookup is an error API Gateway answers with 500 (and does
// not cache), not a denial.
func TestDynamoDBFailureIsNotA401(t *testing.T) {
	a, table, _ := setup(t)
	table.err = errors.New("ProvisionedThroughputExceededException")
	_, err := a.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: newToken(t), MethodArn: methodArn})
	if err == nil || errors.Is(err, ErrUnauthorized) {
		t.Errorf("err = %v, want a failure other than Unauthorized", err)
	}
}

func TestStageArn(t *testing.T) {
	for in, want := range map[string]string{
		methodArn: "arn:aws:execute-api:ap-southeast-1:123456789012:a1b2c3d4e5/prod/*/*",
		"arn:aws:execute-api:us-east-1:123456789012:abc/v1/POST/": "arn:aws:execute-api:us-east-1:123456789012:abc/v1/*/*",
		"arn:aws:execute-api:us-east-1:123456789012:abc/v1":       "",
		"arn:aws:lambda:us-east-1:123456789012:function:x":        "",
		"": "",
	} {
		got, ok := stageArn(in)
		if got != want || ok != (want != "") {
			t.Errorf("stageArn(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
