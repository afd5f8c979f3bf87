package calls

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// identityProof proves the README's "Whose data: the identity check" with the items function
// and the token service: a trust-role caller — anyone who may invoke them — that names another
// user as owner, or presents another user's expired token or a token the user pool did not
// issue for the web client, gets nothing, and the other user's items and tokens stay as they
// were; a signed-in user's valid token reaches that user's data and no one else's.
func identityProof(t *testing.T, h *harness) {
	cognito := h.cognito
	region := h.app.region
	items, tokens := h.only(t, "items"), h.only(t, "tokens")
	call := func(t *testing.T, f *function, payload map[string]any) map[string]json.RawMessage {
		t.Helper()
		return h.invoke(t, f, "the identity proof: "+compactJSON(redacted(payload)), payload)
	}
	// The items table is partitioned by owner; the token table names it in apitokens.AttrOwner.
	itemsTable, tokenTable := h.tableOf(t, items, "TABLE_NAME"), h.tableOf(t, tokens, "TOKEN_TABLE_NAME")
	tables := &localTables{db: h.db, items: itemsTable.name, tokens: tokenTable.name, itemsOwner: hashKeyOf(itemsTable), tokensOwner: apitokens.AttrOwner}
	wantFlush := flushPathOf(t, h, tokens)
	flushesBefore := h.front.flushed()
	wantFlushes := func(t *testing.T, when string, paths ...string) {
		t.Helper()
		if got := h.front.flushed()[len(flushesBefore):]; !slices.Equal(got, paths) {
			t.Errorf("%s: the authorizer cache was flushed %d times %v, want %v", when, len(got), got, paths)
		}
	}

	// Two signed-in users, A and B.
	subA, subB := "5a1e0c4e-0000-4a00-8a00-00000000000a", "5a1e0c4e-0000-4b00-8b00-00000000000b"
	tokenA := must(signClaims(cognito.poolKey, cognito.idClaims(subA)))
	tokenB := must(signClaims(cognito.poolKey, cognito.idClaims(subB)))

	// The happy path: each user's own token reaches that user's own items and tokens.
	var tokenIDA, tokenIDB string
	ok := t.Run("signed-in users reach their own data", func(t *testing.T) {
		for _, c := range []struct{ token, id, name string }{{tokenA, "a-note", "A's note"}, {tokenB, "b-secret", "B's secret"}, {tokenB, "b-other", "B's other"}} {
			out := call(t, items, map[string]any{"action": "put", "idToken": c.token, "id": c.id, "name": c.name, "body": "body of " + c.name})
			wantItem(t, out, c.id, c.name)
			out = call(t, items, map[string]any{"action": "get", "idToken": c.token, "id": c.id})
			wantItem(t, out, c.id, c.name)
		}
		wantListed(t, call(t, items, map[string]any{"action": "list", "idToken": tokenA}), "items", "a-note")
		wantListed(t, call(t, items, map[string]any{"action": "list", "idToken": tokenB}), "items", "b-other", "b-secret")
		tokenIDA = wantIssued(t, call(t, tokens, map[string]any{"action": "issue", "idToken": tokenA, "scopes": []string{"read"}, "lifetimeDays": 30}))
		tokenIDB = wantIssued(t, call(t, tokens, map[string]any{"action": "issue", "idToken": tokenB, "scopes": []string{"read"}, "lifetimeDays": 30}))
		wantListed(t, call(t, tokens, map[string]any{"action": "list", "idToken": tokenA}), "tokens", tokenIDA)
		wantListed(t, call(t, tokens, map[string]any{"action": "list", "idToken": tokenB}), "tokens", tokenIDB)
		// Stored under each user's owner key: the sub, or the identity id cognito-identity gave
		// for it, as the functions' templates say (both functions the same).
		idA, idB := h.ownerOf(items, subA), h.ownerOf(items, subB)
		if h.ownerOf(tokens, subA) != idA {
			t.Fatalf("the items function and the token service have different owner keys: %q, %q", items.env[limits.EnvOwnerKey], tokens.env[limits.EnvOwnerKey])
		}
		snap := tables.snapshot(t)
		if got := snap.owners(); !slices.Equal(got, slices.Sorted(slices.Values([]string{idA, idB}))) {
			t.Errorf("the tables' owners are %v, want the two users' owner keys (%s) %s and %s", got, cmp.Or(items.env[limits.EnvOwnerKey], limits.DefaultOwnerKey), idA, idB)
		}
		if n := len(snap.of(idB).items); n != 2 {
			t.Errorf("B owns %d items, want 2", n)
		}
		if n := len(snap.of(idB).tokens); n != 1 {
			t.Errorf("B owns %d tokens, want 1", n)
		}
	})
	if !ok {
		t.Fatalf("the attacks below prove nothing when the way in does not work")
	}
	idA, idB := h.ownerOf(items, subA), h.ownerOf(items, subB)
	before := tables.snapshot(t)

	// (a) Naming the owner: refused, with or without a valid token of another user.
	t.Run("a payload naming an owner is refused", func(t *testing.T) {
		payloads := []struct {
			f       *function
			payload map[string]any
		}{
			{items, map[string]any{"action": "get", "owner": idB, "id": "b-secret"}},
			{items, map[string]any{"action": "list", "owner": idB}},
			{items, map[string]any{"action": "put", "owner": idB, "id": "planted", "name": "planted"}},
			{tokens, map[string]any{"action": "issue", "owner": idB, "scopes": []string{"read"}, "lifetimeDays": 30}},
			{tokens, map[string]any{"action": "list", "owner": idB}},
			{tokens, map[string]any{"action": "revoke", "owner": idB, "tokenId": tokenIDB}},
		}
		for _, p := range payloads {
			withA := maps.Clone(p.payload)
			withA["idToken"] = tokenA
			wantRefused(t, call(t, p.f, withA), "invalid", "owner")
			tables.wantUnchanged(t, before, "after %s %v with A's token", p.f.kind, p.payload)
			wantRefused(t, call(t, p.f, p.payload), "invalid|unauthorized", "")
			tables.wantUnchanged(t, before, "after %s %v without a token", p.f.kind, p.payload)
		}
		wantFlushes(t, "after revokes naming an owner")
	})

	// (b) Tokens that are not a current ID token of this user pool for the web client.
	expired := cognito.idClaims(subB)
	expired["iat"], expired["auth_time"], expired["exp"] = time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-2*time.Hour).Unix(), time.Now().Add(-time.Hour).Unix()
	foreignIssuer := cognito.idClaims(subB)
	foreignIssuer["iss"] = "https://cognito-idp." + region + ".amazonaws.com/" + region + "_Foreign99"
	foreignRegion := cognito.idClaims(subB)
	foreignRegion["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/" + cognito.userPoolID
	foreignClient := cognito.idClaims(subB)
	foreignClient["aud"] = "0therwebclient0123456789"
	access := cognito.idClaims(subB) // an access token, as Cognito issues them: client_id, no aud
	access["token_use"], access["client_id"], access["scope"] = "access", cognito.clientID, "aws.cognito.signin.user.admin"
	delete(access, "aud")
	accessWithAud := cognito.idClaims(subB)
	accessWithAud["token_use"] = "access"
	noTokenUse := cognito.idClaims(subB)
	delete(noTokenUse, "token_use")
	noKid := must(cognito.poolKey.Clone())
	must(0, noKid.Remove(jwk.KeyIDKey))
	bad := []struct{ what, token string }{
		{"no token", ""},
		{"garbage", "not-a-token"},
		{"three garbage parts", "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl"},
		{"B's expired token", must(signClaims(cognito.poolKey, expired))},
		{"B's claims signed by another key with the pool key's kid", must(signClaims(cognito.foreignKey, cognito.idClaims(subB)))},
		{"another pool's token (its own key and issuer)", must(signClaims(cognito.otherKey, foreignIssuer))},
		{"a foreign pool's issuer, signed with the pool's key", must(signClaims(cognito.poolKey, foreignIssuer))},
		{"the pool id in another region's issuer", must(signClaims(cognito.poolKey, foreignRegion))},
		{"a token for another client (aud)", must(signClaims(cognito.poolKey, foreignClient))},
		{"B's access token", must(signClaims(cognito.poolKey, access))},
		{"token_use access with the web client's aud", must(signClaims(cognito.poolKey, accessWithAud))},
		{"no token_use", must(signClaims(cognito.poolKey, noTokenUse))},
		{"no kid", must(signClaims(noKid, cognito.idClaims(subB)))},
		{"alg none with the pool key's kid", must(cognito.unsigned(cognito.idClaims(subB)))},
		{"A's signature over B's claims", must(withClaimsOf(tokenA, cognito.idClaims(subB)))},
	}
	t.Run("a token that is not a current ID token of the pool for the web client gets nothing", func(t *testing.T) {
		for _, b := range bad {
			for _, p := range []struct {
				f       *function
				payload map[string]any
			}{
				{items, map[string]any{"action": "put", "id": "planted", "name": "planted"}},
				{items, map[string]any{"action": "get", "id": "b-secret"}},
				{items, map[string]any{"action": "list"}},
				{tokens, map[string]any{"action": "issue", "scopes": []string{"read"}, "lifetimeDays": 30}},
				{tokens, map[string]any{"action": "list"}},
				{tokens, map[string]any{"action": "revoke", "tokenId": tokenIDB}},
			} {
				payload := maps.Clone(p.payload)
				if b.token != "" {
					payload["idToken"] = b.token
				}
				out := call(t, p.f, payload)
				if !wantRefused(t, out, "unauthorized", "") {
					t.Errorf("  (%s: %s %v)", b.what, p.f.kind, p.payload)
				}
			}
			// Nothing can undo a change these calls could make (no call deletes or un-revokes):
			// one look at the tables after each token's six calls sees any of them.
			tables.wantUnchanged(t, before, "after the six calls with %s", b.what)
		}
		wantFlushes(t, "after revokes without a valid token")
		// Each was refused by the function's own check, before cognito-identity saw it.
		if _, _, _, unverified := cognito.stats(); len(unverified) > 0 {
			t.Errorf("the functions passed %d tokens that do not verify on to GetId, which refused them (the functions must refuse them themselves):\n%s",
				len(unverified), strings.Join(unverified, "\n"))
		}
	})

	// (c) A's valid token never reaches B's items or tokens.
	t.Run("a user's valid token reaches no other user's data", func(t *testing.T) {
		wantRefused(t, call(t, items, map[string]any{"action": "get", "idToken": tokenA, "id": "b-secret"}), "not_found", "")
		wantListed(t, call(t, items, map[string]any{"action": "list", "idToken": tokenA}), "items", "a-note")
		wantListed(t, call(t, tokens, map[string]any{"action": "list", "idToken": tokenA}), "tokens", tokenIDA)
		wantRefused(t, call(t, tokens, map[string]any{"action": "revoke", "idToken": tokenA, "tokenId": tokenIDB}), "not_found", "tokenId")
		tables.wantUnchanged(t, before, "after A's reads and A's revoke of B's token")
		wantFlushes(t, "after A's revoke of B's token")
		// A put of B's item id makes A's own item; B's stays as it was.
		wantItem(t, call(t, items, map[string]any{"action": "put", "idToken": tokenA, "id": "b-secret", "name": "A's own"}), "b-secret", "A's own")
		after := tables.snapshot(t)
		if !slices.Equal(after.of(idB).items, before.of(idB).items) || !slices.Equal(after.of(idB).tokens, before.of(idB).tokens) {
			t.Errorf("B's data changed after A's put of B's item id:\nbefore %v\nafter  %v", before.of(idB), after.of(idB))
		}
		if len(after.of(idA).items) != 2 {
			t.Errorf("A owns %v, want a-note and A's own b-secret", after.of(idA).items)
		}
		wantItem(t, call(t, items, map[string]any{"action": "get", "idToken": tokenB, "id": "b-secret"}), "b-secret", "B's secret")
		// A revokes A's own token: that works, only that token changes, and the token API's
		// stage's authorizer cache is flushed, once.
		out := call(t, tokens, map[string]any{"action": "revoke", "idToken": tokenA, "tokenId": tokenIDA})
		if got, want := compact(out), `{"revoked":{"id":"`+tokenIDA+`","flushed":true,"effectiveWithinSeconds":0}}`; got != want {
			t.Errorf("A's revoke of A's own token answered %s, want %s", got, want)
		}
		wantFlushes(t, "after A's revoke of A's own token", wantFlush)
		final := tables.snapshot(t)
		if !slices.Equal(final.of(idB).tokens, before.of(idB).tokens) {
			t.Errorf("B's tokens changed when A revoked A's own")
		}
		if slices.Equal(final.of(idA).tokens, after.of(idA).tokens) {
			t.Errorf("A's revoke of A's own token changed nothing")
		}
	})

	// (d) Lists page by page in DynamoDB's terms (the owner index's start key), and a cursor
	// of another user's listing shows the caller only the caller's own tokens.
	t.Run("lists page by page, and another user's cursor shows only the caller's tokens", func(t *testing.T) {
		second := wantIssued(t, call(t, tokens, map[string]any{"action": "issue", "idToken": tokenA, "scopes": []string{"read"}, "lifetimeDays": 1}))
		var pages [][]string
		for next := ""; len(pages) < 3; {
			payload := map[string]any{"action": "list", "idToken": tokenA, "limit": 1}
			if next != "" {
				payload["next"] = next
			}
			out := call(t, tokens, payload)
			var page []struct{ ID string }
			if out["error"] != nil || json.Unmarshal(out["tokens"], &page) != nil {
				t.Fatalf("list %v: %s", payload, compact(out))
			}
			pages = append(pages, nil)
			for _, tk := range page {
				pages[len(pages)-1] = append(pages[len(pages)-1], tk.ID)
			}
			if out["next"] == nil {
				break
			}
			if json.Unmarshal(out["next"], &next) != nil || next == "" {
				t.Fatalf("list: next is %s", out["next"])
			}
		}
		// Two pages of one (a token created in the same second as another may come first).
		if len(pages) != 2 || len(pages[0]) != 1 || len(pages[1]) != 1 || !slices.Equal(slices.Sorted(slices.Values(slices.Concat(pages...))), slices.Sorted(slices.Values([]string{tokenIDA, second}))) {
			t.Errorf("A's tokens a page at a time: %v, want two pages of one: %s and %s", pages, tokenIDA, second)
		}
		wantIssued(t, call(t, tokens, map[string]any{"action": "issue", "idToken": tokenB, "scopes": []string{"read"}, "lifetimeDays": 1}))
		var nextOfB string
		if json.Unmarshal(call(t, tokens, map[string]any{"action": "list", "idToken": tokenB, "limit": 1})["next"], &nextOfB) != nil || nextOfB == "" {
			t.Fatalf("B's first page of two tokens has no next")
		}
		out := call(t, tokens, map[string]any{"action": "list", "idToken": tokenA, "next": nextOfB})
		var listed []struct{ ID string }
		_ = json.Unmarshal(out["tokens"], &listed)
		for _, tk := range listed {
			if tk.ID != tokenIDA && tk.ID != second {
				t.Errorf("A's listing with B's cursor shows %s, not A's: %s", tk.ID, compact(out))
			}
		}
		wantRefused(t, call(t, tokens, map[string]any{"action": "list", "idToken": tokenA, "next": "not-a-cursor"}), "invalid", "next")
		wantFlushes(t, "after issues and lists", wantFlush)
	})

	// Tokens are verified against the stand-in's key set; the identity pool is asked (GetId) with
	// the identity-id owner key, and never with the sub key (the token's sub is the owner).
	fetches, getIDCalls, _, _ := cognito.stats()
	if fetches == 0 {
		t.Errorf("the functions never fetched the JWKS: they never verified a token through the stand-in")
	}
	if bySub := items.env[limits.EnvOwnerKey] == limits.OwnerKeySub; bySub != (getIDCalls == 0) {
		t.Errorf("GetId was called %d times with owner key %q: want none with the sub key, some with the identity id", getIDCalls, cmp.Or(items.env[limits.EnvOwnerKey], limits.DefaultOwnerKey))
	}
	t.Logf("JWKS fetched %d times, GetId called %d times", fetches, getIDCalls)
}

// wantRefused checks that a response is an error alone (nothing else: no item, no token) with
// one of codes ("a|b") and, if field is set, that field. It reports whether it was.
func wantRefused(t testing.TB, out map[string]json.RawMessage, codes, field string) bool {
	t.Helper()
	var e struct{ Code, Field, Message string }
	if len(out) != 1 || out["error"] == nil || json.Unmarshal(out["error"], &e) != nil {
		t.Errorf("got %s, want only an error (%s)", compact(out), codes)
		return false
	}
	if !slices.Contains(strings.Split(codes, "|"), e.Code) || (field != "" && e.Field != field) {
		t.Errorf("got error %+v, want code %s field %q", e, codes, field)
		return false
	}
	return true
}

func wantItem(t testing.TB, out map[string]json.RawMessage, id, name string) {
	t.Helper()
	var item struct{ ID, Name string }
	if out["error"] != nil || json.Unmarshal(out["item"], &item) != nil || item.ID != id || item.Name != name {
		t.Errorf("got %s, want item %s named %q", compact(out), id, name)
	}
}

// wantListed checks a list response: exactly the ids, in any order, under field ("items" or
// "tokens"), and no token (a list never shows one).
func wantListed(t testing.TB, out map[string]json.RawMessage, field string, ids ...string) {
	t.Helper()
	var list []struct{ ID string }
	if out["error"] != nil || out["token"] != nil || json.Unmarshal(out[field], &list) != nil {
		t.Errorf("got %s, want %s %v", compact(out), field, ids)
		return
	}
	var got []string
	for _, i := range list {
		got = append(got, i.ID)
	}
	sort.Strings(got)
	if !slices.Equal(got, slices.Sorted(slices.Values(ids))) {
		t.Errorf("listed %s %v, want %v", field, got, ids)
	}
}

// wantIssued checks an issue response and returns the new token's id.
func wantIssued(t testing.TB, out map[string]json.RawMessage) string {
	t.Helper()
	var token string
	var issued struct{ ID string }
	if out["error"] != nil || json.Unmarshal(out["token"], &token) != nil || json.Unmarshal(out["issued"], &issued) != nil || token == "" || issued.ID == "" {
		t.Fatalf("got %s, want a new token", compact(out))
	}
	return issued.ID
}

func compact(out map[string]json.RawMessage) string {
	raw, _ := json.Marshal(out)
	return string(raw)
}

// localTables reads the two tables straight from the local DynamoDB.
type localTables struct {
	db                      *dynamodb.Client
	items, tokens           string
	itemsOwner, tokensOwner string // the owner attribute of each (from the templates)
}

// tablesSnapshot is every row of both tables, each as a canonical string, by owner.
type tablesSnapshot map[string]*ownedRows

type ownedRows struct{ items, tokens []string }

func (s tablesSnapshot) of(owner string) ownedRows {
	if rows := s[owner]; rows != nil {
		return *rows
	}
	return ownedRows{}
}

func (s tablesSnapshot) owners() []string { return slices.Sorted(maps.Keys(s)) }

func (lt *localTables) snapshot(t testing.TB) tablesSnapshot {
	t.Helper()
	// Both tables at once (each scan waits on dynalite).
	var items, tokens []map[string]types.AttributeValue
	var itemsErr, tokensErr error
	var wg sync.WaitGroup
	wg.Go(func() { items, itemsErr = lt.scan(lt.items) })
	tokens, tokensErr = lt.scan(lt.tokens)
	wg.Wait()
	if err := cmp.Or(itemsErr, tokensErr); err != nil {
		t.Fatal(err)
	}
	s := tablesSnapshot{}
	for _, table := range []struct {
		rows  []map[string]types.AttributeValue
		owner string
		of    func(*ownedRows) *[]string
	}{
		{items, lt.itemsOwner, func(o *ownedRows) *[]string { return &o.items }},
		{tokens, lt.tokensOwner, func(o *ownedRows) *[]string { return &o.tokens }},
	} {
		for _, row := range table.rows {
			owner, _ := row[table.owner].(*types.AttributeValueMemberS)
			key := "<no owner>"
			if owner != nil {
				key = owner.Value
			}
			if s[key] == nil {
				s[key] = &ownedRows{}
			}
			rows := table.of(s[key])
			*rows = append(*rows, canonical(&types.AttributeValueMemberM{Value: row}))
		}
	}
	for _, rows := range s {
		sort.Strings(rows.items)
		sort.Strings(rows.tokens)
	}
	return s
}

// scan reads every row of a table.
func (lt *localTables) scan(table string) ([]map[string]types.AttributeValue, error) {
	var rows []map[string]types.AttributeValue
	pages := dynamodb.NewScanPaginator(lt.db, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			return nil, fmt.Errorf("scanning %s: %w", table, err)
		}
		rows = append(rows, page.Items...)
	}
	return rows, nil
}

// wantUnchanged checks that both tables hold exactly what they held in before.
func (lt *localTables) wantUnchanged(t testing.TB, before tablesSnapshot, format string, args ...any) {
	t.Helper()
	now := lt.snapshot(t)
	for _, owner := range slices.Compact(slices.Sorted(slices.Values(append(before.owners(), now.owners()...)))) {
		b, n := before.of(owner), now.of(owner)
		if !slices.Equal(b.items, n.items) || !slices.Equal(b.tokens, n.tokens) {
			t.Errorf("%s: the data of %s changed:\nbefore %v\nnow    %v", fmt.Sprintf(format, args...), owner, b, n)
		}
	}
}

// canonical writes an attribute value as a string that is equal exactly when the values are.
func canonical(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return "S:" + quote(v.Value)
	case *types.AttributeValueMemberN:
		return "N:" + v.Value
	case *types.AttributeValueMemberBOOL:
		return fmt.Sprintf("BOOL:%t", v.Value)
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberB:
		return fmt.Sprintf("B:%x", v.Value)
	case *types.AttributeValueMemberSS:
		return "SS:" + quote(slices.Sorted(slices.Values(v.Value)))
	case *types.AttributeValueMemberNS:
		return "NS:" + quote(slices.Sorted(slices.Values(v.Value)))
	case *types.AttributeValueMemberL:
		parts := make([]string, len(v.Value))
		for i, e := range v.Value {
			parts[i] = canonical(e)
		}
		return "L:[" + strings.Join(parts, ",") + "]"
	case *types.AttributeValueMemberM:
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(v.Value)) {
			parts = append(parts, quote(k)+"="+canonical(v.Value[k]))
		}
		return "M:{" + strings.Join(parts, ",") + "}"
	}
	return fmt.Sprintf("?%T", v)
}

func quote(v any) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}
