package calls

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/limits"
)

// itemsOperations runs every operation of the items function (functions/items) and every
// refusal it documents, for a user of its own.
func itemsOperations(t *testing.T, h *harness) {
	items := h.only(t, "items")
	token := h.userToken(t, "5a1e0c4e-0000-4c00-8c00-00000000000c")
	call := h.asUser(items, token)
	t.Run("put, get and list, page by page", func(t *testing.T) {
		wantItem(t, call(t, "put", map[string]any{"action": "put", "id": "c-1", "name": "first", "body": "one"}), "c-1", "first")
		wantItem(t, call(t, "put without a body", map[string]any{"action": "put", "id": "c-2", "name": "second"}), "c-2", "second")
		wantItem(t, call(t, "get", map[string]any{"action": "get", "id": "c-1"}), "c-1", "first")
		wantListed(t, call(t, "list", map[string]any{"action": "list"}), "items", "c-1", "c-2")
		first := call(t, "list a page", map[string]any{"action": "list", "limit": 1})
		var next string
		if json.Unmarshal(first["next"], &next) != nil || next == "" {
			t.Fatalf("a page of one of two items has no next: %s", compact(first))
		}
		wantListed(t, first, "items", "c-1")
		wantListed(t, call(t, "list the next page", map[string]any{"action": "list", "limit": 1, "next": next}), "items", "c-2")
	})
	t.Run("every documented refusal", func(t *testing.T) {
		for _, c := range []struct {
			what, code, field string
			payload           map[string]any
		}{
			{"a put of an existing id", "conflict", "", map[string]any{"action": "put", "id": "c-1", "name": "again"}},
			{"a get of an unknown id", "not_found", "", map[string]any{"action": "get", "id": "c-unknown"}},
			{"an unknown action", "invalid", "action", map[string]any{"action": "delete", "id": "c-1"}},
			{"a bad id", "invalid", "id", map[string]any{"action": "get", "id": "c 1!"}},
			{"a put without a name", "invalid", "name", map[string]any{"action": "put", "id": "c-3"}},
			{"a body too long", "invalid", "body", map[string]any{"action": "put", "id": "c-3", "name": "n", "body": strings.Repeat("b", 4001)}},
			{"a limit out of range", "invalid", "limit", map[string]any{"action": "list", "limit": 0}},
			{"a next that no list gave", "invalid", "next", map[string]any{"action": "list", "next": "not-a-cursor"}},
			{"a field of another action", "invalid", "name", map[string]any{"action": "get", "id": "c-1", "name": "x"}},
			{"an owner", "invalid", "owner", map[string]any{"action": "get", "id": "c-1", "owner": "someone"}},
			{"an unknown field", "invalid", "", map[string]any{"action": "get", "id": "c-1", "colour": "red"}},
		} {
			wantRefused(t, call(t, c.what, c.payload), c.code, c.field)
		}
	})
	t.Run("a DynamoDB failure fails the invocation", func(t *testing.T) {
		h.front.failNext(items, "dynamodb", "ResourceNotFoundException")
		if _, functionError := h.invokeRaw(t, items, "items: get while DynamoDB fails", map[string]any{"action": "get", "idToken": token, "id": "c-1"}); functionError == "" {
			t.Errorf("the items function answered a get whose GetItem failed without failing")
		}
	})
}

// tokenOperations runs what the identity proof did not of the token service (functions/tokens):
// issue's refusals and cap, revoke's flush failing, and a DynamoDB failure.
func tokenOperations(t *testing.T, h *harness) {
	tokens := h.only(t, "tokens")
	token := h.userToken(t, "5a1e0c4e-0000-4d00-8d00-00000000000d")
	call := h.asUser(tokens, token)
	t.Run("every documented refusal", func(t *testing.T) {
		for _, c := range []struct {
			what, code, field string
			payload           map[string]any
		}{
			{"an issue without scopes", "invalid", "scopes", map[string]any{"action": "issue", "scopes": []string{}}},
			{"an unknown scope", "invalid", "scopes[0]", map[string]any{"action": "issue", "scopes": []string{"admin"}}},
			{"a lifetime out of range", "invalid", "lifetimeDays", map[string]any{"action": "issue", "scopes": []string{"read"}, "lifetimeDays": limits.TokenLifetimeDays.Max + 1}},
			{"a limit out of range", "invalid", "limit", map[string]any{"action": "list", "limit": 0}},
			{"a token id that is not one", "invalid", "tokenId", map[string]any{"action": "revoke", "tokenId": "ghapi_not-an-id"}},
			{"an unknown token id", "not_found", "tokenId", map[string]any{"action": "revoke", "tokenId": strings.Repeat("0", 64)}},
			{"an unknown action", "invalid", "action", map[string]any{"action": "rotate"}},
			{"a field of another action", "invalid", "tokenId", map[string]any{"action": "list", "tokenId": strings.Repeat("0", 64)}},
		} {
			wantRefused(t, call(t, c.what, c.payload), c.code, c.field)
		}
	})
	t.Run("an owner at the cap gets conflict, and a revoke makes room", func(t *testing.T) {
		limit, err := strconv.Atoi(tokens.env[limits.EnvMaxActiveTokens])
		if err != nil {
			t.Fatalf("%s = %q", limits.EnvMaxActiveTokens, tokens.env[limits.EnvMaxActiveTokens])
		}
		var ids []string
		for i := range limit {
			ids = append(ids, wantIssued(t, call(t, fmt.Sprintf("issue %d of %d", i+1, limit), map[string]any{"action": "issue", "scopes": []string{"read", "write"}})))
		}
		out := call(t, "an issue past the cap", map[string]any{"action": "issue", "scopes": []string{"read"}})
		if wantRefused(t, out, "conflict", "") && !strings.Contains(compact(out), strconv.Itoa(limit)) {
			t.Errorf("the cap's conflict does not name the cap %d: %s", limit, compact(out))
		}
		// The flush fails (the stage is gone, say): the revoke stands, and says how long the token
		// may still work.
		h.front.failNext(tokens, "apigateway", "NotFoundException")
		out = call(t, "a revoke whose flush fails", map[string]any{"action": "revoke", "tokenId": ids[0]})
		want := fmt.Sprintf(`{"revoked":{"id":"%s","flushed":false,"effectiveWithinSeconds":%s}}`, ids[0], tokens.env[limits.EnvAuthorizerCacheSeconds])
		if got := compact(out); got != want {
			t.Errorf("a revoke whose flush failed answered %s, want %s", got, want)
		}
		wantIssued(t, call(t, "an issue after a revoke", map[string]any{"action": "issue", "scopes": []string{"read"}}))
	})
	t.Run("a DynamoDB failure fails the invocation", func(t *testing.T) {
		h.front.failNext(tokens, "dynamodb", "ResourceNotFoundException")
		if _, functionError := h.invokeRaw(t, tokens, "tokens: list while DynamoDB fails", map[string]any{"action": "list", "idToken": token}); functionError == "" {
			t.Errorf("the token service answered a list whose Query failed without failing")
		}
	})
}

// asUser invokes f for the user of token: each payload gets the token as its idToken.
func (h *harness) asUser(f *function, token string) func(t *testing.T, what string, payload map[string]any) map[string]json.RawMessage {
	return func(t *testing.T, what string, payload map[string]any) map[string]json.RawMessage {
		t.Helper()
		payload["idToken"] = token
		return h.invoke(t, f, f.kind+": "+what, payload)
	}
}

// userToken is a valid ID token of the user pool for a user of its own (sub).
func (h *harness) userToken(t testing.TB, sub string) string {
	t.Helper()
	token, err := signClaims(h.cognito.poolKey, h.cognito.idClaims(sub))
	if err != nil {
		t.Fatal(err)
	}
	return token
}
