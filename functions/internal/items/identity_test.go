package items

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/handlertest"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity/identitytest"
)

// The items function's own entry: the caller is the user of the ID token it verifies.

func functionHandler(t *testing.T, table *fakeTable) (*Handler, identitytest.Pool, *identitytest.Identities) {
	t.Helper()
	pool, ids, clock := identitytest.NewPool(t, 0, "k1"), &identitytest.Identities{}, identitytest.Epoch
	h := newHandler(table)
	h.Identity = identitytest.Verifier(pool, ids, &clock)
	return h, pool, ids
}

func handle(t *testing.T, h *Handler, payload string) Response {
	t.Helper()
	return handlertest.Invoke(t, h.Handle, payload)
}

func TestTheOwnerIsTheUserOfTheToken(t *testing.T) {
	table := &fakeTable{}
	h, pool, _ := functionHandler(t, table)
	a := identitytest.IdentityID("user-a")
	token := jsonString(pool.Token(t, "user-a", nil))
	if resp := handle(t, h, `{"action":"put","idToken":`+token+`,"id":"n1","name":"N"}`); resp.Error != nil {
		t.Fatalf("put refused: %s", handlertest.JSON(t, resp))
	}
	if got := table.puts[0].Item["owner"]; !reflect.DeepEqual(got, &types.AttributeValueMemberS{Value: a}) {
		t.Errorf("stored owner = %#v, want the token's identity %s", got, a)
	}
	handle(t, h, `{"action":"list","idToken":`+token+`}`)
	checkQuery(t, table.queries[0], wantQuery(a, 25, nil))
	handle(t, h, `{"action":"get","idToken":`+token+`,"id":"n1"}`)
	if got := table.gets[0].Key["owner"]; !reflect.DeepEqual(got, &types.AttributeValueMemberS{Value: a}) {
		t.Errorf("get key owner = %#v, want %s", got, a)
	}
}

func TestANamedOwnerIsRefused(t *testing.T) {
	table := &fakeTable{}
	h, pool, ids := functionHandler(t, table)
	token := jsonString(pool.Token(t, "user-a", nil))
	want := Response{Error: &ErrorBody{Code: "invalid", Field: "owner",
		Message: "owner is not accepted: the owner is the signed-in user whose idToken is sent, never a name in the request."}}
	for _, payload := range []string{
		`{"action":"list","idToken":` + token + `,"owner":"` + identitytest.IdentityID("user-b") + `"}`,
		`{"action":"get","owner":"` + identitytest.IdentityID("user-b") + `","id":"n1"}`,
		`{"action":"put","owner":"` + identitytest.IdentityID("user-a") + `","idToken":` + token + `,"id":"n1","name":"N"}`,
	} {
		if resp := handle(t, h, payload); !reflect.DeepEqual(resp, want) {
			t.Errorf("%.60s…: response = %s, want %s", payload, handlertest.JSON(t, resp), handlertest.JSON(t, want))
		}
	}
	if table.calls() != 0 || ids.Calls != 0 {
		t.Errorf("a request naming an owner reached the table (%d calls) or the identity pool (%d)", table.calls(), ids.Calls)
	}
}

func TestWithoutAValidTokenNothingIsReached(t *testing.T) {
	table := &fakeTable{}
	h, pool, _ := functionHandler(t, table)
	want := Response{Error: &ErrorBody{Code: "unauthorized", Message: "sign in again: the request carries no valid ID token of this app"}}
	payloads := map[string]string{"no idToken": `{"action":"list"}`, "idToken not a string": `{"action":"list","idToken":42}`,
		"no token, bad fields": `{"action":"delete","id":"../x"}`}
	for name, token := range identitytest.BadTokens(t, pool, "user-b") {
		payloads[name+" (list)"] = `{"action":"list","idToken":` + jsonString(token) + `}`
		payloads[name+" (put)"] = `{"action":"put","idToken":` + jsonString(token) + `,"id":"n1","name":"N"}`
		payloads[name+" (get)"] = `{"action":"get","idToken":` + jsonString(token) + `,"id":"n1"}`
	}
	for name, payload := range payloads {
		if resp := handle(t, h, payload); !reflect.DeepEqual(resp, want) {
			t.Errorf("%s: response = %s, want %s", name, handlertest.JSON(t, resp), handlertest.JSON(t, want))
		}
	}
	if table.calls() != 0 {
		t.Errorf("requests without a valid token reached the table (%d calls)", table.calls())
	}
}

// When the identity pool cannot answer, the invocation fails: no refusal that calls a good token
// bad, and nothing reaches the table.
func TestIdentityFailureFailsTheInvocation(t *testing.T) {
	table := &fakeTable{}
	h, pool, ids := functionHandler(t, table)
	ids.Err = identitytest.ErrThrottled
	resp, err := h.Handle(context.Background(), json.RawMessage(`{"action":"list","idToken":`+jsonString(pool.Token(t, "user-a", nil))+`}`))
	if !errors.Is(err, identitytest.ErrThrottled) || !reflect.DeepEqual(resp, Response{}) || table.calls() != 0 {
		t.Errorf("response %s, err %v, %d table calls; want the error and nothing else", handlertest.JSON(t, resp), err, table.calls())
	}
}
