package test

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// startBadConfigApp starts cdk.json's app command as the CDK CLI runs it (a shell command: `make
// app`, then the prebuilt entry), with a bad configuration passed the way the CLI passes context
// (TestMain starts it, so it runs beside the reference synth).
func startBadConfigApp() *prestarted {
	var cdkJSON struct {
		App string `json:"app"`
	}
	must(0, json.Unmarshal(must(os.ReadFile(filepath.Join(repoRoot, "cdk.json"))), &cdkJSON))
	cmd := exec.Command("sh", "-c", cdkJSON.App)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(),
		"CDK_OUTDIR="+badConfigOutdir,
		`CDK_CONTEXT_JSON={"env": "dev", "environment": "prod", "environments": {"dev": {"allowedOrigins": ["https://app.example.com/"], "region": "mars-1", "alowGuests": true, `+
			`"production": true, "developerRoleArns": ["arn:aws:iam::123456789012:role/Dev"], `+
			`"email": {"from": "no-reply", "sesIdentity": "example.com"}, `+
			`"delivery": {"publicKeys": ["keys/missing.pem", "test/testdata/cdn-keys/rsa-1024.pem"], "signatureTtlSeconds": 30, "domainName": "images.example.com", "certificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-4234-8234-123456789012"}, `+
			`"api": {"authorizerCacheSeconds": 3601, "maxActiveTokensPerOwner": 0.5, "scopes": ["items read"]}}}}`,
	)
	return prestart("the app with a bad configuration", cmd)
}

// badConfigOutdir is where the bad-config run may not write; stopAll removes it.
var badConfigOutdir = must(os.MkdirTemp("", "gatehouse-bad-config-"))

// TestAppRejectsBadConfigCleanly: the app, given a bad configuration, must exit 1 with one plain
// line per problem, no Go panic or jsii stack, and write nothing.
func TestAppRejectsBadConfigCleanly(t *testing.T) {
	t.Parallel() // it only waits for its prestarted process
	_, stderr, err := badConfigApp.wait()
	outdir := badConfigOutdir
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit = %v, want status 1; stderr:\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	want := []string{
		`invalid cdk.json context: environment = "prod": is not a context key the app reads (did you mean "env"?): it reads ` + "`env` (e.g. -c env=prod) and `environments` only",
		`invalid cdk.json context: environments.dev.alowGuests = true: unknown field (did you mean "allowGuests"?); allowed: account, region, production, allowedOrigins, allowGuests, selfSignUp, featurePlan, mfa, ownerKey, accessTokenValidityMinutes, idTokenValidityMinutes, refreshTokenValidityDays, groups, uploadEncryption, noncurrentVersionExpirationDays, accessLogExpirationDays, corsMaxAgeSeconds, sessionName, sessionDurationSeconds, developerRoleArns, crossAccount, amplify, email, delivery, api`,
		`invalid cdk.json context: environments.dev.api.maxActiveTokensPerOwner = 0.5: must be a whole number`,
		`invalid cdk.json context: environments.dev.region = "mars-1": must be an AWS region name such as "ap-southeast-1" or "us-east-1"`,
		`invalid cdk.json context: environments.dev.allowedOrigins[0] = "https://app.example.com/": must not end with a slash: "https://app.example.com"`,
		`invalid cdk.json context: environments.dev.developerRoleArns = ["arn:aws:iam::123456789012:role/Dev"]: must be empty in a production environment (production: true): a developer role may act as the web server for every user`,
		`invalid cdk.json context: environments.dev.delivery.signatureTtlSeconds = 30: must be a whole number of seconds from 60 to 3600`,
		`invalid cdk.json context: environments.dev.delivery.certificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-4234-8234-123456789012": ` + limits.CertificateArn.Allowed,
		`invalid cdk.json context: environments.dev.api.authorizerCacheSeconds = 3601: must be a whole number of seconds (API Gateway caches an authorizer's answer at most an hour; 0 turns the cache off) from 0 to 3600`,
		`invalid cdk.json context: environments.dev.api.scopes[0] = "items read": ` + limits.Scope.Allowed,
		`invalid cdk.json context: environments.dev.email.from = "no-reply": ` + limits.EmailAddressAllowed + `; required`,
		`invalid cdk.json context: environments.dev.delivery.publicKeys[0] = "keys/missing.pem": does not exist: run ` + "`make cdn-key ENV=dev`" + ` to make a key pair, or fix the path (relative to cdk.json)`,
		`invalid cdk.json context: environments.dev.delivery.publicKeys[1] = "test/testdata/cdn-keys/rsa-1024.pem": is an RSA key of 1024 bits; CloudFront takes 2048-bit keys`,
	}
	if !slices.Equal(lines, want) {
		t.Errorf("stderr:\n  %s\nwant:\n  %s", strings.Join(lines, "\n  "), strings.Join(want, "\n  "))
	}
	for _, trace := range []string{"panic", "goroutine", ".go:", ".js:", "    at "} {
		if strings.Contains(stderr, trace) {
			t.Errorf("stderr has a stack trace (%q):\n%s", trace, stderr)
		}
	}
	if entries, _ := os.ReadDir(outdir); len(entries) > 0 {
		t.Errorf("the failed run wrote %d entries to %s", len(entries), filepath.Base(outdir))
	}
}

// TestDeployRefusesPlaceholders: prod as shipped synthesizes (with a warning per placeholder:
// config's TestPlaceholders), but a deploy (make deploy passes -c gatehouse:deploying=true) is
// refused before anything is built, one line per placeholder.
func TestDeployRefusesPlaceholders(t *testing.T) {
	t.Parallel()
	context := must(config.ContextFromFile(filepath.Join(repoRoot, "cdk.json")))
	context["env"] = "prod"
	context["gatehouse:deploying"] = "true"
	cmd := exec.Command(filepath.Join(repoRoot, "build", "gatehouse"))
	cmd.Dir = repoRoot
	outdir := t.TempDir()
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+outdir, "CDK_CONTEXT_JSON="+string(must(json.Marshal(context))), "CDK_VALIDATION=false")
	raw, err := cmd.CombinedOutput()
	out := string(raw)
	if entries, _ := os.ReadDir(outdir); len(entries) > 0 {
		t.Errorf("a refused deploy wrote %d files into the assembly", len(entries))
	}
	want := []string{
		`cannot deploy: environments.prod.allowedOrigins[0] = "https://app.example.com": is a documentation domain, a placeholder: set your site's origin`,
		`cannot deploy: environments.prod.delivery.publicKeys[0] = "app/keys/prod-cdn.pem": is the example key shipped as app/keys/prod-cdn.pem, whose private half nobody has: run ` + "`make cdn-key ENV=prod`",
		`cannot deploy prod with placeholders: change them in cdk.json (they only let a fresh clone synthesize)`,
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !slices.Equal(strings.Split(strings.TrimSpace(out), "\n"), want) {
		t.Errorf("exit %v, output:\n%s\nwant:\n%s", err, out, strings.Join(want, "\n"))
	}
}

// TestAppCommandIsShort: the CDK CLI ends a failed run with "<app command>: Subprocess exited
// with error 1"; cdk.json's app command is a short script (scripts/app.sh), so that line stays
// one short line under the app's own messages.
func TestAppCommandIsShort(t *testing.T) {
	var cdkJSON struct {
		App string `json:"app"`
	}
	must(0, json.Unmarshal(must(os.ReadFile(filepath.Join(repoRoot, "cdk.json"))), &cdkJSON))
	if len(cdkJSON.App) > 32 || strings.ContainsAny(cdkJSON.App, " &;|") {
		t.Errorf("cdk.json's app command %q: want one short script (the CLI quotes it after every failed run)", cdkJSON.App)
	}
	if info, err := os.Stat(filepath.Join(repoRoot, cdkJSON.App)); err != nil || info.Mode()&0o111 == 0 {
		t.Errorf("cdk.json's app command %q is not an executable file of the repository (%v)", cdkJSON.App, err)
	}
}

// runApp runs the prebuilt app (as cdk.json's app command does, after make app) with context,
// returning its output, exit error and whether it wrote anything into its assembly.
func runApp(t *testing.T, context map[string]any) (string, error, bool) {
	cmd := exec.Command(filepath.Join(repoRoot, "build", "gatehouse"))
	cmd.Dir = repoRoot
	outdir := t.TempDir()
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+outdir, "CDK_CONTEXT_JSON="+string(must(json.Marshal(context))), "CDK_VALIDATION=false")
	raw, err := cmd.CombinedOutput()
	entries, _ := os.ReadDir(outdir)
	return string(raw), err, len(entries) > 0
}

// TestPipelineRefusesPlaceholders: the pipeline's own synth (its CodeBuild step passes
// -c gatehouse:deploying=true) refuses the pipeline's placeholders and those of every
// environment it deploys, one line each, before anything is built: a shipped stand-in is never
// deployed by the pipeline.
func TestPipelineRefusesPlaceholders(t *testing.T) {
	t.Parallel()
	context := must(config.ContextFromFile(filepath.Join(repoRoot, "cdk.json")))
	context["gatehouse:pipeline"] = "true"
	context["gatehouse:deploying"] = "true"
	out, err, wrote := runApp(t, context)
	want := []string{
		`cannot deploy: pipeline.account = "123456789012": is AWS's documentation account, a placeholder: set the account the pipeline runs in`,
		`cannot deploy: pipeline.connectionArn = "arn:aws:codeconnections:ap-southeast-1:123456789012:connection/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d": is in AWS's documentation account, a placeholder: create a connection (Developer Tools > Connections) and set its ARN`,
		`cannot deploy: environments.dev.delivery.publicKeys[0] = "app/keys/dev-cdn.pem": is the example key shipped as app/keys/dev-cdn.pem, whose private half nobody has: run ` + "`make cdn-key ENV=dev`",
		`cannot deploy: environments.prod.allowedOrigins[0] = "https://app.example.com": is a documentation domain, a placeholder: set your site's origin`,
		`cannot deploy: environments.prod.delivery.publicKeys[0] = "app/keys/prod-cdn.pem": is the example key shipped as app/keys/prod-cdn.pem, whose private half nobody has: run ` + "`make cdn-key ENV=prod`",
		`cannot deploy the pipeline with placeholders: change them in cdk.json (they only let a fresh clone synthesize)`,
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !slices.Equal(strings.Split(strings.TrimSpace(out), "\n"), want) || wrote {
		t.Errorf("exit %v, wrote %v, output:\n%s\nwant:\n%s", err, wrote, out, strings.Join(want, "\n"))
	}
}

// TestAppRejectsBadPipelineCleanly: a bad pipeline section through the app: one plain line per
// problem, exit 1, no trace, nothing written.
func TestAppRejectsBadPipelineCleanly(t *testing.T) {
	t.Parallel()
	context := must(config.ContextFromFile(filepath.Join(repoRoot, "cdk.json")))
	context["gatehouse:pipeline"] = "true"
	context["pipeline"] = map[string]any{"account": "1234", "connectionArn": "github.com/acme", "repository": "acme/photos", "environments": []any{"dev", "qa"}}
	out, err, wrote := runApp(t, context)
	want := []string{
		`invalid cdk.json context: pipeline.account = "1234": ` + limits.Account.Allowed + ` (required: the pipeline deploys across accounts and regions from an explicit account)`,
		`invalid cdk.json context: pipeline.connectionArn = "github.com/acme": ` + limits.ConnectionArn.Allowed,
		"invalid cdk.json context: pipeline.environments[1] = \"qa\": is not an entry of `environments`; have dev, prod",
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !slices.Equal(strings.Split(strings.TrimSpace(out), "\n"), want) || wrote {
		t.Errorf("exit %v, wrote %v, output:\n%s\nwant:\n%s", err, wrote, out, strings.Join(want, "\n"))
	}
}
