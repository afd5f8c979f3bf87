package items

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/handlertest"
)

// fakeTable records each call and answers with the configured output or error.
type fakeTable struct {
	puts    []*dynamodb.PutItemInput
	gets    []*dynamodb.GetItemInput
	queries []*dynamodb.QueryInput

	putErr   error
	getOut   *dynamodb.GetItemOutput
	getErr   error
	queryOut *dynamodb.QueryOutput
	queryErr error
}

func (f *fakeTable) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return record[dynamodb.PutItemInput, dynamodb.PutItemOutput](&f.puts, in, nil, f.putErr)
}

func (f *fakeTable) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return record(&f.gets, in, f.getOut, f.getErr)
}

func (f *fakeTable) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return record(&f.queries, in, f.queryOut, f.queryErr)
}

// record appends the call's input to calls and answers with err, or else out (nil: an empty
// output).
func record[In, Out any](calls *[]*In, in *In, out *Out, err error) (*Out, error) {
	*calls = append(*calls, in)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = new(Out)
	}
	return out, nil
}

func (f *fakeTable) calls() int { return len(f.puts) + len(f.gets) + len(f.queries) }

var _ ItemTable = (*dynamodb.Client)(nil)

const testTable = "items-test"

// testNow is the fixed clock: 2026-03-04 05:06:07 at UTC+2, so createdAt must convert to UTC.
var testNow = time.Date(2026, 3, 4, 7, 6, 7, 999, time.FixedZone("UTC+2", 2*60*60))

const testCreatedAt = "2026-03-04T05:06:07Z"

func newHandler(table *fakeTable) *Handler {
	return &Handler{Table: table, TableName: testTable, Now: func() time.Time { return testNow }}
}

// TestMain keeps the request log lines out of the test output; handlertest.CaptureLogs reads them.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// invoke runs payload for owner as the token API's handler does (HandleFor); the items
// function's own entry, Handle, is tested with ID tokens in identity_test.go.
func invoke(t *testing.T, h *Handler, owner, payload string) Response {
	t.Helper()
	return handlertest.Invoke(t, func(ctx context.Context, p json.RawMessage) (Response, error) {
		return h.HandleFor(ctx, owner, p)
	}, payload)
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func storedItem(owner, id, name, body string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"owner": s(owner), "id": s(id), "name": s(name), "body": s(body), "createdAt": s(testCreatedAt),
	}
}

// show renders an attribute map readably for failure messages.
func show(av map[string]types.AttributeValue) string {
	keys := make([]string, 0, len(av))
	for k := range av {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if v, ok := av[k].(*types.AttributeValueMemberS); ok {
			fmt.Fprintf(&b, "%s=S:%q ", k, v.Value)
		} else {
			fmt.Fprintf(&b, "%s=%T ", k, av[k])
		}
	}
	return b.String()
}

func TestPut(t *testing.T) {
	tests := []struct {
		name     string
		payload  string
		wantItem map[string]types.AttributeValue
		wantJSON string
	}{
		{
			name:     "new item, name trimmed",
			payload:  `{"action":"put","id":"note-1","name":"  Groceries\u00a0 ","body":"milk\neggs"}`,
			wantItem: storedItem("user:1", "note-1", "Groceries", "milk\neggs"),
			wantJSON: `{"item":{"id":"note-1","name":"Groceries","body":"milk\neggs","createdAt":"2026-03-04T05:06:07Z"}}`,
		},
		{
			name:     "body omitted is stored empty",
			payload:  `{"action":"put","id":"n2","name":"Empty"}`,
			wantItem: storedItem("user:1", "n2", "Empty", ""),
			wantJSON: `{"item":{"id":"n2","name":"Empty","body":"","createdAt":"2026-03-04T05:06:07Z"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table := &fakeTable{}
			resp := invoke(t, newHandler(table), "user:1", tt.payload)

			if got := handlertest.JSON(t, resp); got != tt.wantJSON {
				t.Errorf("response = %s\nwant       %s", got, tt.wantJSON)
			}
			if len(table.puts) != 1 || table.calls() != 1 {
				t.Fatalf("calls: %d puts, %d in all; want exactly one PutItem", len(table.puts), table.calls())
			}
			want := &dynamodb.PutItemInput{
				TableName:           ptr(testTable),
				Item:                tt.wantItem,
				ConditionExpression: ptr("attribute_not_exists(id)"),
			}
			if got := table.puts[0]; !reflect.DeepEqual(got, want) {
				t.Errorf("PutItem input:\n got table=%v condition=%v item=%s names=%v values=%v\nwant table=%v condition=%v item=%s",
					deref(got.TableName), deref(got.ConditionExpression), show(got.Item), got.ExpressionAttributeNames, got.ExpressionAttributeValues,
					*want.TableName, *want.ConditionExpression, show(want.Item))
			}
		})
	}
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func TestPutConflict(t *testing.T) {
	// The SDK wraps service errors in an operation error; errors.As must see through it.
	ccf := &types.ConditionalCheckFailedException{Message: ptr("The conditional request failed")}
	table := &fakeTable{putErr: fmt.Errorf("operation error DynamoDB: PutItem, https response error: %w", ccf)}
	resp := invoke(t, newHandler(table), "user:1", `{"action":"put","id":"note-1","name":"Again"}`)

	want := `{"error":{"code":"conflict","field":"id","message":"id \"note-1\" already exists: an item is never overwritten, so put it under a new id."}}`
	if got := handlertest.JSON(t, resp); got != want {
		t.Errorf("response = %s\nwant       %s", got, want)
	}
}

func TestGet(t *testing.T) {
	t.Run("found", func(t *testing.T) {
		table := &fakeTable{getOut: &dynamodb.GetItemOutput{Item: storedItem("user:1", "note-1", "Groceries", "milk")}}
		resp := invoke(t, newHandler(table), "user:1", `{"action":"get","id":"note-1"}`)

		want := `{"item":{"id":"note-1","name":"Groceries","body":"milk","createdAt":"2026-03-04T05:06:07Z"}}`
		if got := handlertest.JSON(t, resp); got != want {
			t.Errorf("response = %s\nwant       %s", got, want)
		}
		if len(table.gets) != 1 || table.calls() != 1 {
			t.Fatalf("calls: %d gets, %d in all; want exactly one GetItem", len(table.gets), table.calls())
		}
		wantIn := &dynamodb.GetItemInput{
			TableName:      ptr(testTable),
			Key:            map[string]types.AttributeValue{"owner": s("user:1"), "id": s("note-1")},
			ConsistentRead: ptr(true),
		}
		if got := table.gets[0]; !reflect.DeepEqual(got, wantIn) {
			t.Errorf("GetItem input: table=%v key=%s consistent=%v; want table=%s key=%s consistent=true",
				deref(got.TableName), show(got.Key), got.ConsistentRead, testTable, show(wantIn.Key))
		}
	})
	t.Run("not found", func(t *testing.T) {
		table := &fakeTable{getOut: &dynamodb.GetItemOutput{}}
		resp := invoke(t, newHandler(table), "user:1", `{"action":"get","id":"nope"}`)

		want := `{"error":{"code":"not_found","field":"id","message":"id \"nope\" was not found: there is no item with this id for this owner."}}`
		if got := handlertest.JSON(t, resp); got != want {
			t.Errorf("response = %s\nwant       %s", got, want)
		}
		if len(table.gets) != 1 || *table.gets[0].ConsistentRead != true {
			t.Errorf("want one consistent GetItem, got %d", len(table.gets))
		}
	})
}

func wantQuery(owner string, limit int32, start map[string]types.AttributeValue) *dynamodb.QueryInput {
	return &dynamodb.QueryInput{
		TableName:                 ptr(testTable),
		KeyConditionExpression:    ptr("#owner = :owner"),
		ExpressionAttributeNames:  map[string]string{"#owner": "owner"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":owner": s(owner)},
		Limit:                     ptr(limit),
		ExclusiveStartKey:         start,
	}
}

func checkQuery(t *testing.T, got, want *dynamodb.QueryInput) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Query input:\n got table=%s cond=%s names=%v values=%s limit=%v start=%s\nwant table=%s cond=%s names=%v values=%s limit=%v start=%s",
			deref(got.TableName), deref(got.KeyConditionExpression), got.ExpressionAttributeNames, show(got.ExpressionAttributeValues), deref32(got.Limit), show(got.ExclusiveStartKey),
			deref(want.TableName), deref(want.KeyConditionExpression), want.ExpressionAttributeNames, show(want.ExpressionAttributeValues), deref32(want.Limit), show(want.ExclusiveStartKey))
	}
}

func deref32(p *int32) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprint(*p)
}

func TestList(t *testing.T) {
	tests := []struct {
		name      string
		payload   string
		out       *dynamodb.QueryOutput
		wantLimit int32
		wantJSON  string
	}{
		{
			name:      "default limit",
			payload:   `{"action":"list"}`,
			out:       &dynamodb.QueryOutput{Items: []map[string]types.AttributeValue{storedItem("user:1", "a", "A", ""), storedItem("user:1", "b", "B", "bb")}},
			wantLimit: 25,
			wantJSON:  `{"items":[{"id":"a","name":"A","body":"","createdAt":"2026-03-04T05:06:07Z"},{"id":"b","name":"B","body":"bb","createdAt":"2026-03-04T05:06:07Z"}]}`,
		},
		{
			name:      "explicit limit",
			payload:   `{"action":"list","limit":7}`,
			out:       &dynamodb.QueryOutput{Items: []map[string]types.AttributeValue{storedItem("user:1", "a", "A", "")}},
			wantLimit: 7,
			wantJSON:  `{"items":[{"id":"a","name":"A","body":"","createdAt":"2026-03-04T05:06:07Z"}]}`,
		},
		{
			name:      "largest limit, written as a float",
			payload:   `{"action":"list","limit":100.0}`,
			wantLimit: 100,
			wantJSON:  `{"items":[]}`,
		},
		{
			name:      "smallest limit",
			payload:   `{"action":"list","limit":1}`,
			wantLimit: 1,
			wantJSON:  `{"items":[]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table := &fakeTable{queryOut: tt.out}
			resp := invoke(t, newHandler(table), "user:1", tt.payload)
			if got := handlertest.JSON(t, resp); got != tt.wantJSON {
				t.Errorf("response = %s\nwant       %s", got, tt.wantJSON)
			}
			if len(table.queries) != 1 || table.calls() != 1 {
				t.Fatalf("calls: %d queries, %d in all; want exactly one Query", len(table.queries), table.calls())
			}
			checkQuery(t, table.queries[0], wantQuery("user:1", tt.wantLimit, nil))
		})
	}
}

func TestListPagination(t *testing.T) {
	table := &fakeTable{queryOut: &dynamodb.QueryOutput{
		Items:            []map[string]types.AttributeValue{storedItem("user:1", "a", "A", ""), storedItem("user:1", "b", "B", "")},
		LastEvaluatedKey: map[string]types.AttributeValue{"owner": s("user:1"), "id": s("b")},
	}}
	h := newHandler(table)
	first := invoke(t, h, "user:1", `{"action":"list","limit":2}`)

	// The token is base64url, without padding, of {"id":"b"}.
	wantNext := base64.RawURLEncoding.EncodeToString([]byte(`{"id":"b"}`))
	if wantNext != "eyJpZCI6ImIifQ" {
		t.Fatalf("test assumption: token of b = %s", wantNext)
	}
	if first.Next != wantNext || len(first.Items) != 2 {
		t.Fatalf("first page: next=%q, %d items; want next=%q, 2 items", first.Next, len(first.Items), wantNext)
	}
	if got, want := handlertest.JSON(t, first), `"next":"eyJpZCI6ImIifQ"}`; !strings.HasSuffix(got, want) {
		t.Errorf("first page JSON %s does not end with %s", got, want)
	}

	// Second page: the start key is built from the token's id and the caller's owner.
	table.queryOut = &dynamodb.QueryOutput{Items: []map[string]types.AttributeValue{storedItem("user:1", "c", "C", "")}}
	second := invoke(t, h, "user:1", `{"action":"list","limit":2,"next":"`+first.Next+`"}`)
	if second.Next != "" || len(second.Items) != 1 || second.Items[0].ID != "c" {
		t.Errorf("second page = %s; want item c and no next", handlertest.JSON(t, second))
	}
	checkQuery(t, table.queries[1], wantQuery("user:1", 2, map[string]types.AttributeValue{"owner": s("user:1"), "id": s("b")}))

	// Another caller replaying the token stays in its own partition.
	invoke(t, h, "user:2", `{"action":"list","next":"`+first.Next+`"}`)
	checkQuery(t, table.queries[2], wantQuery("user:2", 25, map[string]types.AttributeValue{"owner": s("user:2"), "id": s("b")}))
}

// Rules as the messages state them.
const (
	ruleActionText = `one of "put", "get" or "list"`
	ruleOwnerText  = `1 to 128 characters from A-Z, a-z, 0-9, ":", "_" and "-"`
	ruleIDText     = `1 to 64 characters from A-Z, a-z, 0-9, "_" and "-"`
	ruleNameText   = `1 to 200 printable characters (no control or format characters), not only spaces`
	ruleBodyText   = `a string of at most 4000 characters`
	ruleLimitText  = `a whole number from 1 to 100`
	ruleNextText   = `the "next" value returned by a previous list`
	fieldsText     = `the fields are action, idToken, id, name, body, limit and next.`
)

func tokenOf(raw string) string { return base64.RawURLEncoding.EncodeToString([]byte(raw)) }

// jsonString encodes s as a JSON string (for payloads holding long or unusual values).
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestInvalid(t *testing.T) {
	valid := tokenOf(`{"id":"b"}`)
	tampered := valid[:3] + "X" + valid[4:]
	a65 := strings.Repeat("a", 65)
	shown64 := strings.Repeat("a", 64) + "…"
	name201 := strings.Repeat("n", 201)
	body4001 := strings.Repeat("é", 4001)

	tests := []struct {
		name    string
		payload string
		field   string
		message string
	}{
		// The payload as a whole.
		{"empty payload", ``, "", "request is empty: it must be a JSON object."},
		{"bad JSON", `{"action":"get",`, "", "request is not valid JSON (unexpected EOF): it must be a JSON object."},
		{"bad JSON syntax", `{action:"get"}`, "", "request is not valid JSON (invalid character 'a' looking for beginning of object key string): it must be a JSON object."},
		{"not an object", `["get"]`, "", "request is a JSON array: it must be a JSON object."},
		{"null", `null`, "", "request is null: it must be a JSON object."},
		{"trailing data", `{"action":"list"} {}`, "", "request has data after the JSON object: it must be a single JSON object."},
		{"unknown field", `{"action":"get","id":"a","extra":1}`, "extra", `field "extra" is not allowed: ` + fieldsText},
		{"unknown field reported before other problems", `{"action":"nope","extra":1}`, "extra", `field "extra" is not allowed: ` + fieldsText},
		{"field name in another case", `{"action":"get","Owner":"victim","id":"a"}`, "Owner", `field "Owner" is not allowed: ` + fieldsText},
		{"repeated field", `{"action":"get","id":"victims","id":"a"}`, "id", "id is given more than once: each field may appear only once."},
		{"an owner named", `{"action":"get","owner":"victim","id":"a"}`, "", "the request names no owner and carries no idToken: the owner is given apart."},
		{"an idToken", `{"action":"get","idToken":"x","id":"a"}`, "", "the request names no owner and carries no idToken: the owner is given apart."},

		// action
		{"missing action", `{}`, "action", "action is required: it must be " + ruleActionText + "."},
		{"empty action", `{"action":""}`, "action", "action is required: it must be " + ruleActionText + "."},
		{"action not a string", `{"action":1}`, "action", "action 1 is not a string: it must be " + ruleActionText + "."},
		{"unknown action", `{"action":"delete","id":"a"}`, "action", `action "delete" is not supported: it must be ` + ruleActionText + "."},
		{"action is case-sensitive", `{"action":"GET","id":"a"}`, "action", `action "GET" is not supported: it must be ` + ruleActionText + "."},

		// id
		{"id missing", `{"action":"get"}`, "id", "id is required: it must be " + ruleIDText + "."},
		{"id missing on put", `{"action":"put","name":"n"}`, "id", "id is required: it must be " + ruleIDText + "."},
		{"id too long", `{"action":"get","id":"` + a65 + `"}`, "id", `id "` + shown64 + `" is too long (65 characters): it must be ` + ruleIDText + "."},
		{"id bad chars", `{"action":"get","id":"a/b"}`, "id", `id "a/b" contains "/", which is not allowed: it must be ` + ruleIDText + "."},
		{"id with a colon", `{"action":"put","id":"a:b","name":"n"}`, "id", `id "a:b" contains ":", which is not allowed: it must be ` + ruleIDText + "."},
		{"id not a string", `{"action":"get","id":12}`, "id", "id 12 is not a string: it must be " + ruleIDText + "."},

		// name
		{"name missing", `{"action":"put","id":"a"}`, "name", "name is required: it must be " + ruleNameText + "."},
		{"name empty", `{"action":"put","id":"a","name":""}`, "name", "name is required: it must be " + ruleNameText + "."},
		{"name blank", `{"action":"put","id":"a","name":"   "}`, "name", `name "   " is blank: it must be ` + ruleNameText + "."},
		{"name too long", `{"action":"put","id":"a","name":"` + name201 + `"}`, "name", `name "` + strings.Repeat("n", 64) + `…" is too long (201 characters): it must be ` + ruleNameText + "."},
		{"name control char", `{"action":"put","id":"a","name":"a\tb"}`, "name", `name "a\tb" contains "\t", which is not allowed: it must be ` + ruleNameText + "."},
		{"name surrounded by a newline", `{"action":"put","id":"a","name":"ab\n"}`, "name", `name "ab\n" contains "\n", which is not allowed: it must be ` + ruleNameText + "."},
		{"name format char", `{"action":"put","id":"a","name":"abc\u202egpj.exe"}`, "name", `name "abc\u202egpj.exe" contains "\u202e", which is not allowed: it must be ` + ruleNameText + "."},
		{"name missing before limit on put", `{"action":"put","id":"a","limit":5}`, "name", "name is required: it must be " + ruleNameText + "."},

		// body
		{"body too long", `{"action":"put","id":"a","name":"n","body":"` + body4001 + `"}`, "body", `body "` + strings.Repeat("é", 64) + `…" is too long (4001 characters): it must be ` + ruleBodyText + "."},
		{"body not a string", `{"action":"put","id":"a","name":"n","body":{"x": [1, 2]}}`, "body", `body {"x":[1,2]} is not a string: it must be ` + ruleBodyText + "."},

		// limit
		{"limit 0", `{"action":"list","limit":0}`, "limit", "limit 0 is out of range: it must be " + ruleLimitText + "."},
		{"limit 101", `{"action":"list","limit":101}`, "limit", "limit 101 is out of range: it must be " + ruleLimitText + "."},
		{"limit negative", `{"action":"list","limit":-5}`, "limit", "limit -5 is out of range: it must be " + ruleLimitText + "."},
		{"limit huge", `{"action":"list","limit":1e400}`, "limit", "limit 1e400 is out of range: it must be " + ruleLimitText + "."},
		{"limit fraction", `{"action":"list","limit":2.5}`, "limit", "limit 2.5 is not a whole number: it must be " + ruleLimitText + "."},
		{"limit string", `{"action":"list","limit":"10"}`, "limit", `limit "10" is not a number: it must be ` + ruleLimitText + "."},

		// fields that do not belong to the action
		{"limit on put", `{"action":"put","id":"a","name":"n","limit":5}`, "limit", `limit is not allowed for action "put": put takes only action, idToken, id, name and body.`},
		{"limit on get", `{"action":"get","id":"a","limit":5}`, "limit", `limit is not allowed for action "get": get takes only action, idToken and id.`},
		{"name on get", `{"action":"get","id":"a","name":"n"}`, "name", `name is not allowed for action "get": get takes only action, idToken and id.`},
		{"empty name on get", `{"action":"get","id":"a","name":""}`, "name", `name is not allowed for action "get": get takes only action, idToken and id.`},
		{"body on get", `{"action":"get","id":"a","body":"b"}`, "body", `body is not allowed for action "get": get takes only action, idToken and id.`},
		{"name on list", `{"action":"list","name":"n"}`, "name", `name is not allowed for action "list": list takes only action, idToken, limit and next.`},
		{"id on list", `{"action":"list","id":"a"}`, "id", `id is not allowed for action "list": list takes only action, idToken, limit and next.`},
		{"next on put", `{"action":"put","id":"a","name":"n","next":"` + valid + `"}`, "next", `next is not allowed for action "put": put takes only action, idToken, id, name and body.`},
		{"next on get", `{"action":"get","id":"a","next":"` + valid + `"}`, "next", `next is not allowed for action "get": get takes only action, idToken and id.`},

		// next
		{"tampered token", `{"action":"list","next":"` + tampered + `"}`, "next", `next "` + tampered + `" is not a valid token: it must be ` + ruleNextText + "."},
		{"token naming an invalid id", `{"action":"list","next":"` + tokenOf(`{"id":"../x"}`) + `"}`, "next", `next "` + tokenOf(`{"id":"../x"}`) + `" is not a valid token: it must be ` + ruleNextText + "."},
		{"token naming an empty id", `{"action":"list","next":"` + tokenOf(`{"id":""}`) + `"}`, "next", `next "` + tokenOf(`{"id":""}`) + `" is not a valid token: it must be ` + ruleNextText + "."},
		{"token carrying an owner", `{"action":"list","next":"` + tokenOf(`{"id":"b","owner":"victim"}`) + `"}`, "next", `next "` + tokenOf(`{"id":"b","owner":"victim"}`) + `" is not a valid token: it must be ` + ruleNextText + "."},
		{"token with padding", `{"action":"list","next":"` + base64.URLEncoding.EncodeToString([]byte(`{"id":"b"}`)) + `"}`, "next", `next "eyJpZCI6ImIifQ==" is not a valid token: it must be ` + ruleNextText + "."},
		{"token not base64", `{"action":"list","next":"not a token!"}`, "next", `next "not a token!" is not a valid token: it must be ` + ruleNextText + "."},
		{"empty token", `{"action":"list","next":""}`, "next", `next "" is not a valid token: it must be ` + ruleNextText + "."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table := &fakeTable{}
			resp := invoke(t, newHandler(table), "u", tt.payload)
			want := Response{Error: &ErrorBody{Code: "invalid", Field: tt.field, Message: tt.message}}
			if !reflect.DeepEqual(resp, want) {
				t.Errorf("response = %s\nwant       %s", handlertest.JSON(t, resp), handlertest.JSON(t, want))
			}
			if table.calls() != 0 {
				t.Errorf("an invalid request reached the table (%d calls)", table.calls())
			}
		})
	}
}

// TestHandleForOwner: the owner HandleFor is given (the API token's) is checked like a key
// before anything reaches the table.
func TestHandleForOwner(t *testing.T) {
	a129, shown64 := strings.Repeat("a", 129), strings.Repeat("a", 64)+"…"
	for _, tt := range []struct{ name, owner, message string }{
		{"owner empty", "", "owner is required: it must be " + ruleOwnerText + "."},
		{"owner too long", a129, `owner "` + shown64 + `" is too long (129 characters): it must be ` + ruleOwnerText + "."},
		{"owner bad chars", "user 1", `owner "user 1" contains " ", which is not allowed: it must be ` + ruleOwnerText + "."},
		{"owner non-ASCII", "usér", `owner "usér" contains "é", which is not allowed: it must be ` + ruleOwnerText + "."},
	} {
		table := &fakeTable{}
		resp := invoke(t, newHandler(table), tt.owner, `{"action":"list"}`)
		want := Response{Error: &ErrorBody{Code: "invalid", Field: "owner", Message: tt.message}}
		if !reflect.DeepEqual(resp, want) || table.calls() != 0 {
			t.Errorf("%s: response = %s (%d table calls)\nwant       %s", tt.name, handlertest.JSON(t, resp), table.calls(), handlertest.JSON(t, want))
		}
	}
}

func TestValidLimits(t *testing.T) {
	body4000 := strings.Repeat("日", 4000) // 12000 bytes: the limit counts characters
	name200 := "  " + strings.Repeat("é", 200) + "  "
	owner128, id64 := strings.Repeat("o", 127)+":", strings.Repeat("i", 63)+"-"
	table := &fakeTable{}
	resp := invoke(t, newHandler(table), owner128, `{"action":"put","id":"`+id64+`","name":`+jsonString(name200)+`,"body":`+jsonString(body4000)+`}`)
	if resp.Error != nil || resp.Item == nil {
		t.Fatalf("put at every limit refused: %s", handlertest.JSON(t, resp))
	}
	want := storedItem(owner128, id64, strings.Repeat("é", 200), body4000)
	if len(table.puts) != 1 || !reflect.DeepEqual(table.puts[0].Item, want) {
		t.Errorf("stored item differs from the request at its limits")
	}
}

func TestDynamoDBFailure(t *testing.T) {
	boom := errors.New("ProvisionedThroughputExceededException: slow down")
	tests := []struct {
		payload string
		table   *fakeTable
		want    string
	}{
		{`{"action":"put","id":"a","name":"n"}`, &fakeTable{putErr: boom}, "put: DynamoDB PutItem: "},
		{`{"action":"get","id":"a"}`, &fakeTable{getErr: boom}, "get: DynamoDB GetItem: "},
		{`{"action":"list"}`, &fakeTable{queryErr: boom}, "list: DynamoDB Query: "},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			logs := handlertest.CaptureLogs(t)
			resp, err := newHandler(tt.table).HandleFor(context.Background(), "u", json.RawMessage(tt.payload))
			if err == nil {
				t.Fatalf("no error; response %s", handlertest.JSON(t, resp))
			}
			if !errors.Is(err, boom) || err.Error() != tt.want+boom.Error() {
				t.Errorf("error = %q; want %q wrapping the DynamoDB error", err, tt.want+boom.Error())
			}
			if !reflect.DeepEqual(resp, Response{}) {
				t.Errorf("response with an error = %s; want empty", handlertest.JSON(t, resp))
			}
			if !strings.Contains(logs.String(), `"outcome":"error"`) {
				t.Errorf("log %s has no error outcome", logs)
			}
		})
	}
}

func TestMalformedStoredItem(t *testing.T) {
	table := &fakeTable{getOut: &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{"owner": s("u"), "id": s("a")}}}
	_, err := newHandler(table).HandleFor(context.Background(), "u", json.RawMessage(`{"action":"get","id":"a"}`))
	if err == nil || err.Error() != "get: DynamoDB GetItem: stored item has no string attribute name" {
		t.Errorf("error = %v; want the missing attribute named", err)
	}
}

func TestLogging(t *testing.T) {
	logs := handlertest.CaptureLogs(t)
	const secret = "the-body-must-never-be-logged"
	table := &fakeTable{}
	h := newHandler(table)
	invoke(t, h, "user:1", `{"action":"put","id":"a","name":"n","body":"`+secret+`"}`)
	invoke(t, h, "user:1", `{"action":"put","id":"a","name":"n","body":"`+secret+strings.Repeat("x", 4000)+`"}`)
	invoke(t, h, "user:1", `{"action":"get","id":"missing"}`)

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want one log line per request, got %d:\n%s", len(lines), logs)
	}
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the body was logged:\n%s", logs)
	}
	want := []map[string]string{
		{"msg": "request", "action": "put", "owner": "user:1", "outcome": "ok"},
		{"msg": "request", "action": "put", "owner": "user:1", "outcome": "invalid", "field": "body"},
		{"msg": "request", "action": "get", "owner": "user:1", "outcome": "not_found", "field": "id"},
	}
	for i, line := range lines {
		var got map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("log line %d is not JSON: %s", i, line)
		}
		delete(got, "time")
		delete(got, "level")
		gotS := map[string]string{}
		for k, v := range got {
			gotS[k] = fmt.Sprint(v)
		}
		if !reflect.DeepEqual(gotS, want[i]) {
			t.Errorf("log line %d = %v; want %v", i, gotS, want[i])
		}
	}
}

func TestTokenRoundTrip(t *testing.T) {
	for _, id := range []string{"a", "Z-9_", strings.Repeat("x", 64)} {
		got, ok := decodeToken(encodeToken(id))
		if !ok || got != id {
			t.Errorf("decodeToken(encodeToken(%q)) = %q, %v", id, got, ok)
		}
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate(strings.Repeat("é", 64)); got != strings.Repeat("é", 64) {
		t.Errorf("64 characters were cut: %q", got)
	}
	if got := truncate(strings.Repeat("é", 65)); got != strings.Repeat("é", 64)+"…" {
		t.Errorf("65 characters: %q", got)
	}
}
