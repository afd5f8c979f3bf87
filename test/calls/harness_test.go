package calls

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gatehouse-cdk/gatehouse/limits"
)

// harness is the assembly's functions running against the stand-ins.
type harness struct {
	app     *app
	dir     string
	db      *dynamodb.Client // dynalite itself: the harness's own reads and writes, never recorded
	front   *front
	cognito *cognitoStandIn
	secrets *secretsStandIn
	running map[*function]*localFunction
}

// startHarness creates every table of the assembly in dynalite as its template defines it,
// starts the stand-ins and runs every asset function, each in its own emulator with the
// environment its template gives it (resolved by the model: names are the stand-ins' own).
func startHarness(t *testing.T, a *app) *harness {
	t.Helper()
	h := &harness{app: a, dir: t.TempDir(), secrets: &secretsStandIn{}, running: map[*function]*localFunction{}}
	dynamoURL, err := dynalite.endpoint()
	if err != nil {
		t.Fatal(err)
	}
	h.db = localDynamoDB(dynamoURL, a.region)
	for _, arn := range slices.Sorted(maps.Keys(a.tables)) {
		tb := a.tables[arn]
		if _, err := createTableFrom(context.Background(), h.db, tb.name, map[string]any{"Properties": tb.properties}); err != nil {
			t.Fatalf("creating %s in dynalite: %v", tb.resource, err)
		}
	}
	if len(a.clientIDs) != 1 || a.userPoolID == "" || a.identityPoolID == "" {
		t.Fatalf("the assembly has user pool %q, identity pool %q and clients %v: the Cognito stand-in serves one of each", a.userPoolID, a.identityPoolID, a.clientIDs)
	}
	if h.cognito, err = newCognitoStandIn(h.dir, a.region, a.userPoolID, a.clientIDs[0], a.identityPoolID); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.cognito.close)
	h.front = newFront(a, dynamoURL, h.secrets, h.cognito.getID())
	t.Cleanup(h.front.close)

	rie := filepath.Join(hostFunctionsDir, "aws-lambda-rie")
	noCerts := filepath.Join(h.dir, "empty-cert-dir")
	if err := os.MkdirAll(noCerts, 0o700); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var problems []string
	for _, f := range a.functions {
		bootstrap := filepath.Join(hostFunctionsDir, f.kind)
		if _, err := os.Stat(bootstrap); err != nil {
			t.Fatalf("%s: no build of functions/%s for this machine at %s: run make test-calls (make host-functions builds it)", f.label(), f.kind, bootstrap)
		}
		env, err := h.environment(f, noCerts)
		if err != nil {
			t.Fatalf("%s: %v", f.label(), err)
		}
		wg.Go(func() {
			local, err := startLocalFunction(rie, bootstrap, f.label(), f.region, env)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				problems = append(problems, err.Error())
				return
			}
			h.running[f] = local
		})
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, local := range h.running {
			local.stop()
		}
	})
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	return h
}

// environment is what f runs with: its template's variables (resolved), what Lambda adds, its
// own credentials, and the stand-ins as its only way out. Nothing of the test's environment.
func (h *harness) environment(f *function, noCerts string) (map[string]string, error) {
	env := map[string]string{
		"AWS_REGION": f.region, "AWS_DEFAULT_REGION": f.region,
		"AWS_ACCESS_KEY_ID": f.accessKey, "AWS_SECRET_ACCESS_KEY": "calls-test-secret-of-" + f.logicalID, "AWS_SESSION_TOKEN": "calls-test-session",
		"AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE":           filepath.Join(h.dir, "no-aws-config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(h.dir, "no-aws-credentials"),
		"HOME": h.dir,
		// Every AWS service, through the front; the prefix says whose an unsigned call is.
		"AWS_ENDPOINT_URL": h.front.url + f.prefix,
		// Anything else (the user pool's JWKS over HTTPS) through Cognito's stand-in, which
		// refuses every other host.
		"HTTPS_PROXY": h.cognito.proxyURL, "HTTP_PROXY": h.cognito.proxyURL,
		"SSL_CERT_FILE": h.cognito.caFile, "SSL_CERT_DIR": noCerts,
		"AWS_LAMBDA_FUNCTION_NAME":        f.name,
		"AWS_LAMBDA_FUNCTION_TIMEOUT":     f.timeout,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": f.memory,
		"LOG_LEVEL":                       "warn", // the emulator's own log
	}
	for k, v := range f.env {
		if _, clash := env[k]; clash {
			return nil, fmt.Errorf("its template sets %s, which Lambda reserves", k)
		}
		env[k] = v
	}
	return env, nil
}

// ownerOf is the owner f acts for when user sub signs in: sub itself with the sub owner key (its
// template's limits.EnvOwnerKey), else the identity id Cognito's stand-in gives sub.
func (h *harness) ownerOf(f *function, sub string) string {
	if f.env[limits.EnvOwnerKey] == limits.OwnerKeySub {
		return sub
	}
	return h.cognito.identityOf(sub)
}

// invoke runs f with payload, labelling the calls it makes with what; it fails the test if the
// invocation fails or the function errs, and returns the JSON object it answered.
func (h *harness) invoke(t testing.TB, f *function, what string, payload any) map[string]json.RawMessage {
	t.Helper()
	raw, functionError := h.invokeRaw(t, f, what, payload)
	if functionError != "" {
		t.Fatalf("%s, %s: function error %s: %s\n%s", f.label(), what, functionError, raw, h.running[f].log.String())
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s, %s: answered %s: not a JSON object: %v", f.label(), what, raw, err)
	}
	return out
}

// invokeRaw runs f with payload and returns its answer and function error, as Lambda gives them.
func (h *harness) invokeRaw(t testing.TB, f *function, what string, payload any) (json.RawMessage, string) {
	t.Helper()
	h.front.doing(f, what)
	raw, functionError, err := h.running[f].invoke(context.Background(), payload)
	if err != nil {
		t.Fatal(err)
	}
	return raw, functionError
}

// only is the one function of a kind in the assembly.
func (h *harness) only(t testing.TB, kind string) *function {
	t.Helper()
	fns := h.app.functionsOf(kind)
	if len(fns) != 1 {
		t.Fatalf("%d functions run functions/%s; the scenarios drive one", len(fns), kind)
	}
	return fns[0]
}

// tableOf is the table a function's environment variable names.
func (h *harness) tableOf(t testing.TB, f *function, variable string) *table {
	t.Helper()
	for _, tb := range h.app.tables {
		if tb.name == f.env[variable] {
			return tb
		}
	}
	t.Fatalf("%s: %s = %q names no table of the assembly", f.label(), variable, f.env[variable])
	return nil
}
