package main

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity/identitytest"
	"github.com/gatehouse-cdk/gatehouse/rules"
)

// identityA is the identity id of user-a, whose ID tokens the tests send.
var identityA = identitytest.IdentityID("user-a")

// keyID is the CloudFront id of the fixture's signing key.
const keyID = "K2JCJMDEHXQW5F"

var epoch = identitytest.Epoch

// nextKey is the identitytest.RSAKey rsaKey hands out next: a different one on each call.
var nextKey int

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k := identitytest.RSAKey(nextKey)
	nextKey++
	return k
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
	pool    identitytest.Pool
	ids     *identitytest.Identities
	secrets *fakeSecrets
	cdnKey  *rsa.PrivateKey
	clock   *time.Time
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	f := fixture{pool: identitytest.NewPool(t, 0, "k1"), ids: &identitytest.Identities{}, cdnKey: rsaKey(t)}
	f.secrets = &fakeSecrets{pem: pemOf(f.cdnKey)}
	now := epoch
	f.clock = &now
	f.signer = NewSigner(Config{
		Domain: "d111111abcdef8.cloudfront.net", TrustedKeys: map[string]string{rules.KeyFingerprint(&f.cdnKey.PublicKey): keyID}, SecretID: "arn:secret", Prefix: "protected/",
		SignatureTTL: 15 * time.Minute, KeyCacheTTL: 5 * time.Minute}, identitytest.Verifier(f.pool, f.ids, f.clock), f.secrets)
	f.signer.now = func() time.Time { return *f.clock }
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
	r := f.signer.Handle(context.Background(), Request{IDToken: f.pool.Token(t, "user-a", nil)})
	checkSignature(t, r, f.cdnKey, keyID, "https://d111111abcdef8.cloudfront.net/protected/"+identityA+"/*", epoch.Add(15*time.Minute))
}

// The identity check's refusals (its own tests cover each) reach the caller as unauthorized,
// with no signature; an identity pool that cannot answer is unavailable, not unauthorized.
func TestRefusesTokensThatAreNotCurrentIDTokensOfThisPoolAndClient(t *testing.T) {
	f := newFixture(t)
	for name, token := range identitytest.BadTokens(t, f.pool, "user-a") {
		r := f.signer.Handle(context.Background(), Request{IDToken: token})
		if r.Error == nil || r.Error.Code != "unauthorized" || r.Signature != "" || r.Policy != "" {
			t.Errorf("%s: got %+v, want unauthorized and no signature", name, r)
		}
	}
	f.ids.Err = identitytest.ErrThrottled
	if r := f.signer.Handle(context.Background(), Request{IDToken: f.pool.Token(t, "user-a", nil)}); r.Error == nil || r.Error.Code != "unavailable" || r.Signature != "" {
		t.Errorf("identity pool throttled: got %+v, want unavailable", r)
	}
}

func TestNotConfiguredWithoutAKey(t *testing.T) {
	f := newFixture(t)
	f.secrets.pem = ""
	r := f.signer.Handle(context.Background(), Request{IDToken: f.pool.Token(t, "user-a", nil)})
	if r.Error == nil || r.Error.Code != "not_configured" || r.Signature != "" {
		t.Errorf("got %+v, want not_configured", r)
	}
	f.secrets.pem = "not a key"
	if r := f.signer.Handle(context.Background(), Request{IDToken: f.pool.Token(t, "user-a", nil)}); r.Error == nil || r.Error.Code != "not_configured" {
		t.Errorf("a secret without a key: got %+v", r)
	}
	// A key the distribution does not trust (its public key never deployed) signs nothing.
	f.secrets.pem = pemOf(rsaKey(t))
	if r := f.signer.Handle(context.Background(), Request{IDToken: f.pool.Token(t, "user-a", nil)}); r.Error == nil || r.Error.Code != "not_configured" ||
		!strings.Contains(r.Error.Message, "not one of the distribution's public keys") || r.Signature != "" {
		t.Errorf("an untrusted key: got %+v", r)
	}
}

func TestPicksUpARotatedKey(t *testing.T) {
	f := newFixture(t)
	token := f.pool.Token(t, "user-a", nil)
	resource := "https://d111111abcdef8.cloudfront.net/protected/" + identityA + "/*"
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

func TestConfigFromEnv(t *testing.T) {
	fp1, fp2 := strings.Repeat("a", 64), strings.Repeat("b", 64)
	env := map[string]string{"DELIVERED_FOLDER": "protected/",
		"DISTRIBUTION_DOMAIN": "d.cloudfront.net", "TRUSTED_KEYS": "K1=" + fp1 + ",K2=" + fp2, "SIGNING_KEY_SECRET_ARN": "arn"}
	cfg, err := configFromEnv(func(k string) string { return env[k] })
	if err != nil || cfg.SignatureTTL != 15*time.Minute || cfg.Prefix != "protected/" ||
		cfg.TrustedKeys[fp1] != "K1" || cfg.TrustedKeys[fp2] != "K2" || len(cfg.TrustedKeys) != 2 {
		t.Errorf("cfg = %+v, %v", cfg, err)
	}
	env["SIGNATURE_TTL_SECONDS"] = "7200"
	env["TRUSTED_KEYS"] = "K1"
	delete(env, "DISTRIBUTION_DOMAIN")
	if _, err := configFromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "DISTRIBUTION_DOMAIN") ||
		!strings.Contains(err.Error(), "TRUSTED_KEYS (") || !strings.Contains(err.Error(), "SIGNATURE_TTL_SECONDS (60..3600)") {
		t.Errorf("err = %v", err)
	}
}
