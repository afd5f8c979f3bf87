// Package identitytest is a stand-in user pool and identity pool for the functions' tests: it
// signs ID tokens with a test key (lestrrat-go/jwx), publishes the key set, and resolves tokens
// to identity ids as cognito-identity GetId does, so a test can hand a function the tokens a
// signed-in user, an attacker or a misconfigured app would.
package identitytest

import (
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	_ "embed"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// The pools' ids.
const (
	Region         = "ap-southeast-1"
	UserPoolID     = "ap-southeast-1_Ab3Cd5Ef7"
	ClientID       = "4tqk2hlm0e8cbt2eq7uj5k3cq1"
	IdentityPoolID = "ap-southeast-1:0c4e1b3a-5d6f-4a8b-9c0d-1e2f3a4b5c6d"
)

// Epoch is the tests' "now": tokens are issued a minute before it and expire an hour after.
var Epoch = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// Config is the identity check's configuration for these pools.
func Config() identity.Config {
	return identity.Config{UserPoolID: UserPoolID, ClientID: ClientID, IdentityPoolID: IdentityPoolID, OwnerKey: limits.DefaultOwnerKey}
}

// Env is the environment constructs/assetfn gives a function that verifies users of these pools.
func Env() map[string]string {
	return map[string]string{"USER_POOL_ID": UserPoolID, "USER_POOL_CLIENT_ID": ClientID, "IDENTITY_POOL_ID": IdentityPoolID}
}

// IdentityID is the identity id the identity pool gives the user sub: a fixed uuid per sub.
func IdentityID(sub string) string {
	h := sha256.Sum256([]byte(sub))
	return fmt.Sprintf("%s:%x-%x-%x-%x-%x", Region, h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// testKeys are eight RSA 2048 keys made once for tests and published with them (making one
// costs ~0.1 s of CPU in every test process that needs it; reading one, well under a
// millisecond): 0 to 2 sign the pools' tokens, the others are RSAKey's.
//
//go:embed testdata/test-keys.pem
var testKeys []byte

var rsaKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	var keys []*rsa.PrivateKey
	for rest := testKeys; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return keys
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			panic(fmt.Sprintf("identitytest: testdata/test-keys.pem: %v", err))
		}
		keys = append(keys, k.(*rsa.PrivateKey))
	}
})

func rsaKey(n int) *rsa.PrivateKey { return rsaKeys()[n] }

// otherKeys is how many keys RSAKey hands out.
const otherKeys = 5

// RSAKey is the n-th of a few RSA 2048 keys (n modulo their number) that sign no pool's tokens:
// for a test's other keys (the signer's CloudFront keys).
func RSAKey(n int) *rsa.PrivateKey { return rsaKey(3 + n%otherKeys) }

// Pool is a user pool: its signing key and the key set it publishes.
type Pool struct {
	key  jwk.Key
	Keys jwk.Set
}

// NewPool makes a pool signing with its n-th test key (0, 1 or 2) under kid. Two pools with the
// same kid and different n stand for the real pool and a forger.
func NewPool(t testing.TB, n int, kid string) Pool {
	t.Helper()
	priv, err := jwk.Import(rsaKey(n))
	if err != nil {
		t.Fatal(err)
	}
	_ = priv.Set(jwk.KeyIDKey, kid)
	_ = priv.Set(jwk.AlgorithmKey, jwa.RS256())
	pub, err := jwk.PublicKeyOf(priv)
	if err != nil {
		t.Fatal(err)
	}
	set := jwk.NewSet()
	_ = set.AddKey(pub)
	return Pool{key: priv, Keys: set}
}

// Token is an ID token of the pool for sub, valid at Epoch, changed by edit (nil: none).
func (p Pool) Token(t testing.TB, sub string, edit func(*jwt.Builder)) string {
	t.Helper()
	b := jwt.NewBuilder().Issuer("https://cognito-idp."+Region+".amazonaws.com/"+UserPoolID).Audience([]string{ClientID}).
		Subject(sub).IssuedAt(Epoch.Add(-time.Minute)).Expiration(Epoch.Add(time.Hour)).Claim("token_use", "id").
		Claim("cognito:username", sub)
	if edit != nil {
		edit(b)
	}
	tok, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256(), p.key))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// Identities is the identity pool: GetId answers with IdentityID of the token's sub, for a
// token of this pool's issuer (it does not check signatures: the function must have).
type Identities struct {
	mu    sync.Mutex
	Calls int
	// Err, when set, is returned instead (e.g. throttling).
	Err error
}

// GetId implements identity.Identities.
func (f *Identities) GetId(_ context.Context, in *cognitoidentity.GetIdInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.GetIdOutput, error) {
	f.mu.Lock()
	f.Calls++
	err := f.Err
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if in.IdentityPoolId == nil || *in.IdentityPoolId != IdentityPoolID {
		return nil, &types.ResourceNotFoundException{Message: ptr("no such identity pool")}
	}
	token, ok := in.Logins["cognito-idp."+Region+".amazonaws.com/"+UserPoolID]
	if !ok || len(in.Logins) != 1 {
		return nil, &types.NotAuthorizedException{Message: ptr("invalid login token")}
	}
	parsed, err := jwt.ParseInsecure([]byte(token))
	if err != nil {
		return nil, &types.NotAuthorizedException{Message: ptr("invalid login token")}
	}
	sub, _ := parsed.Subject()
	return &cognitoidentity.GetIdOutput{IdentityId: ptr(IdentityID(sub))}, nil
}

// Verifier is an identity check of these pools that trusts pool's keys, at Epoch (advance
// *clock to move time), resolving identities with ids.
func Verifier(pool Pool, ids *Identities, clock *time.Time) *identity.Verifier {
	return VerifierOf(Config(), pool, ids, clock)
}

// VerifierOf is Verifier with configuration cfg (e.g. Config with another owner key).
func VerifierOf(cfg identity.Config, pool Pool, ids *Identities, clock *time.Time) *identity.Verifier {
	v := identity.NewVerifier(cfg, ids)
	v.Now = func() time.Time { return *clock }
	v.FetchKeys = func(context.Context, string) (jwk.Set, error) { return pool.Keys, nil }
	return v
}

// BadTokens are tokens every function must refuse as unauthorized, by what is wrong with them:
// expired, of another pool or client, an access token, without token_use, signed by another
// key, alg none, tampered, not a token, empty.
func BadTokens(t testing.TB, pool Pool, sub string) map[string]string {
	t.Helper()
	forger := NewPool(t, 2, mustKid(pool))
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT","kid":"`+mustKid(pool)+`"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://cognito-idp.`+Region+`.amazonaws.com/`+UserPoolID+`","aud":"`+ClientID+`","sub":"`+sub+`","token_use":"id","exp":9999999999}`)) + "."
	return map[string]string{
		"expired": pool.Token(t, sub, func(b *jwt.Builder) { b.Expiration(Epoch.Add(-time.Second)) }),
		"another pool": pool.Token(t, sub, func(b *jwt.Builder) {
			b.Issuer("https://cognito-idp." + Region + ".amazonaws.com/ap-southeast-1_Other")
		}),
		"another client": pool.Token(t, sub, func(b *jwt.Builder) { b.Audience([]string{"someotherclient"}) }),
		"access token":   pool.Token(t, sub, func(b *jwt.Builder) { b.Claim("token_use", "access") }),
		"no token_use":   pool.Token(t, sub, func(b *jwt.Builder) { b.Claim("token_use", "") }),
		"bad signature":  forger.Token(t, sub, nil),
		"alg none":       none,
		"tampered":       Tamper(pool.Token(t, "someone-else", nil), "someone-else", sub),
		"not a token":    "hello",
		"empty":          "",
	}
}

// Tamper replaces from with to in a signed token's payload and keeps its signature.
func Tamper(token, from, to string) string {
	parts := strings.Split(token, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	payload = []byte(strings.Replace(string(payload), `"`+from+`"`, `"`+to+`"`, -1))
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
}

func mustKid(p Pool) string {
	k, ok := p.Keys.Key(0)
	if !ok {
		panic("identitytest: a pool without keys")
	}
	kid, _ := k.KeyID()
	return kid
}

// ErrThrottled is what Identities.Err can be set to: a failure that is not about the token.
var ErrThrottled = errors.New("TooManyRequestsException: rate exceeded")

func ptr[T any](v T) *T { return &v }
