package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smsTypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity/identitytest"
	"github.com/gatehouse-cdk/gatehouse/internal/cdnsignature"
	"github.com/gatehouse-cdk/gatehouse/limits"
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

// fakeSecrets is Secrets Manager holding pem as the secret's current value; err, when set, is
// its answer instead; binary, a value that is not text.
type fakeSecrets struct {
	pem    string
	err    error
	binary bool
	reads  int
}

func (f *fakeSecrets) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.reads++
	if f.err != nil {
		// As the SDK returns them: the operation's error around the service's.
		return nil, &smithy.OperationError{ServiceID: "Secrets Manager", OperationName: "GetSecretValue", Err: f.err}
	}
	version := "v" + string(rune('0'+f.reads))
	if f.binary {
		return &secretsmanager.GetSecretValueOutput{ARN: in.SecretId, SecretBinary: []byte(f.pem), VersionId: &version}, nil
	}
	return &secretsmanager.GetSecretValueOutput{ARN: in.SecretId, SecretString: &f.pem, VersionId: &version}, nil
}

// secretARN is the fixture's secret: no caller may see it.
const secretARN = "arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:gatehouse-dev-cdn-key-AbCdEf"

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
		Domain: "d111111abcdef8.cloudfront.net", TrustedKeys: map[string]string{limits.KeyFingerprint(&f.cdnKey.PublicKey): keyID}, SecretID: secretARN, Prefix: "protected/",
		SignatureTTL: 15 * time.Minute, KeyCacheTTL: 5 * time.Minute}, identitytest.Verifier(f.pool, f.ids, f.clock), f.secrets)
	f.signer.now = func() time.Time { return *f.clock }
	return f
}

// checkSignature: the policy covers exactly resource until expires, and the signature verifies
// with key's public half (RSA-SHA1, as CloudFront checks it).
func checkSignature(t *testing.T, r Response, key *rsa.PrivateKey, keyID, resource string, expires time.Time) {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("refused: %+v", r.Error)
	}
	policy, err := cdnsignature.Verify(&key.PublicKey, r.Policy, r.Signature)
	if err != nil {
		t.Errorf("signature does not verify: %v", err)
	}
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

// TestLambdaRunsInvoke: what main starts is a handler aws-lambda-go accepts (it refuses a
// function returning a lone value, such as Handle, on every invocation), and it answers with
// Handle's response.
func TestLambdaRunsInvoke(t *testing.T) {
	f := newFixture(t)
	out, err := lambda.NewHandler(f.signer.Invoke).Invoke(context.Background(), []byte(`{"idToken": "not-a-token"}`))
	if err != nil || !bytes.Contains(out, []byte(`"code":"unauthorized"`)) {
		t.Errorf("the Lambda handler answered %s, %v; want the unauthorized refusal", out, err)
	}
	if _, err := lambda.NewHandler(f.signer.Handle).Invoke(context.Background(), []byte(`{}`)); err == nil {
		t.Errorf("aws-lambda-go accepts Handle itself: Invoke is not needed any more")
	}
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

// TestKeyFailuresReachTheCallerAsShortCodes: a configuration problem (no secret or value, not an
// RSA key in PEM, a key the distribution does not trust) is not_configured; anything else
// (throttling, the network, a service fault, a denied or timed-out call) is internal, "try
// again". Either way the caller sees no signature and a short message naming neither the secret
// nor a key, which the log names instead; and a failure is not cached: the next request reads
// the secret again and signs once the key is there.
func TestKeyFailuresReachTheCallerAsShortCodes(t *testing.T) {
	untrusted := rsaKey(t)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}))
	network := &url.Error{Op: "Post", URL: "https://secretsmanager.ap-southeast-1.amazonaws.com/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
	cases := []struct {
		name string
		set  func(*fakeSecrets)
		code string
	}{
		{"no such secret", func(f *fakeSecrets) {
			f.err = &smsTypes.ResourceNotFoundException{Message: aws.String("Secrets Manager can't find the specified secret: " + secretARN)}
		}, "not_configured"},
		{"no current value", func(f *fakeSecrets) {
			f.err = &smsTypes.ResourceNotFoundException{Message: aws.String("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT")}
		}, "not_configured"},
		{"a binary value", func(f *fakeSecrets) { f.binary = true }, "not_configured"},
		{"not PEM", func(f *fakeSecrets) { f.pem = "not a key" }, "not_configured"},
		{"an EC key", func(f *fakeSecrets) { f.pem = ecPEM }, "not_configured"},
		{"a key the distribution does not trust", func(f *fakeSecrets) { f.pem = pemOf(untrusted) }, "not_configured"},
		{"throttled", func(f *fakeSecrets) {
			f.err = &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded for " + secretARN, Fault: smithy.FaultClient}
		}, "internal"},
		{"a service fault", func(f *fakeSecrets) {
			f.err = &smsTypes.InternalServiceError{Message: aws.String("An error occurred on the server side.")}
		}, "internal"},
		{"KMS could not decrypt", func(f *fakeSecrets) { f.err = &smsTypes.DecryptionFailure{Message: aws.String("KMS throttled")} }, "internal"},
		{"denied", func(f *fakeSecrets) {
			f.err = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform secretsmanager:GetSecretValue on " + secretARN}
		}, "internal"},
		{"the network", func(f *fakeSecrets) { f.err = network }, "internal"},
		{"timed out", func(f *fakeSecrets) { f.err = context.DeadlineExceeded }, "internal"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			var logs bytes.Buffer
			old := slog.Default()
			slog.SetDefault(slog.New(slog.NewJSONHandler(&logs, nil)))
			defer slog.SetDefault(old)
			good := *f.secrets
			c.set(f.secrets)
			token := f.pool.Token(t, "user-a", nil)
			r := f.signer.Handle(context.Background(), Request{IDToken: token})
			if r.Error == nil || r.Error.Code != c.code || r.Signature != "" || r.Policy != "" || r.Query != "" {
				t.Fatalf("got %+v, want %s and no signature", r, c.code)
			}
			if r.Error.Message != messages[c.code] {
				t.Errorf("message %q, want %q", r.Error.Message, messages[c.code])
			}
			for _, secret := range []string{secretARN, "gatehouse-dev-cdn-key", "arn:", "sha256", limits.KeyFingerprint(&f.cdnKey.PublicKey)[:16], limits.KeyFingerprint(&untrusted.PublicKey)[:16]} {
				if strings.Contains(r.Error.Message, secret) {
					t.Errorf("the caller's message %q contains %q", r.Error.Message, secret)
				}
			}
			if !strings.Contains(logs.String(), secretARN) || !strings.Contains(logs.String(), `"outcome":"`+c.code+`"`) {
				t.Errorf("the log does not name the secret and the outcome:\n%s", logs.String())
			}
			if c.name == "a key the distribution does not trust" && !strings.Contains(logs.String(), limits.KeyFingerprint(&untrusted.PublicKey)) {
				t.Errorf("the log does not name the untrusted key's fingerprint:\n%s", logs.String())
			}
			// Not cached: once the secret holds the trusted key, the next request signs.
			*f.secrets = fakeSecrets{pem: good.pem, reads: f.secrets.reads}
			checkSignature(t, f.signer.Handle(context.Background(), Request{IDToken: token}), f.cdnKey, keyID,
				"https://d111111abcdef8.cloudfront.net/protected/"+identityA+"/*", epoch.Add(15*time.Minute))
			if f.secrets.reads != 2 {
				t.Errorf("the secret was read %d times, want again after the failure", f.secrets.reads)
			}
		})
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
	f.signer.cfg.TrustedKeys[limits.KeyFingerprint(&rotated.PublicKey)] = "K3ROTATEDKEYID"
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
