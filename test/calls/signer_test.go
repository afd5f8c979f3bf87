package calls

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-cdk/gatehouse/internal/cdnsignature"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// signingKeyFile is the private half of test/testdata/cdn-keys/calls.pem, the public key make
// test-calls makes the assembly's distribution trust (in place of delivery.publicKeys): a test
// key, published with the tests.
var signingKeyFile = filepath.Join(repoRoot, "test", "testdata", "calls-cdn-signing-key.pem")

// signerOperations runs the signer (functions/signer) through its answers: unauthorized before
// the secret is read, not_configured for each way the secret can be wrong, internal for a
// service fault, unavailable when Cognito cannot check a token, and a signature for the
// caller's own folder, verified with the public key the distribution trusts.
func signerOperations(t *testing.T, h *harness) {
	signer := h.only(t, "signer")
	secretARN := signer.env["SIGNING_KEY_SECRET_ARN"]
	if h.app.secrets[secretARN] == nil {
		t.Fatalf("the signer reads %q, which is no secret of the assembly", secretARN)
	}
	trusted, err := limits.ParseTrustedKeys(signer.env["TRUSTED_KEYS"])
	if err != nil {
		t.Fatalf("TRUSTED_KEYS: %v", err)
	}
	key := readRSAKey(t, signingKeyFile)
	keyID, ok := trusted[limits.KeyFingerprint(&key.PublicKey)]
	if !ok {
		t.Fatalf("the assembly's distribution does not trust %s (its keys: %v): make test-calls synthesizes it with test/testdata/cdn-keys/calls.pem", signingKeyFile, trusted)
	}
	sub := "5a1e0c4e-0000-4f00-8f00-00000000000f"
	token := h.userToken(t, sub)
	sign := func(t *testing.T, what, idToken string) map[string]json.RawMessage {
		t.Helper()
		return h.invoke(t, signer, "signer: "+what, map[string]any{"idToken": idToken})
	}
	refused := func(t *testing.T, what, idToken, code string) {
		t.Helper()
		if !wantRefused(t, sign(t, what, idToken), code, "") {
			t.Errorf("  (signer: %s)", what)
		}
	}

	t.Run("no signature without a valid token, before the key is read", func(t *testing.T) {
		refused(t, "no token", "", "unauthorized")
		refused(t, "a token of another key", must(signClaims(h.cognito.foreignKey, h.cognito.idClaims(sub))), "unauthorized")
	})
	t.Run("a missing, binary, non-PEM or untrusted key is not_configured; a service fault internal", func(t *testing.T) {
		refused(t, "no key stored yet", token, "not_configured")
		h.secrets.set(secretARN, secretValue{binary: []byte{1, 2, 3}})
		refused(t, "a binary secret", token, "not_configured")
		h.secrets.set(secretARN, secretValue{text: ptr("not a key")})
		refused(t, "a secret that is not a PEM key", token, "not_configured")
		untrusted := pemOf(t, readRSAKeyN(t, filepath.Join(repoRoot, "test", "testdata", "cognito-standin-keys.pem"), 2))
		h.secrets.set(secretARN, secretValue{text: &untrusted})
		refused(t, "a key the distribution does not trust", token, "not_configured")
		h.secrets.set(secretARN, secretValue{text: ptr(string(must(os.ReadFile(signingKeyFile))))})
		h.front.failNext(signer, "secretsmanager", "DecryptionFailure")
		refused(t, "a secret KMS cannot decrypt now", token, "internal")
	})
	// With the identity-id owner key the signer asks the identity pool (GetId), and a failure to
	// ask is "unavailable", never "unauthorized"; with the sub key it does not ask at all.
	t.Run("the identity pool is asked only with the identity-id owner key", func(t *testing.T) {
		down := "5a1e0c4e-0000-4f00-8f00-0000000000ff"
		h.cognito.markUnavailable(down)
		if signer.env[limits.EnvOwnerKey] != limits.OwnerKeySub {
			refused(t, "Cognito unavailable", h.userToken(t, down), "unavailable")
			return
		}
		out := sign(t, "a valid token, the identity pool unavailable", h.userToken(t, down))
		if raw, _ := json.Marshal(out); out["error"] != nil || !strings.Contains(string(raw), "/"+down+"/*") {
			t.Errorf("with the sub owner key the signer answered %s, want a signature for protected/%s/*", raw, down)
		}
	})
	t.Run("a signature for the caller's own folder, with the trusted key", func(t *testing.T) {
		out := sign(t, "a valid token", token)
		var got struct {
			Resource, Query, Policy, Signature, KeyPairID string
			Expires                                       int64
		}
		raw, _ := json.Marshal(out)
		if out["error"] != nil || json.Unmarshal(raw, &got) != nil {
			t.Fatalf("the signer answered %s, want a signature", raw)
		}
		want := "https://" + signer.env["DISTRIBUTION_DOMAIN"] + "/" + signer.env["DELIVERED_FOLDER"] + h.ownerOf(signer, sub) + "/*"
		if got.Resource != want || got.KeyPairID != keyID {
			t.Errorf("signed %s with key %s; want %s with %s", got.Resource, got.KeyPairID, want, keyID)
		}
		if ttl := time.Until(time.Unix(got.Expires, 0)); ttl <= 0 || ttl > time.Hour {
			t.Errorf("the signature expires in %s", ttl)
		}
		policy, err := cdnsignature.Verify(&key.PublicKey, got.Policy, got.Signature)
		if err != nil {
			t.Errorf("the signature does not verify with the trusted public key: %v", err)
		}
		if !strings.Contains(string(policy), `"Resource":"`+want+`"`) {
			t.Errorf("the signed policy %s does not cover exactly %s", policy, want)
		}
	})
}

func readRSAKey(t *testing.T, file string) *rsa.PrivateKey { return readRSAKeyN(t, file, 0) }

// readRSAKeyN is the n-th PKCS #8 RSA key of a PEM file.
func readRSAKeyN(t *testing.T, file string, n int) *rsa.PrivateKey {
	t.Helper()
	rest := must(os.ReadFile(file))
	var block *pem.Block
	for i := 0; i <= n; i++ {
		if block, rest = pem.Decode(rest); block == nil {
			t.Fatalf("%s has no key %d", file, n)
		}
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		t.Fatalf("%s key %d is not RSA", file, n)
	}
	return rsaKey
}

func pemOf(t *testing.T, key *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

func ptr[T any](v T) *T { return &v }
