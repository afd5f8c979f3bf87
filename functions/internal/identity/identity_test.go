package identity_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity/identitytest"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

type fixture struct {
	pool  identitytest.Pool
	ids   *identitytest.Identities
	clock *time.Time
	v     *identity.Verifier
}

func newFixture(t *testing.T) fixture {
	now := identitytest.Epoch
	f := fixture{pool: identitytest.NewPool(t, 0, "k1"), ids: &identitytest.Identities{}, clock: &now}
	f.v = identitytest.Verifier(f.pool, f.ids, f.clock)
	return f
}

func TestCallerOfAValidToken(t *testing.T) {
	f := newFixture(t)
	c, err := f.v.Caller(context.Background(), f.pool.Token(t, "user-a", nil))
	if err != nil {
		t.Fatal(err)
	}
	id := identitytest.IdentityID("user-a")
	want := identity.Caller{Owner: id, IdentityID: id, Subject: "user-a", Expires: identitytest.Epoch.Add(time.Hour)}
	if c != want {
		t.Errorf("caller = %+v, want %+v", c, want)
	}
}

// With the sub owner key the owner is the verified token's sub, the identity pool is not asked,
// and every bad token is still refused.
func TestCallerWithTheSubOwnerKey(t *testing.T) {
	f := newFixture(t)
	cfg := identitytest.Config()
	cfg.OwnerKey = limits.OwnerKeySub
	v := identitytest.VerifierOf(cfg, f.pool, f.ids, f.clock)
	c, err := v.Caller(context.Background(), f.pool.Token(t, "user-a", nil))
	want := identity.Caller{Owner: "user-a", Subject: "user-a", Expires: identitytest.Epoch.Add(time.Hour)}
	if err != nil || c != want {
		t.Errorf("caller = %+v, %v; want %+v", c, err, want)
	}
	for name, token := range identitytest.BadTokens(t, f.pool, "user-a") {
		if c, err := v.Caller(context.Background(), token); !errors.Is(err, identity.ErrUnauthorized) || c != (identity.Caller{}) {
			t.Errorf("%s: got %+v, %v; want ErrUnauthorized and no caller", name, c, err)
		}
	}
	if f.ids.Calls != 0 {
		t.Errorf("GetId was called %d times with the sub owner key; want 0", f.ids.Calls)
	}
}

func TestRefusesEveryTokenThatIsNotACurrentIDTokenOfThisPoolAndClient(t *testing.T) {
	f := newFixture(t)
	for name, token := range identitytest.BadTokens(t, f.pool, "user-a") {
		c, err := f.v.Caller(context.Background(), token)
		if !errors.Is(err, identity.ErrUnauthorized) || c != (identity.Caller{}) {
			t.Errorf("%s: got %+v, %v; want ErrUnauthorized and no caller", name, c, err)
		}
	}
	if long := strings.Repeat("a", identity.MaxTokenLength+1); !errors.Is(must(f.v.Caller(context.Background(), long)), identity.ErrUnauthorized) {
		t.Error("a token over MaxTokenLength was not refused")
	}
	if f.ids.Calls != 0 {
		t.Errorf("GetId was called %d times for tokens that fail verification; want 0", f.ids.Calls)
	}
}

func must(_ identity.Caller, err error) error { return err }

// The identity pool's own refusal is a refusal; its unavailability is not (the invocation fails
// and a good token is not called bad).
func TestIdentityPoolAnswers(t *testing.T) {
	for _, c := range []struct {
		name         string
		err          error
		unauthorized bool
	}{
		{"not authorized", &types.NotAuthorizedException{}, true},
		{"no such pool", &types.ResourceNotFoundException{}, true},
		{"throttled", identitytest.ErrThrottled, false},
	} {
		f := newFixture(t)
		f.ids.Err = c.err
		_, err := f.v.Caller(context.Background(), f.pool.Token(t, "user-a", nil))
		if err == nil || errors.Is(err, identity.ErrUnauthorized) != c.unauthorized {
			t.Errorf("%s: err = %v, want unauthorized=%v", c.name, err, c.unauthorized)
		}
	}
}

func TestSendsTheTokenAsTheUserPoolLogin(t *testing.T) {
	f := newFixture(t)
	token := f.pool.Token(t, "user-a", nil)
	rec := &recordingIdentities{}
	v := identity.NewVerifier(identitytest.Config(), rec)
	v.Now, v.FetchKeys = f.v.Now, f.v.FetchKeys
	if _, err := v.Caller(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	if *rec.in.IdentityPoolId != identitytest.IdentityPoolID || len(rec.in.Logins) != 1 ||
		rec.in.Logins["cognito-idp.ap-southeast-1.amazonaws.com/"+identitytest.UserPoolID] != token {
		t.Errorf("GetId input = %+v", rec.in)
	}
}

type recordingIdentities struct{ in *cognitoidentity.GetIdInput }

func (r *recordingIdentities) GetId(_ context.Context, in *cognitoidentity.GetIdInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.GetIdOutput, error) {
	r.in = in
	id := "ap-southeast-1:x"
	return &cognitoidentity.GetIdOutput{IdentityId: &id}, nil
}

// The identity id is asked for once per token while it is valid; the token is still verified on
// every call, so an expired one is refused even though its identity is cached.
func TestCachesTheIdentityPerTokenForItsLifetime(t *testing.T) {
	f := newFixture(t)
	a, b := f.pool.Token(t, "user-a", nil), f.pool.Token(t, "user-b", nil)
	for range 3 {
		for _, token := range []string{a, b} {
			if _, err := f.v.Caller(context.Background(), token); err != nil {
				t.Fatal(err)
			}
		}
	}
	if f.ids.Calls != 2 {
		t.Errorf("GetId calls = %d, want 2 (one per token)", f.ids.Calls)
	}
	*f.clock = identitytest.Epoch.Add(time.Hour)
	if _, err := f.v.Caller(context.Background(), a); !errors.Is(err, identity.ErrUnauthorized) {
		t.Errorf("an expired token whose identity was cached: err = %v, want ErrUnauthorized", err)
	}
}

// TestReadsThePoolsKeysAgainForAnUnknownKid runs the real key-set fetch against a loopback
// server: read once; read again when a token names a key the set lacks (the pool rotated), but
// not more than once a minute, so unknown kids cannot make it fetch on every request.
func TestReadsThePoolsKeysAgainForAnUnknownKid(t *testing.T) {
	now := identitytest.Epoch
	current := identitytest.NewPool(t, 0, "k1")
	var served []string
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served = append(served, r.URL.Path)
		_ = json.NewEncoder(w).Encode(current.Keys)
	}))
	defer server.Close()
	cfg := identitytest.Config()
	cfg.JWKSURL = server.URL + "/jwks.json"
	v := identity.NewVerifier(cfg, &identitytest.Identities{})
	v.Now = func() time.Time { return now }
	call := func(token string) error { _, err := v.Caller(context.Background(), token); return err }
	if err := call(current.Token(t, "user-a", nil)); err != nil {
		t.Fatal(err)
	}
	rotated := identitytest.NewPool(t, 1, "k2")
	// Within a minute of the last read, a new kid is refused without a read...
	now = now.Add(30 * time.Second)
	if err := call(rotated.Token(t, "user-a", nil)); !errors.Is(err, identity.ErrUnauthorized) {
		t.Errorf("unknown kid within the refresh interval: err = %v", err)
	}
	// ...after it, the set is read again and the rotated key verifies.
	current = rotated
	now = now.Add(time.Minute)
	if err := call(rotated.Token(t, "user-a", nil)); err != nil {
		t.Errorf("after the pool's key rotation: %v", err)
	}
	// A kid the pool never published: at most one more read a minute.
	for range 5 {
		_ = call(identitytest.NewPool(t, 2, "k9").Token(t, "user-a", nil))
	}
	if !slices.Equal(served, []string{"/jwks.json", "/jwks.json"}) {
		t.Errorf("key set reads = %v, want 2", served)
	}
}

// An unreachable key set is a failure to check, not a refusal.
func TestUnreadableKeysAreNotARefusal(t *testing.T) {
	f := newFixture(t)
	f.v.FetchKeys = func(context.Context, string) (jwk.Set, error) { return nil, errors.New("connection refused") }
	_, err := f.v.Caller(context.Background(), f.pool.Token(t, "user-a", nil))
	if err == nil || errors.Is(err, identity.ErrUnauthorized) {
		t.Errorf("err = %v, want a failure that is not ErrUnauthorized", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := identitytest.Env()
	cfg, bad := identity.ConfigFromEnv(func(k string) string { return env[k] })
	if len(bad) != 0 || cfg != identitytest.Config() || cfg.Issuer() != "https://cognito-idp.ap-southeast-1.amazonaws.com/"+identitytest.UserPoolID ||
		cfg.IdentityPoolRegion() != "ap-southeast-1" {
		t.Errorf("cfg = %+v, bad = %v", cfg, bad)
	}
	env = map[string]string{"USER_POOL_ID": "nounderscore"}
	_, bad = identity.ConfigFromEnv(func(k string) string { return env[k] })
	want := []string{"USER_POOL_ID (<region>_<id>)", "USER_POOL_CLIENT_ID", "IDENTITY_POOL_ID (<region>:<id>)"}
	if !slices.Equal(bad, want) {
		t.Errorf("bad = %q, want %q", bad, want)
	}
	for key, wantBad := range map[string][]string{"sub": nil, "identityId": nil, "Sub": {"OWNER_KEY (identityId or sub)"}, "email": {"OWNER_KEY (identityId or sub)"}} {
		env := identitytest.Env()
		env["OWNER_KEY"] = key
		cfg, bad := identity.ConfigFromEnv(func(k string) string { return env[k] })
		if !slices.Equal(bad, wantBad) || (wantBad == nil && cfg.OwnerKey != key) {
			t.Errorf("OWNER_KEY=%s: owner key %q, bad = %q; want bad = %q", key, cfg.OwnerKey, bad, wantBad)
		}
	}
}
