package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// project is a cdk.json naming app/keys/dev-cdn.pem for dev, in a fresh directory.
func project(t *testing.T) (dir, cdkJSON string) {
	t.Helper()
	dir = t.TempDir()
	cdkJSON = filepath.Join(dir, "cdk.json")
	must(t, os.WriteFile(cdkJSON, []byte(`{"context": {"environments": {"dev": {"allowedOrigins": ["http://localhost:3000"],
		"delivery": {"publicKeys": ["app/keys/dev-cdn.pem"]}}, "bare": {"allowedOrigins": ["http://localhost:3000"]}}}}`), 0o644))
	return dir, cdkJSON
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// capture runs f with stdout captured.
func capture(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, _ := os.Pipe()
	old := os.Stdout
	os.Stdout = w
	err := f()
	w.Close()
	os.Stdout = old
	var b bytes.Buffer
	_, _ = io.Copy(&b, r)
	return b.String(), err
}

// TestMakesAKeyPair: an RSA 2048 public key where the config points (which the config then
// accepts), the private key beside it with mode 0600, and the one command that stores it.
func TestMakesAKeyPair(t *testing.T) {
	dir, cdkJSON := project(t)
	out, err := capture(t, func() error { return run(cdkJSON, "dev", false, "") })
	must(t, err)
	public := string(get(os.ReadFile(filepath.Join(dir, "app/keys/dev-cdn.pem"))))
	key, why := limits.PublicKey(public)
	if why != "" {
		t.Fatalf("public key %s", why)
	}
	info := get(os.Stat(filepath.Join(dir, "app/keys/dev-cdn.private.pem")))
	if info.Mode().Perm() != 0o600 {
		t.Errorf("private key mode = %v, want 0600", info.Mode().Perm())
	}
	private := string(get(os.ReadFile(filepath.Join(dir, "app/keys/dev-cdn.private.pem"))))
	if !strings.HasPrefix(private, "-----BEGIN PRIVATE KEY-----") || strings.Contains(out, "PRIVATE KEY-----") {
		t.Errorf("private key file or output wrong:\n%s", out)
	}
	// The environment is now valid with it (paths relative to cdk.json's directory).
	context := get(config.ContextFromFile(cdkJSON))
	env, err := config.FromContextIn(dir, "dev", context["environments"])
	must(t, err)
	if env.Delivery.PublicKeyPEMs[0] != public {
		t.Errorf("config read another key")
	}
	for _, want := range []string{
		"key fingerprint (sha256): " + limits.KeyFingerprint(key),
		`aws secretsmanager put-secret-value --region ap-southeast-1 --secret-id "$(aws cloudformation describe-stacks --region ap-southeast-1 --stack-name gatehouse-dev-delivery --query "Stacks[0].Outputs[?OutputKey=='SigningKeySecretArn'].OutputValue" --output text)" --secret-string file://app/keys/dev-cdn.private.pem`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if entries := get(os.ReadDir(filepath.Join(dir, "app", "keys"))); len(entries) != 2 {
		t.Errorf("app/keys/ holds %d files, want 2 (no temporary file left)", len(entries))
	}
}

// TestNeverOverwritesAPrivateKey: a second run refuses (the key may be in use) unless forced; a
// public key without its private key (one nobody here can sign for) is replaced.
func TestNeverOverwritesAPrivateKey(t *testing.T) {
	dir, cdkJSON := project(t)
	_, err := capture(t, func() error { return run(cdkJSON, "dev", false, "") })
	must(t, err)
	first := get(os.ReadFile(filepath.Join(dir, "app/keys/dev-cdn.private.pem")))
	_, err = capture(t, func() error { return run(cdkJSON, "dev", false, "") })
	if err == nil || !strings.Contains(err.Error(), "app/keys/dev-cdn.private.pem exists") || !strings.Contains(err.Error(), "FORCE=1") {
		t.Errorf("second run: %v", err)
	}
	if again := get(os.ReadFile(filepath.Join(dir, "app/keys/dev-cdn.private.pem"))); !bytes.Equal(again, first) {
		t.Error("the refused run changed the private key")
	}
	_, err = capture(t, func() error { return run(cdkJSON, "dev", true, "ops") })
	must(t, err)
	if forced := get(os.ReadFile(filepath.Join(dir, "app/keys/dev-cdn.private.pem"))); bytes.Equal(forced, first) {
		t.Error("FORCE=1 kept the old key")
	}
	// An example public key alone is replaced.
	must(t, os.Remove(filepath.Join(dir, "app/keys/dev-cdn.private.pem")))
	out, err := capture(t, func() error { return run(cdkJSON, "dev", false, "ops") })
	must(t, err)
	if !strings.Contains(out, "--profile ops --region") {
		t.Errorf("the command does not use the profile:\n%s", out)
	}
}

func TestNeedsDeliveryConfigured(t *testing.T) {
	_, cdkJSON := project(t)
	for env, want := range map[string]string{
		"bare":    `environments.bare.delivery.publicKeys: is not set: add "delivery": {"publicKeys": ["app/keys/bare-cdn.pem"]}`,
		"staging": `has no environment "staging"`,
	} {
		if err := run(cdkJSON, env, false, ""); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", env, err, want)
		}
	}
}

// get is v, or a panic (failing the test) on err.
func get[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
