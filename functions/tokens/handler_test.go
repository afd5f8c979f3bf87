package main

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/handlertest"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity/identitytest"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

var now = identitytest.Epoch

// fakeTable keeps items by hash and evaluates the service's conditions, filters and owner-index
// queries as DynamoDB would.
type fakeTable struct {
	items   map[string]map[string]types.AttributeValue
	puts    []*dynamodb.PutItemInput
	updates []*dynamodb.UpdateItemInput
	queries []*dynamodb.QueryInput
	err     error
	// pageSize, when set, ends a query's page after that many items read, as DynamoDB does at 1 MB.
	pageSize int
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
	if str(item[apitokens.AttrOwner]) != str(in.ExpressionAttributeValues[":owner"]) || num(item[apitokens.AttrExpiresAt]) <= num(in.ExpressionAttributeValues[":now"]) {
		return nil, &types.ConditionalCheckFailedException{}
	}
	item[apitokens.AttrRevoked] = &types.AttributeValueMemberBOOL{Value: true}
	return &dynamodb.UpdateItemOutput{}, nil
}

// activeFilter is the count's filter, which the fake evaluates.
const activeFilter = "#expiresAt > :now AND (attribute_not_exists(#revoked) OR #revoked = :false)"

// Query reads the owner index: the owner's items by created (then hash), in the asked order,
// after ExclusiveStartKey (whose owner must be the key condition's, or DynamoDB refuses it), at
// most Limit (and pageSize) read, then the filter; COUNT returns the count alone.
func (f *fakeTable) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.queries = append(f.queries, in)
	if f.err != nil {
		return nil, f.err
	}
	owner := str(in.ExpressionAttributeValues[":owner"])
	if aws.ToString(in.IndexName) != apitokens.OwnerIndex || aws.ToString(in.KeyConditionExpression) != "#owner = :owner" || in.ExpressionAttributeNames["#owner"] != apitokens.AttrOwner {
		return nil, errors.New("ValidationException: unexpected query")
	}
	var rows []map[string]types.AttributeValue
	for _, item := range f.items {
		if str(item[apitokens.AttrOwner]) == owner {
			rows = append(rows, item)
		}
	}
	before := func(a, b map[string]types.AttributeValue) int { // index order, ascending
		return cmp.Or(cmp.Compare(num(a[apitokens.AttrCreated]), num(b[apitokens.AttrCreated])), strings.Compare(str(a[apitokens.AttrHash]), str(b[apitokens.AttrHash])))
	}
	forward := in.ScanIndexForward == nil || *in.ScanIndexForward
	slices.SortFunc(rows, func(a, b map[string]types.AttributeValue) int {
		if forward {
			return before(a, b)
		}
		return before(b, a)
	})
	if start := in.ExclusiveStartKey; start != nil {
		if len(start) != 3 || str(start[apitokens.AttrOwner]) != owner || start[apitokens.AttrHash] == nil || start[apitokens.AttrCreated] == nil {
			return nil, errors.New("ValidationException: The provided starting key is invalid")
		}
		rows = slices.DeleteFunc(rows, func(r map[string]types.AttributeValue) bool {
			c := before(r, start)
			return c == 0 || (c < 0) == forward
		})
	}
	n := len(rows)
	if in.Limit != nil {
		n = min(n, int(*in.Limit))
	}
	if f.pageSize > 0 {
		n = min(n, f.pageSize)
	}
	out := &dynamodb.QueryOutput{}
	if n < len(rows) || (in.Limit != nil && n == int(*in.Limit)) {
		last := rows[n-1]
		out.LastEvaluatedKey = map[string]types.AttributeValue{apitokens.AttrOwner: last[apitokens.AttrOwner], apitokens.AttrCreated: last[apitokens.AttrCreated], apitokens.AttrHash: last[apitokens.AttrHash]}
	}
	for _, r := range rows[:n] {
		if in.FilterExpression != nil {
			if *in.FilterExpression != activeFilter {
				return nil, errors.New("ValidationException: unexpected filter " + *in.FilterExpression)
			}
			revoked, _ := r[apitokens.AttrRevoked].(*types.AttributeValueMemberBOOL)
			if num(r[apitokens.AttrExpiresAt]) <= num(in.ExpressionAttributeValues[":now"]) || (revoked != nil && revoked.Value) {
				continue
			}
		}
		out.Count++
		if in.Select != types.SelectCount {
			out.Items = append(out.Items, r)
		}
	}
	return out, nil
}

func num(v types.AttributeValue) int64 {
	n, _ := numberOf(v)
	return n
}

// fakeCache records the flushes of the authorizer cache, and what the table held at each.
type fakeCache struct {
	table   *fakeTable
	flushes []flush
	err     error
}

type flush struct {
	apiID, stage string
	revoked      map[string]bool // the revoked flag of each token when the flush came
	hadDeadline  bool
}

func (c *fakeCache) FlushStageAuthorizersCache(ctx context.Context, apiID, stage string) error {
	f := flush{apiID: apiID, stage: stage, revoked: map[string]bool{}}
	for hash, item := range c.table.items {
		f.revoked[hash] = item[apitokens.AttrRevoked].(*types.AttributeValueMemberBOOL).Value
	}
	_, f.hadDeadline = ctx.Deadline()
	c.flushes = append(c.flushes, f)
	return c.err
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

// The stage the tests' service flushes, and its cache.
const (
	apiID        = "a1b2c3d4e5"
	stage        = "v1"
	cacheSeconds = 60
)

func setup(t *testing.T) (*Service, *fakeTable) {
	s, table, _ := setupWithCache(t)
	return s, table
}

func setupWithCache(t *testing.T) (*Service, *fakeTable, *fakeCache) {
	tok(t, "")
	table := &fakeTable{items: map[string]map[string]types.AttributeValue{}}
	cache := &fakeCache{table: table}
	clock := now
	return &Service{Table: table, TableName: "tokens", Identity: identitytest.Verifier(*pool, &identitytest.Identities{}, &clock),
		Now: func() time.Time { return clock }, NewToken: apitokens.New, AuthorizerCache: cache,
		Config: Config{APIID: apiID, Stage: stage, MaxActive: limits.MaxActiveTokens.Default, CacheSeconds: cacheSeconds, Scopes: apitokens.Scopes}}, table, cache
}

func call(t *testing.T, s *Service, payload string) Response {
	t.Helper()
	return handlertest.Invoke(t, s.Handle, payload)
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
	if q := table.queries[len(table.queries)-1]; *q.IndexName != apitokens.OwnerIndex || *q.KeyConditionExpression != "#owner = :owner" || *q.ScanIndexForward ||
		q.Select != "" || q.FilterExpression != nil || *q.Limit != int32(limits.TokenListPage.Default+1) || q.ExclusiveStartKey != nil {
		t.Errorf("query = %+v", q)
	}

	if r := call(t, s, `{"action":"revoke","idToken":"`+tok(t, "owner-a")+`","tokenId":"`+issued.Issued.ID+`"}`); r.Error != nil || r.Revoked == nil {
		t.Fatalf("revoke: %+v", r)
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
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":[]}`:                                               "scopes",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["admin"]}`:                                        "scopes[0]",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["read","read"]}`:                                  "scopes[1]",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["read"],"lifetimeDays":366}`:                      "lifetimeDays",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["read"],"lifetimeDays":-1}`:                       "lifetimeDays",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["read"],"tokenId":"x"}`:                           "tokenId",
		`{"action":"issue","owner":"o","idToken":"` + tok(t, "o") + `","scopes":["read"]}`:                             "owner",
		`{"action":"list","owner":"` + identitytest.IdentityID("b") + `"}`:                                             "owner",
		`{"action":"delete","idToken":"` + tok(t, "o") + `"}`:                                                          "action",
		`{"action":"revoke","idToken":"` + tok(t, "o") + `","tokenId":"` + token + `"}`:                                "tokenId",
		`{"action":"revoke","idToken":"` + tok(t, "o") + `"}`:                                                          "tokenId",
		`{"action":"list","idToken":"` + tok(t, "o") + `","scopes":["read"]}`:                                          "scopes",
		`{"action":"list","idToken":"` + tok(t, "o") + `","tokenId":"` + apitokens.Hash("x") + `"}`:                    "tokenId",
		`{"action":"revoke","idToken":"` + tok(t, "o") + `","tokenId":"` + apitokens.Hash("x") + `","next":""}`:        "next",
		`{"action":"revoke","idToken":"` + tok(t, "o") + `","tokenId":"` + apitokens.Hash("x") + `","lifetimeDays":3}`: "lifetimeDays",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["read"],"limit":5}`:                               "limit",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":"read"}`:                                           "scopes",
		`{"action":"issue","idToken":"` + tok(t, "o") + `","scopes":["read"],"lifetimeDays":"7"}`:                      "lifetimeDays",
		`{"action":"list","idToken":"` + tok(t, "o") + `","extra":1}`:                                                  "",
		// Each key spelt exactly and given once (encoding/json alone would take "Action", and the last "action").
		`{"action":"list","action":"issue","idToken":"` + tok(t, "o") + `","scopes":["read"]}`: "action",
		`{"Action":"list","idToken":"` + tok(t, "o") + `"}`:                                    "Action",
		`{"action":"list","idToken":"` + tok(t, "o") + `","OWNER":"b"}`:                        "OWNER",
		`{"action":"list","idToken":"` + tok(t, "o") + `"} {}`:                                 "",
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

func issue(t *testing.T, s *Service, sub string) TokenInfo {
	t.Helper()
	r := call(t, s, `{"action":"issue","idToken":"`+tok(t, sub)+`","scopes":["read"]}`)
	if r.Error != nil || r.Issued == nil {
		t.Fatalf("issue for %s: %+v", sub, r)
	}
	return *r.Issued
}

// TestRevokeFlushesTheStage: after the conditional update, and only then, the configured stage's
// authorizer cache is flushed, within a deadline; the answer says the revoke took effect at once.
// Revoking the token again succeeds and flushes again.
func TestRevokeFlushesTheStage(t *testing.T) {
	s, _, cache := setupWithCache(t)
	mine := issue(t, s, "owner-a")
	other := issue(t, s, "owner-a")
	for range 2 { // the second time the token is already revoked: the same answer
		r := call(t, s, `{"action":"revoke","idToken":"`+tok(t, "owner-a")+`","tokenId":"`+mine.ID+`"}`)
		if got, want := handlertest.JSON(t, r), `{"revoked":{"id":"`+mine.ID+`","flushed":true,"effectiveWithinSeconds":0}}`; got != want {
			t.Errorf("revoke answered\n %s\nwant %s", got, want)
		}
	}
	if len(cache.flushes) != 2 {
		t.Fatalf("%d flushes, want one per revoke", len(cache.flushes))
	}
	for _, f := range cache.flushes {
		if f.apiID != apiID || f.stage != stage || !f.hadDeadline {
			t.Errorf("flushed %+v, want API %s stage %s with a deadline", f, apiID, stage)
		}
		if !f.revoked[mine.ID] || f.revoked[other.ID] {
			t.Errorf("at the flush the table held revoked=%v: the flush must follow the revoke of %s alone", f.revoked, mine.ID)
		}
	}
}

// TestRevokeStandsWhenTheFlushFails: a failed flush (throttled: a control-plane call) leaves the
// token revoked and the invocation successful; the answer says how long the token may still work
// (the stage's cache), and the log warns with the error.
func TestRevokeStandsWhenTheFlushFails(t *testing.T) {
	s, table, cache := setupWithCache(t)
	buf := handlertest.CaptureLogs(t)
	cache.err = errors.New("429 TooManyRequestsException: Too Many Requests")
	mine := issue(t, s, "owner-a")
	r := call(t, s, `{"action":"revoke","idToken":"`+tok(t, "owner-a")+`","tokenId":"`+mine.ID+`"}`)
	if got, want := handlertest.JSON(t, r), `{"revoked":{"id":"`+mine.ID+`","flushed":false,"effectiveWithinSeconds":60}}`; got != want {
		t.Errorf("revoke answered\n %s\nwant %s", got, want)
	}
	if !table.items[mine.ID][apitokens.AttrRevoked].(*types.AttributeValueMemberBOOL).Value {
		t.Errorf("the token is not revoked")
	}
	var warned bool
	for line := range strings.Lines(buf.String()) {
		var entry map[string]any
		_ = json.Unmarshal([]byte(line), &entry)
		if entry["level"] == "WARN" && strings.Contains(fmt.Sprint(entry["error"]), "TooManyRequestsException") && entry["stage"] == stage && entry["apiId"] == apiID {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning with the flush's error in the log:\n%s", buf)
	}
}

// TestNoFlushWithoutARevoke: a refused revoke — another owner's, an expired or an unknown token,
// a malformed id, no valid ID token, a named owner — and a failed update flush nothing.
func TestNoFlushWithoutARevoke(t *testing.T) {
	s, table, cache := setupWithCache(t)
	theirs := issue(t, s, "owner-b")
	old := call(t, s, `{"action":"issue","idToken":"`+tok(t, "owner-a")+`","scopes":["read"],"lifetimeDays":1}`).Issued
	s.Now = func() time.Time { return now.AddDate(0, 0, 2) }
	for _, payload := range []string{
		`{"action":"revoke","idToken":"` + tok(t, "owner-a") + `","tokenId":"` + theirs.ID + `"}`,
		`{"action":"revoke","idToken":"` + tok(t, "owner-a") + `","tokenId":"` + old.ID + `"}`,
		`{"action":"revoke","idToken":"` + tok(t, "owner-a") + `","tokenId":"` + apitokens.Hash("unknown") + `"}`,
		`{"action":"revoke","idToken":"` + tok(t, "owner-a") + `","tokenId":"not-an-id"}`,
		`{"action":"revoke","idToken":"` + identitytest.BadTokens(t, *pool, "owner-b")["expired"] + `","tokenId":"` + theirs.ID + `"}`,
		`{"action":"revoke","tokenId":"` + theirs.ID + `"}`,
		`{"action":"revoke","owner":"` + identitytest.IdentityID("owner-b") + `","idToken":"` + tok(t, "owner-a") + `","tokenId":"` + theirs.ID + `"}`,
	} {
		if r := call(t, s, payload); r.Error == nil || r.Revoked != nil {
			t.Errorf("%s: %+v, want a refusal", payload, r)
		}
	}
	table.err = errors.New("ProvisionedThroughputExceededException")
	if _, err := s.Handle(context.Background(), json.RawMessage(`{"action":"revoke","idToken":"`+tok(t, "owner-b")+`","tokenId":"`+theirs.ID+`"}`)); err == nil {
		t.Errorf("a failed update did not fail the invocation")
	}
	if len(cache.flushes) != 0 {
		t.Errorf("%d flushes without a revoke", len(cache.flushes))
	}
}

// TestCapOnActiveTokens: an owner below the cap may issue; at the cap, conflict naming the cap,
// and nothing written. Revoked and expired tokens, and other owners', do not count; a token
// without a revoked flag does. The count reads every page of the owner index.
func TestCapOnActiveTokens(t *testing.T) {
	s, table := setup(t)
	s.MaxActive = 3
	table.pageSize = 1 // one token a page: the count must follow LastEvaluatedKey
	issue(t, s, "owner-b")
	issue(t, s, "owner-b")
	issue(t, s, "owner-b")
	first := issue(t, s, "owner-a")
	issue(t, s, "owner-a") // 1 active: below the cap
	queries := len(table.queries)
	third := issue(t, s, "owner-a") // 2 active: just below the cap
	if counted := table.queries[queries:]; len(counted) < 2 {
		t.Errorf("the count read %d pages of two tokens at one a page", len(counted))
	}
	puts := len(table.puts)
	r := call(t, s, `{"action":"issue","idToken":"`+tok(t, "owner-a")+`","scopes":["read"]}`)
	if r.Error == nil || r.Error.Code != "conflict" || r.Token != "" || r.Issued != nil ||
		!strings.Contains(r.Error.Message, "3 active tokens") || !strings.Contains(r.Error.Message, "api.maxActiveTokensPerOwner") {
		t.Errorf("at the cap: %+v, want conflict naming the cap", r)
	}
	if len(table.puts) != puts {
		t.Errorf("a token was written at the cap")
	}
	q := table.queries[len(table.queries)-1]
	if q.Select != types.SelectCount || *q.IndexName != apitokens.OwnerIndex || *q.FilterExpression != activeFilter ||
		str(q.ExpressionAttributeValues[":owner"]) != identitytest.IdentityID("owner-a") {
		t.Errorf("count query = %+v", q)
	}
	// A revoked token does not count.
	if r := call(t, s, `{"action":"revoke","idToken":"`+tok(t, "owner-a")+`","tokenId":"`+first.ID+`"}`); r.Error != nil {
		t.Fatal(r.Error)
	}
	fourth := issue(t, s, "owner-a")
	// A token without a revoked flag counts (the authorizer allows it).
	delete(table.items[fourth.ID], apitokens.AttrRevoked)
	if r := call(t, s, `{"action":"issue","idToken":"`+tok(t, "owner-a")+`","scopes":["read"]}`); r.Error == nil || r.Error.Code != "conflict" {
		t.Errorf("with a token without a revoked flag: %+v, want conflict", r)
	}
	// An expired token (still in the table) does not count.
	table.items[third.ID][apitokens.AttrExpiresAt] = number(now.Unix())
	issue(t, s, "owner-a")
}

// issueAt issues a token for sub created at the given time (list's order is by creation).
func issueAt(t *testing.T, s *Service, sub string, at time.Time) TokenInfo {
	t.Helper()
	s.Now = func() time.Time { return at }
	return issue(t, s, sub)
}

func list(t *testing.T, s *Service, sub, extra string) Response {
	t.Helper()
	r := call(t, s, `{"action":"list","idToken":"`+tok(t, sub)+`"`+extra+`}`)
	if r.Error != nil {
		t.Fatalf("list %s: %+v", extra, r.Error)
	}
	return r
}

func ids(tokens []TokenInfo) []string {
	var out []string
	for _, t := range tokens {
		out = append(out, t.ID)
	}
	return out
}

// TestListPages: pages of limit tokens, newest first, each with the cursor of the next; the last
// page has no next (also when it is exactly full), whatever DynamoDB's own pages are.
func TestListPages(t *testing.T) {
	s, table := setup(t)
	var newestFirst []string
	for i := range 5 {
		newestFirst = slices.Insert(newestFirst, 0, issueAt(t, s, "owner-a", now.Add(time.Duration(i)*time.Minute)).ID)
	}
	issueAt(t, s, "owner-b", now.Add(time.Hour))
	for _, pageSize := range []int{0, 1, 2} {
		table.pageSize = pageSize
		var got []string
		r := list(t, s, "owner-a", `,"limit":2`)
		pages := 1
		for ; r.Next != ""; pages++ {
			if len(r.Tokens) != 2 {
				t.Errorf("page %d has %d tokens", pages, len(r.Tokens))
			}
			got = append(got, ids(r.Tokens)...)
			r = list(t, s, "owner-a", `,"limit":2,"next":"`+r.Next+`"`)
		}
		got = append(got, ids(r.Tokens)...)
		if !slices.Equal(got, newestFirst) || pages != 3 {
			t.Errorf("DynamoDB pages of %d: %d pages of %v, want 3 of %v", pageSize, pages, got, newestFirst)
		}
		if raw := handlertest.JSON(t, r); strings.Contains(raw, `"next"`) {
			t.Errorf("the last page says next: %s", raw)
		}
		for _, extra := range []string{``, `,"limit":5`, `,"limit":100`} {
			if r := list(t, s, "owner-a", extra); !slices.Equal(ids(r.Tokens), newestFirst) || r.Next != "" {
				t.Errorf("list%s: %v next %q, want all five and no next", extra, ids(r.Tokens), r.Next)
			}
		}
		if r := list(t, s, "owner-a", `,"limit":4`); !slices.Equal(ids(r.Tokens), newestFirst[:4]) || r.Next == "" {
			t.Errorf("limit 4: %v next %q", ids(r.Tokens), r.Next)
		}
		if r := list(t, s, "owner-a", `,"limit":1`); !slices.Equal(ids(r.Tokens), newestFirst[:1]) || r.Next == "" {
			t.Errorf("limit 1: %v next %q", ids(r.Tokens), r.Next)
		}
	}
	// Twenty by default.
	table.pageSize = 0
	s.MaxActive = 21
	for i := range 21 {
		issueAt(t, s, "owner-c", now.Add(time.Duration(i)*time.Second))
	}
	if r := list(t, s, "owner-c", ``); len(r.Tokens) != limits.TokenListPage.Default || r.Next == "" {
		t.Errorf("default page: %d tokens, next %q", len(r.Tokens), r.Next)
	}
	// No tokens: an empty list.
	if got := handlertest.JSON(t, list(t, s, "owner-d", ``)); got != `{"tokens":[]}` {
		t.Errorf("no tokens: %s", got)
	}
}

// TestListCursorCannotReachAnotherOwner: the start key's owner is always the caller's; a cursor
// made from another owner's token, or taken from their listing, shows only the caller's tokens.
func TestListCursorCannotReachAnotherOwner(t *testing.T) {
	s, table := setup(t)
	mine := issueAt(t, s, "owner-a", now)
	var theirs []TokenInfo
	for i := range 3 {
		theirs = append(theirs, issueAt(t, s, "owner-b", now.Add(time.Duration(i+1)*time.Minute)))
	}
	pageOfB := list(t, s, "owner-b", `,"limit":1`)
	for name, next := range map[string]string{
		"forged from B's newest token":      cursor{ID: theirs[2].ID, Created: theirs[2].Created}.encode(),
		"forged from B's oldest token":      cursor{ID: theirs[0].ID, Created: theirs[0].Created}.encode(),
		"forged after every time":           cursor{ID: theirs[0].ID, Created: now.Add(24 * time.Hour).Unix()}.encode(),
		"taken from B's page":               pageOfB.Next,
		"forged with a made-up id and time": cursor{ID: apitokens.Hash("x"), Created: 1 << 40}.encode(),
	} {
		queries := len(table.queries)
		r := list(t, s, "owner-a", `,"next":"`+next+`"`)
		for _, tk := range r.Tokens {
			if tk.ID != mine.ID {
				t.Errorf("%s: A's listing shows %s, not A's", name, tk.ID)
			}
		}
		for _, q := range table.queries[queries:] {
			if str(q.ExclusiveStartKey[apitokens.AttrOwner]) != identitytest.IdentityID("owner-a") || str(q.ExpressionAttributeValues[":owner"]) != identitytest.IdentityID("owner-a") {
				t.Errorf("%s: the query reached owner %s", name, str(q.ExclusiveStartKey[apitokens.AttrOwner]))
			}
		}
	}
}

// TestListRefusesBadCursorsAndLimits: a next that list did not make is invalid (field next); a
// limit outside 1–100 or not a whole number is invalid (field limit); neither reaches the table.
func TestListRefusesBadCursorsAndLimits(t *testing.T) {
	s, table := setup(t)
	good := cursor{ID: apitokens.Hash("x"), Created: now.Unix()}
	raw, _ := json.Marshal(good)
	b64 := base64.RawURLEncoding.EncodeToString
	cases := map[string]string{
		`,"next":""`:                             "next",
		`,"next":"!!!"`:                          "next",
		`,"next":"` + b64([]byte("hello")) + `"`: "next",
		`,"next":"` + base64.URLEncoding.EncodeToString(raw) + `"`:                                          "next", // padded
		`,"next":"` + base64.StdEncoding.EncodeToString([]byte(`{"id":"`+good.ID+`","created":1}??`)) + `"`: "next",
		`,"next":"` + b64([]byte(`{"id":"`+good.ID+`", "created":1}`)) + `"`:                                "next", // not as list writes it
		`,"next":"` + b64([]byte(`{"id":"`+good.ID+`","created":1,"owner":"x"}`)) + `"`:                     "next",
		`,"next":"` + b64([]byte(`{"id":"ghapi_abc","created":1}`)) + `"`:                                   "next",
		`,"next":"` + b64([]byte(`{"id":"`+good.ID+`","created":-1}`)) + `"`:                                "next",
		`,"next":"` + b64([]byte(`{"created":1}`)) + `"`:                                                    "next",
		`,"next":5`:                           "next",
		`,"limit":0`:                          "limit",
		`,"limit":101`:                        "limit",
		`,"limit":-1`:                         "limit",
		`,"limit":2.5`:                        "limit",
		`,"limit":"5"`:                        "limit",
		`,"limit":null,"next":null,"extra":1`: "",
	}
	for extra, field := range cases {
		r := call(t, s, `{"action":"list","idToken":"`+tok(t, "owner-a")+`"`+extra+`}`)
		if r.Error == nil || r.Error.Code != "invalid" || r.Error.Field != field || r.Tokens != nil {
			t.Errorf("list%s: %+v, want invalid %q", extra, r, field)
		}
	}
	if len(table.queries) != 0 {
		t.Errorf("refused lists reached the table")
	}
	if _, ok := decodeCursor(good.encode()); !ok {
		t.Errorf("a cursor list makes does not decode")
	}
	for _, extra := range []string{`,"limit":1`, `,"limit":100`, `,"next":"` + good.encode() + `"`} {
		if r := call(t, s, `{"action":"list","idToken":"`+tok(t, "owner-a")+`"`+extra+`}`); r.Error != nil {
			t.Errorf("list%s: %+v", extra, r.Error)
		}
	}
}
