package test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
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
	"github.com/gatehouse-cdk/gatehouse/rules"
)

// TestIdentityEndToEnd runs the real items and token-service functions, built as they deploy
// (for this machine's architecture), the way Lambda runs them (the Runtime Interface Emulator,
// invoked with the Lambda API), with the environment the synthesized templates give them,
// against tables created from the synthesized templates in a local DynamoDB and against a
// stand-in for Cognito (the user pool's JWKS and cognito-identity's GetId). A trust-role
// caller — anyone who may invoke the functions — that names another user as owner, or presents
// another user's expired token or a token the user pool did not issue for the web client, gets
// nothing, and the other user's items and tokens stay as they were; a signed-in user's valid
// token reaches that user's data and no one else's.
func TestIdentityEndToEnd(t *testing.T) {
	r := referenceApp()
	// CloudFormation stack names (jsii calls: before the run goes to the background) resolve
	// cross-stack references.
	stackByName := map[string]string{}
	for _, name := range r.stackNames() {
		stackByName[*r.stack(name).StackName()] = name
	}
	// The run needs only the templates and local processes: it starts now, while the sequential
	// tests hold this one paused, and reports when the test resumes.
	run := startBackgroundRun(func(c checker, run *backgroundRun) { identityEndToEnd(c, run, r, stackByName) })
	t.Parallel()
	run.report(t)
}

// identityEndToEnd is TestIdentityEndToEnd's run.
func identityEndToEnd(t checker, run *backgroundRun, r *reference, stackByName map[string]string) {
	const env = e2eEnv
	region := r.envs[env].Region
	cognito, err := e2eCognito()
	if err != nil {
		t.Fatal(err)
	}
	if cognito.region != region {
		t.Fatalf("the Cognito stand-in is in %s, the %s environment in %s", cognito.region, env, region)
	}
	dynamoURL, err := e2eDynamoDB.endpoint()
	if err != nil {
		t.Fatal(err)
	}
	ctx := run.ctx
	db := localDynamoDB(dynamoURL, region)

	// The tables, from the synthesized templates (pinned logical ids).
	const itemsTableName, tokenTableName = "gatehouse-e2e-items", "gatehouse-e2e-tokens"
	itemsProps, err := createTableFrom(ctx, db, itemsTableName, resourceOf(t, r, env+"/Server", itemsTable, pinnedType(t, "Server", itemsTable)))
	if err != nil {
		t.Fatalf("creating the items table: %v", err)
	}
	_, err = createTableFrom(ctx, db, tokenTableName, resourceOf(t, r, env+"/API", tokenTable, pinnedType(t, "API", tokenTable)))
	if err != nil {
		t.Fatalf("creating the token table: %v", err)
	}

	// What the templates' references resolve to here: by "<stage>/<stack>/<logical id>".
	auth := r.json[env+"/Auth"]
	locals := map[string]string{
		env + "/Server/" + itemsTable:                                            itemsTableName,
		env + "/API/" + tokenTable:                                               tokenTableName,
		env + "/Auth/" + pinnedID(t, "Auth", "AWS::Cognito::UserPool"):           cognito.userPoolID,
		env + "/Auth/" + pinnedID(t, "Auth", "AWS::Cognito::IdentityPool"):       cognito.identityPoolID,
		env + "/Auth/" + onlyResourceOf(t, auth, "AWS::Cognito::UserPoolClient"): cognito.clientID,
	}
	// The token API's REST API and stage, which the token service flushes the authorizer cache of.
	apiTemplate := r.json[env+"/API"]
	restAPI := onlyResourceOf(t, apiTemplate, "AWS::ApiGateway::RestApi")
	stageResource := onlyResourceOf(t, apiTemplate, "AWS::ApiGateway::Stage")
	stageName, _ := resourceOf(t, r, env+"/API", stageResource, "AWS::ApiGateway::Stage")["Properties"].(map[string]any)["StageName"].(string)
	locals[env+"/API/"+restAPI] = e2eRestAPIID
	locals[env+"/API/"+stageResource] = stageName
	resolver := &templateResolver{r: r, stackByName: stackByName, locals: locals}
	apiGateway := newAPIGatewayStandIn(region)
	run.cleanup(apiGateway.close)
	wantFlush := "/restapis/" + e2eRestAPIID + "/stages/" + stageName + "/cache/authorizers"

	if _, err := e2eFunctions.output(); err != nil {
		t.Fatal(err)
	}
	rie := filepath.Join(e2eFunctionsDir, "aws-lambda-rie")
	noCerts := filepath.Join(e2eDir, "empty-cert-dir")
	if err := os.MkdirAll(noCerts, 0o700); err != nil {
		t.Fatal(err)
	}
	// The environment of each function: the template's variables, resolved, and what Lambda and
	// this machine add. Nothing of the test's own environment.
	start := func(name, stack, logicalID string, variables []string) (*localFunction, map[string]string) {
		props := resourceOf(t, r, stack, logicalID, "AWS::Lambda::Function")["Properties"].(map[string]any)
		vars, _ := props["Environment"].(map[string]any)["Variables"].(map[string]any)
		if got, want := slices.Sorted(maps.Keys(vars)), slices.Sorted(slices.Values(variables)); !slices.Equal(got, want) {
			t.Fatalf("%s %s sets the environment variables %v; this test stands in for %v: "+
				"say here what a renamed, added or removed variable must be locally", stack, logicalID, slices.Sorted(maps.Keys(vars)), want)
		}
		childEnv := map[string]string{
			"AWS_REGION": region, "AWS_DEFAULT_REGION": region,
			"AWS_ACCESS_KEY_ID": "AKIAE2ETESTONLY00000", "AWS_SECRET_ACCESS_KEY": "e2e-test-secret-not-a-real-one", "AWS_SESSION_TOKEN": "e2e-test-session",
			"AWS_EC2_METADATA_DISABLED": "true",
			"AWS_CONFIG_FILE":           filepath.Join(e2eDir, "no-aws-config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(e2eDir, "no-aws-credentials"),
			"HOME":                              e2eDir,
			"AWS_ENDPOINT_URL_DYNAMODB":         dynamoURL,
			"AWS_ENDPOINT_URL_COGNITO_IDENTITY": cognito.getIDURL,
			"AWS_ENDPOINT_URL_API_GATEWAY":      apiGateway.url,
			"HTTPS_PROXY":                       cognito.proxyURL, "HTTP_PROXY": cognito.proxyURL,
			"SSL_CERT_FILE": cognito.caFile, "SSL_CERT_DIR": noCerts,
			"AWS_LAMBDA_FUNCTION_NAME":        logicalID,
			"AWS_LAMBDA_FUNCTION_TIMEOUT":     fmt.Sprint(props["Timeout"]),
			"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": fmt.Sprint(props["MemorySize"]),
			"LOG_LEVEL":                       "warn", // the emulator's own log
		}
		for k, v := range vars {
			local, err := resolver.resolve(stack, v)
			if err != nil {
				t.Fatalf("%s %s: environment variable %s: %v", stack, logicalID, k, err)
			}
			if _, clash := childEnv[k]; clash {
				t.Fatalf("%s %s sets %s, which Lambda reserves", stack, logicalID, k)
			}
			childEnv[k] = local
		}
		f, err := startLocalFunction(rie, filepath.Join(e2eFunctionsDir, name), logicalID, region, childEnv)
		if err != nil {
			t.Fatal(err)
		}
		run.cleanup(f.stop)
		return f, childEnv
	}
	identityVariables := []string{rules.EnvUserPoolID, rules.EnvUserPoolClientID, rules.EnvIdentityPoolID}
	items, _ := start("items", env+"/Server", itemsFunction, append([]string{"TABLE_NAME"}, identityVariables...))
	// The revoke's flush names the token API's own stage, and its answer the stage's cache time.
	authorizerTTL := fmt.Sprint(resourceOf(t, r, env+"/API", tokenAuthorizer, "AWS::ApiGateway::Authorizer")["Properties"].(map[string]any)["AuthorizerResultTtlInSeconds"])
	tokens, tokensEnv := start("tokens", env+"/API", tokenServiceFn,
		append([]string{"TOKEN_TABLE_NAME", "TOKEN_SCOPES", rules.EnvTokenAPIID, rules.EnvTokenAPIStage, rules.EnvMaxActiveTokens, rules.EnvAuthorizerCacheSeconds}, identityVariables...))
	if got := "/restapis/" + tokensEnv[rules.EnvTokenAPIID] + "/stages/" + tokensEnv[rules.EnvTokenAPIStage] + "/cache/authorizers"; got != wantFlush {
		t.Fatalf("the token service would flush %s; the token API's stage is %s", got, wantFlush)
	}
	if tokensEnv[rules.EnvAuthorizerCacheSeconds] != authorizerTTL {
		t.Errorf("the token service's %s is %s; the stage's authorizer caches for %s s", rules.EnvAuthorizerCacheSeconds, tokensEnv[rules.EnvAuthorizerCacheSeconds], authorizerTTL)
	}

	call := func(t checker, f *localFunction, payload map[string]any) map[string]json.RawMessage {
		t.Helper()
		raw, err := f.invoke(ctx, payload)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]json.RawMessage
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s answered %s: not a JSON object: %v", f.name, raw, err)
		}
		return out
	}
	// The items table is partitioned by owner; the token table names it in apitokens.AttrOwner.
	tables := &localTables{db: db, items: itemsTableName, tokens: tokenTableName, itemsOwner: itemsProps.hashKey(), tokensOwner: apitokens.AttrOwner}

	// Two signed-in users, A and B.
	subA, subB := "5a1e0c4e-0000-4a00-8a00-00000000000a", "5a1e0c4e-0000-4b00-8b00-00000000000b"
	tokenA := must(sign(cognito.poolKey, cognito.idClaims(subA)))
	tokenB := must(sign(cognito.poolKey, cognito.idClaims(subB)))

	// The happy path: each user's own token reaches that user's own items and tokens.
	var tokenIDA, tokenIDB string
	ok := run.section("signed-in users reach their own data", func(t checker) {
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
		// Stored under the identity ids cognito-identity gave for each user's sub.
		idA, idB := cognito.identityOf(subA), cognito.identityOf(subB)
		snap := tables.snapshot(t)
		if got := snap.owners(); !slices.Equal(got, slices.Sorted(slices.Values([]string{idA, idB}))) {
			t.Errorf("the tables' owners are %v, want the two users' identity ids %s and %s", got, idA, idB)
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
	idA, idB := cognito.identityOf(subA), cognito.identityOf(subB)
	before := tables.snapshot(t)

	// (a) Naming the owner: refused, with or without a valid token of another user.
	run.section("a payload naming an owner is refused", func(t checker) {
		payloads := []struct {
			f       *localFunction
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
			tables.wantUnchanged(t, before, "after %s %v with A's token", p.f.name, p.payload)
			wantRefused(t, call(t, p.f, p.payload), "invalid|unauthorized", "")
			tables.wantUnchanged(t, before, "after %s %v without a token", p.f.name, p.payload)
		}
		apiGateway.wantFlushes(t, "after revokes naming an owner")
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
		{"B's expired token", must(sign(cognito.poolKey, expired))},
		{"B's claims signed by another key with the pool key's kid", must(sign(cognito.foreignKey, cognito.idClaims(subB)))},
		{"another pool's token (its own key and issuer)", must(sign(cognito.otherKey, foreignIssuer))},
		{"a foreign pool's issuer, signed with the pool's key", must(sign(cognito.poolKey, foreignIssuer))},
		{"the pool id in another region's issuer", must(sign(cognito.poolKey, foreignRegion))},
		{"a token for another client (aud)", must(sign(cognito.poolKey, foreignClient))},
		{"B's access token", must(sign(cognito.poolKey, access))},
		{"token_use access with the web client's aud", must(sign(cognito.poolKey, accessWithAud))},
		{"no token_use", must(sign(cognito.poolKey, noTokenUse))},
		{"no kid", must(sign(noKid, cognito.idClaims(subB)))},
		{"alg none with the pool key's kid", must(cognito.unsigned(cognito.idClaims(subB)))},
		{"A's signature over B's claims", must(withClaimsOf(tokenA, cognito.idClaims(subB)))},
	}
	run.section("a token that is not a current ID token of the pool for the web client gets nothing", func(t checker) {
		for _, b := range bad {
			for _, p := range []struct {
				f       *localFunction
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
					t.Errorf("  (%s: %s %v)", b.what, p.f.name, p.payload)
				}
			}
			// Nothing can undo a change these calls could make (no call deletes or un-revokes):
			// one look at the tables after each token's six calls sees any of them.
			tables.wantUnchanged(t, before, "after the six calls with %s", b.what)
		}
		apiGateway.wantFlushes(t, "after revokes without a valid token")
		// Each was refused by the function's own check, before cognito-identity saw it.
		if _, _, _, unverified := cognito.stats(); len(unverified) > 0 {
			t.Errorf("the functions passed %d tokens that do not verify on to GetId, which refused them (the functions must refuse them themselves):\n%s",
				len(unverified), strings.Join(unverified, "\n"))
		}
	})

	// (c) A's valid token never reaches B's items or tokens.
	run.section("a user's valid token reaches no other user's data", func(t checker) {
		wantRefused(t, call(t, items, map[string]any{"action": "get", "idToken": tokenA, "id": "b-secret"}), "not_found", "")
		wantListed(t, call(t, items, map[string]any{"action": "list", "idToken": tokenA}), "items", "a-note")
		wantListed(t, call(t, tokens, map[string]any{"action": "list", "idToken": tokenA}), "tokens", tokenIDA)
		wantRefused(t, call(t, tokens, map[string]any{"action": "revoke", "idToken": tokenA, "tokenId": tokenIDB}), "not_found", "tokenId")
		tables.wantUnchanged(t, before, "after A's reads and A's revoke of B's token")
		apiGateway.wantFlushes(t, "after A's revoke of B's token")
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
		apiGateway.wantFlushes(t, "after A's revoke of A's own token", wantFlush)
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
	run.section("lists page by page, and another user's cursor shows only the caller's tokens", func(t checker) {
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
		apiGateway.wantFlushes(t, "after issues and lists", wantFlush)
	})

	if refused := apiGateway.refusedCalls(); len(refused) > 0 {
		t.Errorf("the token service made API Gateway calls other than the flush: %v", refused)
	}
	fetches, getIDCalls, refused, _ := cognito.stats()
	if fetches == 0 || getIDCalls == 0 {
		t.Errorf("the functions fetched the JWKS %d times and called GetId %d times: they never verified a token through the stand-in", fetches, getIDCalls)
	}
	if len(refused) > 0 {
		t.Errorf("the functions tried to reach what this test does not serve (only the pool's JWKS and GetId are): %v", refused)
	}
	run.logf("JWKS fetched %d times, GetId called %d times", fetches, getIDCalls)
}

// resourceOf is a resource of a stack's template, which must have the type typ.
func resourceOf(t checker, r *reference, stack, logicalID, typ string) map[string]any {
	t.Helper()
	resources, _ := r.json[stack]["Resources"].(map[string]any)
	res, _ := resources[logicalID].(map[string]any)
	if res == nil || res["Type"] != typ {
		t.Fatalf("%s has no %s %s", stack, typ, logicalID)
	}
	return res
}

// pinnedType is the type of a resource pinned in logical_ids_test.go.
func pinnedType(t checker, stack, logicalID string) string {
	t.Helper()
	for _, pin := range pinnedLogicalIDs {
		if pin.stack == stack && slices.Contains(pin.ids, logicalID) {
			return pin.resourceType
		}
	}
	t.Fatalf("%s is not a pinned logical id of %s", logicalID, stack)
	return ""
}

// pinnedID is the one pinned logical id of a type in a stack.
func pinnedID(t checker, stack, typ string) string {
	t.Helper()
	for _, pin := range pinnedLogicalIDs {
		if pin.stack == stack && pin.resourceType == typ && len(pin.ids) == 1 {
			return pin.ids[0]
		}
	}
	t.Fatalf("no single pinned %s in %s", typ, stack)
	return ""
}

// onlyResourceOf is the logical id of the one resource of a type in a template.
func onlyResourceOf(t checker, tmpl map[string]any, typ string) string {
	t.Helper()
	ids := slices.Collect(maps.Keys(resourcesOfType(tmpl, typ)))
	if len(ids) != 1 {
		t.Fatalf("%d resources of type %s, want one", len(ids), typ)
	}
	return ids[0]
}

// templateResolver resolves template values to local ones: literals as they are; a Ref to a
// resource that has a local stand-in; a cross-stack reference (Fn::GetStackOutput) through the
// other stack's output. Anything else is an error, so nothing reaches a function unresolved.
type templateResolver struct {
	r           *reference
	stackByName map[string]string // CloudFormation stack name -> "<stage>/<stack id>"
	locals      map[string]string // "<stage>/<stack id>/<logical id>" -> local value
}

func (tr *templateResolver) resolve(stack string, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case map[string]any:
		if len(v) != 1 {
			break
		}
		if ref, ok := v["Ref"].(string); ok {
			local, ok := tr.locals[stack+"/"+ref]
			if !ok {
				return "", fmt.Errorf("refers to %s/%s, which has no local stand-in here", stack, ref)
			}
			return local, nil
		}
		if out, ok := v["Fn::GetStackOutput"].(map[string]any); ok {
			name, _ := out["StackName"].(string)
			output, _ := out["OutputName"].(string)
			other, ok := tr.stackByName[name]
			if !ok {
				return "", fmt.Errorf("refers to an output of stack %q, which the app does not have", name)
			}
			outputs, _ := tr.r.json[other]["Outputs"].(map[string]any)
			o, _ := outputs[output].(map[string]any)
			if o == nil {
				return "", fmt.Errorf("refers to output %s of %s, which it does not have", output, other)
			}
			return tr.resolve(other, o["Value"])
		}
	}
	raw, _ := json.Marshal(v)
	return "", fmt.Errorf("cannot resolve %s locally", raw)
}

// wantRefused checks that a response is an error alone (nothing else: no item, no token) with
// one of codes ("a|b") and, if field is set, that field. It reports whether it was.
func wantRefused(t checker, out map[string]json.RawMessage, codes, field string) bool {
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

func wantItem(t checker, out map[string]json.RawMessage, id, name string) {
	t.Helper()
	var item struct{ ID, Name string }
	if out["error"] != nil || json.Unmarshal(out["item"], &item) != nil || item.ID != id || item.Name != name {
		t.Errorf("got %s, want item %s named %q", compact(out), id, name)
	}
}

// wantListed checks a list response: exactly the ids, in any order, under field ("items" or
// "tokens"), and no token (a list never shows one).
func wantListed(t checker, out map[string]json.RawMessage, field string, ids ...string) {
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
func wantIssued(t checker, out map[string]json.RawMessage) string {
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

func (lt *localTables) snapshot(t checker) tablesSnapshot {
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
func (lt *localTables) wantUnchanged(t checker, before tablesSnapshot, format string, args ...any) {
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
