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
	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity/identitytest"
)

var now = identitytest.Epoch

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

// pool is the test user pool whose ID tokens the service accepts.
var pool *identitytest.Pool

// tok is an ID token of the test pool for sub: the service's owner is then
// identitytest.IdentityID(sub).
func tok(t *testing.T, sub string) string {
	t.Helper()
	if pool == nil {
		p := identitytest.NewPool(t, 0, "k1")
		pool = &p
	}
	return pool.Token(t, sub, nil)
}

func setup(t *testing.T) (*Service, *fakeTable) {
	tok(t, "")
	table := &fakeTable{items: map[string]map[string]types.AttributeValue{}}
	clock := now
	return &Service{Table: table, TableName: "tokens", Identity: identitytest.Verifier(*pool, &identitytest.Identities{}, &clock),
		Now: func() time.Time { return clock }, NewToken: apitokens.New, Scopes: apitokens.Scopes}, table
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
	s, table := setup(t)
	issued := call(t, s, `{"action":"issue","idToken":"`+tok(t, "owner-a")+`","scopes":["write","read"],"lifetimeDays":7}`)
	if issued.Error != nil || !strings.HasPrefix(issued.Token, apitokens.Prefix) || issued.Issued.ID != apitokens.Hash(issued.Token) {
		t.Fatalf("issue = %+v", issued)
	}
	in := table.puts[0]
	stored, _ := json.Marshal(in.Item)
	if strings.Contains(string(stored), issued.Token) || strings.Contains(string(stored), issued.Token[len(apitokens.Prefix):]) {
		t.Errorf("the token itself is stored: %s", stored)
	}
	if str(in.Item[apitokens.AttrHash]) != apitokens.Hash(issued.Token) || str(in.Item[apitokens.AttrOwner]) != identitytest.IdentityID("owner-a") ||
		strings.Join(in.Item[apitokens.AttrScopes].(*types.AttributeValueMemberSS).Value, ",") != "read,write" ||
		in.Item[apitokens.AttrExpiresAt].(*types.AttributeValueMemberN).Value != strconv.FormatInt(now.AddDate(0, 0, 7).Unix(), 10) ||
		in.Item[apitokens.AttrCreated].(*types.AttributeValueMemberN).Value != strconv.FormatInt(now.Unix(), 10) ||
		in.Item[apitokens.AttrRevoked].(*types.AttributeValueMemberBOOL).Value {
		t.Errorf("stored item = %s", stored)
	}
	call(t, s, `{"action":"issue","idToken":"`+tok(t, "owner-b")+`","scopes":["read"]}`)

	listed := call(t, s, `{"action":"list","idToken":"`+tok(t, "owner-a")+`"}`)
	raw, _ := json.Marshal(listed)
	if len(listed.Tokens) != 1 || listed.Tokens[0].ID != issued.Issued.ID || strings.Contains(string(raw), issued.Token) || listed.Tokens[0].Revoked {
		t.Errorf("list = %s", raw)
	}
	if q := table.queries[0]; *q.IndexName != apitokens.OwnerIndex || *q.KeyConditionExpression != "#owner = :owner" || *q.ScanIndexForward {
		t.Errorf("query = %+v", q)
	}

	if r := call(t, s, `{"action":"revoke","idToken":"`+tok(t, "owner-a")+`","tokenId":"`+issued.Issued.ID+`"}`); r.Error != nil {
		t.Fatalf("revoke: %+v", r.Error)
	}
	if listed := call(t, s, `{"action":"list","idToken":"`+tok(t, "owner-a")+`"}`); !listed.Tokens[0].Revoked {
		t.Errorf("not revoked: %+v", listed.Tokens)
	}
}

// TestRevokeOnlyOwnCurrentTokens: another owner's token, an unknown id and an expired token
// still in the table are all not_found, by the update's condition, and stay as they were.
func TestRevokeOnlyOwnCurrentTokens(t *testing.T) {
	s, table := setup(t)
	theirs := call(t, s, `{"action":"issue","idToken":"`+tok(t, "owner-b")+`","scopes":["read"]}`)
	old := call(t, s, `{"action":"issue","idToken":"`+tok(t, "owner-a")+`","scopes":["read"],"lifetimeDays":1}`)
	s.Now = func() time.Time { return now.AddDate(0, 0, 2) } // old has expired; TTL has not removed it
	for name, id := range map[string]string{"another owner's": theirs.Issued.ID, "expired": old.Issued.ID, "unknown": apitokens.Hash("nothing")} {
		r := call(t, s, `{"action":"revoke","idToken":"`+tok(t, "owner-a")+`","tokenId":"`+id+`"}`)
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
	listed := call(t, s, `{"action":"list","idToken":"`+tok(t, "owner-a")+`"}`)
	if len(listed.Tokens) != 1 || !listed.Tokens[0].Expired {
		t.Errorf("list = %+v", listed.Tokens)
	}
}

// TestInvalidRequests: a clear error naming the field; nothing reaches the table.
func TestInvalidRequests(t *testing.T) {
	s, table := setup(t)
	token, _ := apitokens.New()
	for payload, field := range map[string]string{
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":[]}`:                          "scopes",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["admin"]}`:                   "scopes[0]",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["read","read"]}`:             "scopes[1]",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["read"],"lifetimeDays":366}`: "lifetimeDays",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["read"],"lifetimeDays":-1}`:  "lifetimeDays",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["read"],"tokenId":"x"}`:      "tokenId",
		`{"action":"issue","owner":"o","idToken":"` + tok(t, "o") + `","scopes":["read"]}`:        "owner",
		`{"action":"list","owner":"` + identitytest.IdentityID("b") + `"}`:                        "owner",
		`{"action":"delete","idToken":"` + tok(t, "o") + `"}`:                                     "action",
		`{"action":"revoke","idToken":"` + tok(t, "o") + `","tokenId":"` + token + `"}`:           "tokenId",
		`{"action":"revoke","idToken":"` + tok(t, "o") + `"}`:                                     "tokenId",
		`{"action":"list","idToken":"` + tok(t, "o") + `","scopes":["read"]}`:                     "",
		`{"action":"list","idToken":"` + tok(t, "o") + `","extra":1}`:                             "",
		`{"action":"list","idToken":"` + tok(t, "o") + `"} {}`:                                    "",
		`[]`: "",
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

// TestActsOnlyForTheUserOfAValidToken: without a valid ID token every action is unauthorized
// and nothing reaches the table; with one, only that user's tokens are reached.
func TestActsOnlyForTheUserOfAValidToken(t *testing.T) {
	s, table := setup(t)
	theirs := call(t, s, `{"action":"issue","idToken":"`+tok(t, "owner-b")+`","scopes":["read"]}`)
	calls := len(table.puts) + len(table.updates) + len(table.queries)
	for name, token := range identitytest.BadTokens(t, *pool, "owner-b") {
		for _, payload := range []string{
			`{"action":"issue","idToken":"` + token + `","scopes":["read"]}`,
			`{"action":"list","idToken":"` + token + `"}`,
			`{"action":"revoke","idToken":"` + token + `","tokenId":"` + theirs.Issued.ID + `"}`,
		} {
			r := call(t, s, payload)
			if r.Error == nil || r.Error.Code != "unauthorized" || r.Error.Field != "" || r.Token != "" || r.Tokens != nil {
				t.Errorf("%s: %+v, want unauthorized and nothing else", name, r)
			}
		}
	}
	for _, payload := range []string{`{"action":"list"}`, `{"action":"list","idToken":""}`} {
		if r := call(t, s, payload); r.Error == nil || r.Error.Code != "unauthorized" {
			t.Errorf("%s: %+v, want unauthorized", payload, r)
		}
	}
	if n := len(table.puts) + len(table.updates) + len(table.queries); n != calls {
		t.Errorf("requests without a valid token reached the table (%d calls)", n-calls)
	}
	// Another user's valid token lists and revokes only their own.
	if r := call(t, s, `{"action":"list","idToken":"`+tok(t, "owner-a")+`"}`); len(r.Tokens) != 0 {
		t.Errorf("owner-a lists %+v", r.Tokens)
	}
	if r := call(t, s, `{"action":"revoke","idToken":"`+tok(t, "owner-a")+`","tokenId":"`+theirs.Issued.ID+`"}`); r.Error == nil || r.Error.Code != "not_found" {
		t.Errorf("owner-a revoking owner-b's token: %+v", r)
	}
}

func TestDynamoDBFailureFailsTheInvocation(t *testing.T) {
	s, table := setup(t)
	table.err = errors.New("ProvisionedThroughputExceededException")
	for _, payload := range []string{`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["read"]}`, `{"action":"list","idToken":"` + tok(t, "o") + `"}`,
		`{"action":"revoke","idToken":"` + tok(t, "o") + `","tokenId":"` + apitokens.Hash("x") + `"}`} {
		if _, err := s.Handle(context.Background(), json.RawMessage(payload)); err == nil {
			t.Errorf("%s: no error", payload)
		}
	}
}
