package main

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// fakeTable keeps items by hash and evaluates the service's conditions as DynamoDB would.
type fakeTable struct {
	items   map[string]map[string]types.AttributeValue
	puts    []*dynamodb.PutItemInput
	updates []*dynamodb.UpdateItemInput
	queries []*dynamodb.QueryInput
	err     error
}

func (f *fakeTable) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.puts = append(f.puts, in)
	if f.err != nil {
		return nil, f.err
	}
	hash := str(in.Item[apitokens.AttrHash])
	if *in.ConditionExpression != "attribute_not_exists(#hash)" || in.ExpressionAttributeNames["#hash"] != apitokens.AttrHash {
		return nil, errors.New("unexpected condition " + *in.ConditionExpression)
	}
	if _, exists := f.items[hash]; exists {
		return nil, &types.ConditionalCheckFailedException{}
	}
	f.items[hash] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func (f *fakeTable) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.updates = append(f.updates, in)
	if f.err != nil {
		return nil, f.err
	}
	item, exists := f.items[str(in.Key[apitokens.AttrHash])]
	if !exists {
		return nil, &types.ConditionalCheckFailedException{}
	}
	nowValue, _ := strconv.ParseInt(in.ExpressionAttributeValues[":now"].(*types.AttributeValueMemberN).Value, 10, 64)
	expires, _ := strconv.ParseInt(item[apitokens.AttrExpiresAt].(*types.AttributeValueMemberN).Value, 10, 64)
	if str(item[apitokens.AttrOwner]) != str(in.ExpressionAttributeValues[":owner"]) || expires <= nowValue {
		return nil, &types.ConditionalCheckFailedException{}
	}
	item[apitokens.AttrRevoked] = &types.AttributeValueMemberBOOL{Value: true}
	return &dynamodb.UpdateItemOutput{}, nil
}

func (f *fakeTable) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.queries = append(f.queries, in)
	if f.err != nil {
		return nil, f.err
	}
	var out []map[string]types.AttributeValue
	for _, item := range f.items {
		if str(item[apitokens.AttrOwner]) == str(in.ExpressionAttributeValues[":owner"]) {
			out = append(out, item)
		}
	}
	return &dynamodb.QueryOutput{Items: out}, nil
}

func str(v types.AttributeValue) string {
	s, _ := v.(*types.AttributeValueMemberS)
	if s == nil {
		return ""
	}
	return s.Value
}

func setup() (*Service, *fakeTable) {
	table := &fakeTable{items: map[string]map[string]types.AttributeValue{}}
	clock := now
	return &Service{Table: table, TableName: "tokens", Now: func() time.Time { return clock }, NewToken: apitokens.New, Scopes: apitokens.Scopes}, table
}

func call(t *testing.T, s *Service, payload string) Response {
	t.Helper()
	resp, err := s.Handle(context.Background(), json.RawMessage(payload))
	if err != nil {
		t.Fatalf("%s: %v", payload, err)
	}
	return resp
}

// TestIssueListRevoke: the token is returned once and only its hash stored (with owner, scopes,
// creation and expiry); listing shows the owner's tokens and never a token; the owner revokes
// their own.
func TestIssueListRevoke(t *testing.T) {
	s, table := setup()
	issued := call(t, s, `{"action":"issue","owner":"ap-southeast-1:owner-a","scopes":["write","read"],"lifetimeDays":7}`)
	if issued.Error != nil || !strings.HasPrefix(issued.Token, apitokens.Prefix) || issued.Issued.ID != apitokens.Hash(issued.Token) {
		t.Fatalf("issue = %+v", issued)
	}
	in := table.puts[0]
	stored, _ := json.Marshal(in.Item)
	if strings.Contains(string(stored), issued.Token) || strings.Contains(string(stored), issued.Token[len(apitokens.Prefix):]) {
		t.Errorf("the token itself is stored: %s", stored)
	}
	if str(in.Item[apitokens.AttrHash]) != apitokens.Hash(issued.Token) || str(in.Item[apitokens.AttrOwner]) != "ap-southeast-1:owner-a" ||
		strings.Join(in.Item[apitokens.AttrScopes].(*types.AttributeValueMemberSS).Value, ",") != "read,write" ||
		in.Item[apitokens.AttrExpiresAt].(*types.AttributeValueMemberN).Value != strconv.FormatInt(now.AddDate(0, 0, 7).Unix(), 10) ||
		in.Item[apitokens.AttrCreated].(*types.AttributeValueMemberN).Value != strconv.FormatInt(now.Unix(), 10) ||
		in.Item[apitokens.AttrRevoked].(*types.AttributeValueMemberBOOL).Value {
		t.Errorf("stored item = %s", stored)
	}
	call(t, s, `{"action":"issue","owner":"ap-southeast-1:owner-b","scopes":["read"]}`)

	listed := call(t, s, `{"action":"list","owner":"ap-southeast-1:owner-a"}`)
	raw, _ := json.Marshal(listed)
	if len(listed.Tokens) != 1 || listed.Tokens[0].ID != issued.Issued.ID || strings.Contains(string(raw), issued.Token) || listed.Tokens[0].Revoked {
		t.Errorf("list = %s", raw)
	}
	if q := table.queries[0]; *q.IndexName != apitokens.OwnerIndex || *q.KeyConditionExpression != "#owner = :owner" || *q.ScanIndexForward {
		t.Errorf("query = %+v", q)
	}

	if r := call(t, s, `{"action":"revoke","owner":"ap-southeast-1:owner-a","tokenId":"`+issued.Issued.ID+`"}`); r.Error != nil {
		t.Fatalf("revoke: %+v", r.Error)
	}
	if listed := call(t, s, `{"action":"list","owner":"ap-southeast-1:owner-a"}`); !listed.Tokens[0].Revoked {
		t.Errorf("not revoked: %+v", listed.Tokens)
	}
}

// TestRevokeOnlyOwnCurrentTokens: another owner's token, an unknown id and an expired token
// still in the table are all not_found, by the update's condition, and stay as they were.
func TestRevokeOnlyOwnCurrentTokens(t *testing.T) {
	s, table := setup()
	theirs := call(t, s, `{"action":"issue","owner":"owner-b","scopes":["read"]}`)
	old := call(t, s, `{"action":"issue","owner":"owner-a","scopes":["read"],"lifetimeDays":1}`)
	s.Now = func() time.Time { return now.AddDate(0, 0, 2) } // old has expired; TTL has not removed it
	for name, id := range map[string]string{"another owner's": theirs.Issued.ID, "expired": old.Issued.ID, "unknown": apitokens.Hash("nothing")} {
		r := call(t, s, `{"action":"revoke","owner":"owner-a","tokenId":"`+id+`"}`)
		if r.Error == nil || r.Error.Code != "not_found" || r.Error.Field != "tokenId" {
			t.Errorf("%s: %+v, want not_found", name, r)
		}
	}
	for _, item := range table.items {
		if item[apitokens.AttrRevoked].(*types.AttributeValueMemberBOOL).Value {
			t.Errorf("a token was revoked: %v", item)
		}
	}
	u := table.updates[0]
	if *u.ConditionExpression != "attribute_exists(#hash) AND #owner = :owner AND #expiresAt > :now" || *u.UpdateExpression != "SET #revoked = :true" {
		t.Errorf("update = %+v", u)
	}
	listed := call(t, s, `{"action":"list","owner":"owner-a"}`)
	if len(listed.Tokens) != 1 || !listed.Tokens[0].Expired {
		t.Errorf("list = %+v", listed.Tokens)
	}
}

// TestInvalidRequests: a clear error naming the field; nothing reaches the table.
func TestInvalidRequests(t *testing.T) {
	s, table := setup()
	token, _ := apitokens.New()
	for payload, field := range map[string]string{
		`{"action":"issue","owner":"o","scopes":[]}`:                          "scopes",
		`{"action":"issue","owner":"o","scopes":["admin"]}`:                   "scopes[0]",
		`{"action":"issue","owner":"o","scopes":["read","read"]}`:             "scopes[1]",
		`{"action":"issue","owner":"o","scopes":["read"],"lifetimeDays":366}`: "lifetimeDays",
		`{"action":"issue","owner":"o","scopes":["read"],"lifetimeDays":-1}`:  "lifetimeDays",
		`{"action":"issue","owner":"o","scopes":["read"],"tokenId":"x"}`:      "tokenId",
		`{"action":"issue","owner":"","scopes":["read"]}`:                     "owner",
		`{"action":"issue","owner":"a b","scopes":["read"]}`:                  "owner",
		`{"action":"delete","owner":"o"}`:                                     "action",
		`{"action":"revoke","owner":"o","tokenId":"` + token + `"}`:           "tokenId",
		`{"action":"revoke","owner":"o"}`:                                     "tokenId",
		`{"action":"list","owner":"o","scopes":["read"]}`:                     "",
		`{"action":"list","owner":"o","extra":1}`:                             "",
		`{"action":"list","owner":"o"} {}`:                                    "",
		`[]`:                                                                  "",
	} {
		r := call(t, s, payload)
		if r.Error == nil || r.Error.Code != "invalid" || r.Error.Field != field || r.Token != "" {
			t.Errorf("%s: %+v, want invalid %q", payload, r.Error, field)
		}
	}
	if len(table.puts)+len(table.updates)+len(table.queries) != 0 {
		t.Errorf("invalid requests reached the table")
	}
}

func TestDynamoDBFailureFailsTheInvocation(t *testing.T) {
	s, table := setup()
	table.err = errors.New("ProvisionedThroughputExceededException")
	for _, payload := range []string{`{"action":"issue","owner":"o","scopes":["read"]}`, `{"action":"list","owner":"o"}`,
		`{"action":"revoke","owner":"o","tokenId":"` + apitokens.Hash("x") + `"}`} {
		if _, err := s.Handle(context.Background(), json.RawMessage(payload)); err == nil {
			t.Errorf("%s: no error", payload)
		}
	}
}
