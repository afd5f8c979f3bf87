package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/gatehouse-cdk/gatehouse/rules"
)

const (
	region   = "ap-southeast-1"
	poolID   = "ap-southeast-1_Ab3Cd5Ef7"
	clientID = "4tqk2hlm0e8cbt2eq7uj5k3cq1"
	identity = "ap-southeast-1:1b2c3d4e-aaaa-bbbb-cccc-111122223333"
)

// keyID is the CloudFront id of the fixture's signing key.
const keyID = "K2JCJMDEHXQW5F"

var epoch = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// testKeys are RSA 2048 keys made once per test run (making one costs ~0.1 s of CPU); rsaKey
// hands out a different one on each call.
var (
	testKeys = sync.OnceValue(func() []*rsa.PrivateKey {
		keys := make([]*rsa.PrivateKey, 5)
		for i := range keys {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			keys[i] = k
		}
		return keys
	})
	nextKey int
)

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k := testKeys()[nextKey%len(testKeys())]
	nextKey++
	return k
}

// pool is a fake user pool: its signing key and the public key set it publishes.
type pool struct {
	key  jwk.Key
	keys jwk.Set
}

func newPool(t *testing.T, kid string) pool {
	t.Helper()
	priv, err := jwk.Import(rsaKey(t))
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
	return pool{key: priv, keys: set}
}

// token is an ID token of the pool, changed by edit.
func (p pool) token(t *testing.T, edit func(*jwt.Builder)) string {
	t.Helper()
	b := jwt.NewBuilder().Issuer("https://cognito-idp."+region+".amazonaws.com/"+poolID).Audience([]string{clientID}).
		Subject("user-1").IssuedAt(epoch.Add(-time.Minute)).Expiration(epoch.Add(time.Hour)).Claim("token_use", "id")
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

type fakeIdentities struct{ logins map[string]string }

func (f *fakeIdentities) GetId(_ context.Context, in *cognitoidentity.GetIdInput, _ ...func(*cognitoidentity.Options)) (*cognitoidentity.GetIdOutput, error) {
	f.logins = in.Logins
	if *in.IdentityPoolId != "ap-southeast-1:pool" {
		return nil, errors.New("wrong pool")
	}
	id := identity
	return &cognitoidentity.GetIdOutput{IdentityId: &id}, nil
}

type fakeSecrets struct {
	pem   string
	reads int
}

func (f *fakeSecrets) GetSecretValue(_ context.Context, _ *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.reads++
	if f.pem == "" {
		return nil, errors.New("ResourceNotFoundException")
	}
	version := "v" + string(rune('0'+f.reads))
	return &secretsmanager.GetSecretValueOutput{SecretString: &f.pem, VersionId: &version}, nil
}

func pemOf(k *rsa.PrivateKey) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
}

type fixture struct {
	signer  *Signer
	pool    pool
	ids     *fakeIdentities
	secrets *fakeSecrets
	cdnKey  *rsa.PrivateKey
	clock   *time.Time
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	f := fixture{pool: newPool(t, "k1"), ids: &fakeIdentities{}, cdnKey: rsaKey(t)}
	f.secrets = &fakeSecrets{pem: pemOf(f.cdnKey)}
	now := epoch
	f.clock = &now
	f.signer = NewSigner(Config{Region: region, UserPoolID: poolID, ClientID: clientID, IdentityPoolID: "ap-southeast-1:pool",
		Domain: "d111111abcdef8.cloudfront.net", TrustedKeys: map[string]string{rules.KeyFingerprint(&f.cdnKey.PublicKey): keyID}, SecretID: "arn:secret", Prefix: "protected/",
		SignatureTTL: 15 * time.Minute, KeyCacheTTL: 5 * time.Minute}, f.ids, f.secrets)
	f.signer.now = func() time.Time { return *f.clock }
	f.signer.fetchKeys = func(context.Context, string) (jwk.Set, error) { return f.pool.keys, nil }
	return f
}

// unescape undoes CloudFront's URL-safe base64 characters.
func unescape(s string) []byte {
	b, err := base64.StdEncoding.DecodeString(strings.NewReplacer("-", "+", "_", "=", "~", "/").Replace(s))
	if err != nil {
		panic(err)
	}
	return b
}

// checkSignature: the policy covers exactly resource until expires, and the signature verifies
// with key's public half (RSA-SHA1, as CloudFront checks it).
func checkSignature(t *testing.T, r Response, key *rsa.PrivateKey, keyID, resource string, expires time.Time) {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("refused: %+v", r.Error)
	}
	policy := unescape(r.Policy)
	var doc struct {
		Statement []struct {
			Resource  string
			Condition map[string]map[string]int64
		}
	}
	if err := json.Unmarshal(policy, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Statement) != 1 || doc.Statement[0].Resource != resource ||
		doc.Statement[0].Condition["DateLessThan"]["AWS:EpochTime"] != expires.Unix() || len(doc.Statement[0].Condition) != 1 {
		t.Errorf("policy = %s, want %s until %d only", policy, resource, expires.Unix())
	}
	digest := sha1.Sum(policy)
	if err := rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA1, digest[:], unescape(r.Signature)); err != nil {
		t.Errorf("signature does not verify: %v", err)
	}
	if r.Resource != resource || r.KeyPairID != keyID || r.Expires != expires.Unix() ||
		r.Query != "Policy="+r.Policy+"&Signature="+r.Signature+"&Key-Pair-Id="+keyID {
		t.Errorf("response = %+v", r)
	}
}

func TestSignsTheCallersOwnFolder(t *testing.T) {
	f := newFixture(t)
	r := f.signer.Handle(context.Background(), Request{IDToken: f.pool.token(t, nil)})
	checkSignature(t, r, f.cdnKey, keyID, "https://d111111abcdef8.cloudfront.net/protected/"+identity+"/*", epoch.Add(15*time.Minute))
	if got := f.ids.logins["cognito-idp."+region+".amazonaws.com/"+poolID]; got == "" || len(f.ids.logins) != 1 {
		t.Errorf("GetId logins = %v", f.ids.logins)
	}
}

func TestRefusesTokensThatAreNotCurrentIDTokensOfThisPoolAndClient(t *testing.T) {
	f := newFixture(t)
	other := newPool(t, "k1") // same kid, another key: a forged or foreign signature
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://cognito-idp.`+region+`.amazonaws.com/`+poolID+`","aud":"`+clientID+`","token_use":"id","exp":9999999999}`)) + "."
	for name, token := range map[string]string{
		"expired": f.pool.token(t, func(b *jwt.Builder) { b.Expiration(epoch.Add(-time.Second)) }),
		"another pool": f.pool.token(t, func(b *jwt.Builder) {
			b.Issuer("https://cognito-idp." + region + ".amazonaws.com/ap-southeast-1_Other")
		}),
		"another client":     f.pool.token(t, func(b *jwt.Builder) { b.Audience([]string{"someotherclient"}) }),
		"an access token":    f.pool.token(t, func(b *jwt.Builder) { b.Claim("token_use", "access") }),
		"no token_use":       f.pool.token(t, func(b *jwt.Builder) { b.Claim("token_use", "") }),
		"a bad signature":    other.token(t, nil),
		"alg none":           none,
		"not a token":        "hello",
		"empty":              "",
		"a tampered payload": tamper(f.pool.token(t, nil)),
	} {
		r := f.signer.Handle(context.Background(), Request{IDToken: token})
		if r.Error == nil || r.Error.Code != "unauthorized" || r.Signature != "" || r.Policy != "" {
			t.Errorf("%s: got %+v, want unauthorized and no signature", name, r)
		}
	}
}

// tamper changes the payload of a signed token (the subject) and keeps its signature.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	payload = []byte(strings.Replace(string(payload), `"user-1"`, `"user-2"`, 1))
	return parts[0] + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + parts[2]
}

func TestNotConfiguredWithoutAKey(t *testing.T) {
	f := newFixture(t)
	f.secrets.pem = ""
	r := f.signer.Handle(context.Background(), Request{IDToken: f.pool.token(t, nil)})
	if r.Error == nil || r.Error.Code != "not_configured" || r.Signature != "" {
		t.Errorf("got %+v, want not_configured", r)
	}
	f.secrets.pem = "not a key"
	if r := f.signer.Handle(context.Background(), Request{IDToken: f.pool.token(t, nil)}); r.Error == nil || r.Error.Code != "not_configured" {
		t.Errorf("a secret without a key: got %+v", r)
	}
	// A key the distribution does not trust (its public key never deployed) signs nothing.
	f.secrets.pem = pemOf(rsaKey(t))
	if r := f.signer.Handle(context.Background(), Request{IDToken: f.pool.token(t, nil)}); r.Error == nil || r.Error.Code != "not_configured" ||
		!strings.Contains(r.Error.Message, "not one of the distribution's public keys") || r.Signature != "" {
		t.Errorf("an untrusted key: got %+v", r)
	}
}

func TestPicksUpARotatedKey(t *testing.T) {
	f := newFixture(t)
	token := f.pool.token(t, nil)
	resource := "https://d111111abcdef8.cloudfront.net/protected/" + identity + "/*"
	checkSignature(t, f.signer.Handle(context.Background(), Request{IDToken: token}), f.cdnKey, keyID, resource, epoch.Add(15*time.Minute))
	rotated := rsaKey(t)
	f.secrets.pem = pemOf(rotated)
	// The second public key of the distribution (deployed before the secret was changed).
	f.signer.cfg.TrustedKeys[rules.KeyFingerprint(&rotated.PublicKey)] = "K3ROTATEDKEYID"
	// Within the cache time the old key still signs (one read of the secret)...
	*f.clock = epoch.Add(time.Minute)
	checkSignature(t, f.signer.Handle(context.Background(), Request{IDToken: token}), f.cdnKey, keyID, resource, epoch.Add(16*time.Minute))
	// ...after it, the new one.
	*f.clock = epoch.Add(6 * time.Minute)
	checkSignature(t, f.signer.Handle(context.Background(), Request{IDToken: token}), rotated, "K3ROTATEDKEYID", resource, epoch.Add(21*time.Minute))
	if f.secrets.reads != 2 {
		t.Errorf("the secret was read %d times, want 2", f.secrets.reads)
	}
}

// TestFetchesThePoolsKeys runs the real JWKS fetch against a loopback server, and reads the keys
// again when a token names a key it has not seen (the pool rotated its keys).
func TestFetchesThePoolsKeys(t *testing.T) {
	f := newFixture(t)
	current := f.pool
	served := 0
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served++
		_ = json.NewEncoder(w).Encode(current.keys)
	}))
	defer server.Close()
	f.signer.cfg.JWKSURL = server.URL
	f.signer.fetchKeys = func(ctx context.Context, u string) (jwk.Set, error) { return jwk.Fetch(ctx, u) }
	if r := f.signer.Handle(context.Background(), Request{IDToken: current.token(t, nil)}); r.Error != nil {
		t.Fatalf("refused: %+v", r.Error)
	}
	current = newPool(t, "k2")
	*f.clock = epoch.Add(2 * time.Minute)
	if r := f.signer.Handle(context.Background(), Request{IDToken: current.token(t, nil)}); r.Error != nil {
		t.Fatalf("after the pool's key rotation: refused: %+v", r.Error)
	}
	if served != 2 {
		t.Errorf("the key set was fetched %d times, want 2", served)
	}
}

func TestConfigFromEnv(t *testing.T) {
	fp1, fp2 := strings.Repeat("a", 64), strings.Repeat("b", 64)
	env := map[string]string{"USER_POOL_ID": poolID, "USER_POOL_CLIENT_ID": clientID, "IDENTITY_POOL_ID": "p", "DELIVERED_FOLDER": "protected/",
		"DISTRIBUTION_DOMAIN": "d.cloudfront.net", "TRUSTED_KEYS": "K1=" + fp1 + ",K2=" + fp2, "SIGNING_KEY_SECRET_ARN": "arn"}
	cfg, err := configFromEnv(func(k string) string { return env[k] })
	if err != nil || cfg.SignatureTTL != 15*time.Minute || cfg.Prefix != "protected/" || cfg.Region != region ||
		cfg.TrustedKeys[fp1] != "K1" || cfg.TrustedKeys[fp2] != "K2" || len(cfg.TrustedKeys) != 2 {
		t.Errorf("cfg = %+v, %v", cfg, err)
	}
	env["SIGNATURE_TTL_SECONDS"] = "7200"
	env["TRUSTED_KEYS"] = "K1"
	delete(env, "USER_POOL_CLIENT_ID")
	if _, err := configFromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "USER_POOL_CLIENT_ID") ||
		!strings.Contains(err.Error(), "TRUSTED_KEYS (") || !strings.Contains(err.Error(), "SIGNATURE_TTL_SECONDS (60..3600)") {
		t.Errorf("err = %v", err)
	}
}
