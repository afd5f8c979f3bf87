package test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/accessrules"
	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/app/webconfig"
	"github.com/gatehouse-cdk/gatehouse/constructs/storage"
	"github.com/gatehouse-cdk/gatehouse/proof/matrix"
)

// deployOutputs is what `cdk deploy --outputs-file` would write for env, with the model's fake
// values: every output of every stack of the stage, keyed by stack name.
func deployOutputs(t *testing.T, env string) webconfig.Outputs {
	t.Helper()
	m, err := referenceModel()
	if err != nil {
		t.Fatal(err)
	}
	out := webconfig.Outputs{}
	for path, stack := range referenceApp().stacks {
		if !strings.HasPrefix(path, env+"/") {
			continue
		}
		values, err := m.Outputs(path)
		if err != nil {
			t.Fatal(err)
		}
		out[*stack.StackName()] = values
	}
	return out
}

func parseEnvLocal(t *testing.T, raw []byte) map[string]string {
	t.Helper()
	vars := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf(".env.local line %q is not KEY=value", line)
		}
		vars[k] = v
	}
	return vars
}

// TestWebConfigForEveryEnvironment: make web-config works for every shipped environment (and the
// all-options one) and copies every value from the stack output that declares it.
func TestWebConfigForEveryEnvironment(t *testing.T) {
	for _, env := range []string{"dev", "prod", "full"} {
		deployed := deployOutputs(t, env)
		files, err := webconfig.Generate("cdk-outputs.json", deployed, env)
		if err != nil {
			t.Fatalf("%s: %v", env, err)
		}
		var doc struct {
			Version string
			Custom  map[string]any
			Auth    map[string]any
			Storage struct {
				BucketName string `json:"bucket_name"`
				Buckets    []struct {
					Paths map[string]map[string][]string
				}
			}
		}
		if err := json.Unmarshal(files.AmplifyOutputs, &doc); err != nil {
			t.Fatal(err)
		}
		auth := deployed[contract.StackName(env, "auth")]
		for key, want := range map[string]any{
			"aws_region": auth[contract.Region], "user_pool_id": auth[contract.UserPoolID],
			"user_pool_client_id": auth[contract.UserPoolClientID], "identity_pool_id": auth[contract.IdentityPoolID],
			"unauthenticated_identities_enabled": env == "full",
		} {
			if doc.Auth[key] != want {
				t.Errorf("%s: auth.%s = %v, want %v", env, key, doc.Auth[key], want)
			}
		}
		if doc.Custom["self_sign_up_enabled"] != (env != "full") {
			t.Errorf("%s: custom.self_sign_up_enabled = %v", env, doc.Custom["self_sign_up_enabled"])
		}
		if key := referenceApp().envs[env].OwnerKey; doc.Custom["owner_key"] != key || auth[contract.OwnerKey] != key {
			t.Errorf("%s: custom.owner_key = %v (deployed %q), want the configured %q", env, doc.Custom["owner_key"], auth[contract.OwnerKey], key)
		}
		if doc.Version != "1.4" || doc.Storage.BucketName != deployed[contract.StackName(env, "uploads")][contract.UploadBucketName] {
			t.Errorf("%s: version %q, bucket %q", env, doc.Version, doc.Storage.BucketName)
		}
		vars := parseEnvLocal(t, files.EnvLocal)
		server := deployed[contract.StackName(env, "server")]
		want := map[string]string{
			"AWS_REGION": auth[contract.Region], "TRUST_ROLE_ARN": server[contract.TrustRoleArn],
			"ROLE_SESSION_NAME": server[contract.SessionName], "SESSION_DURATION_SECONDS": server[contract.SessionDurationSeconds],
			"ASSET_FUNCTION_NAME": server[contract.AssetFunctionName], "ASSET_FUNCTION_ARN": server[contract.AssetFunctionArn],
			"FEEDBACK_TOPIC_ARN": deployed[contract.StackName(env, "hosting")][contract.FeedbackTopicArn],
		}
		want["API_URL"] = deployed[contract.StackName(env, "api")][contract.APIURL]
		want["TOKEN_SERVICE_FUNCTION_NAME"] = deployed[contract.StackName(env, "api")][contract.TokenServiceFunctionName]
		want["CDN_DOMAIN"] = deployed[contract.StackName(env, "uploads")][contract.CdnDomain]
		want["SIGNER_FUNCTION_NAME"] = deployed[contract.StackName(env, "delivery")][contract.SignerFunctionName]
		if env == "full" && want["CDN_DOMAIN"] != "images.example.com" {
			t.Errorf("full: CDN_DOMAIN = %q, want the custom domain", want["CDN_DOMAIN"])
		}
		if env == "full" {
			want["CROSS_ACCOUNT_ROLE_ARN"] = deployed[contract.StackName(env, "crossaccount")][contract.CrossAccountRoleArn]
		}
		if !equalJSON(vars, want) {
			t.Errorf("%s: .env.local = %v\nwant %v", env, vars, want)
		}
	}
}

// TestStoragePathsMatchBucketPolicies: every path and action amplify_outputs.json announces is
// exactly what the synthesized policies allow the owner, with {entity_id} as the owner key
// custom.owner_key names (dev: the sub; prod: the identity id), so the two cannot disagree.
func TestStoragePathsMatchBucketPolicies(t *testing.T) {
	m, err := referenceModel()
	if err != nil {
		t.Fatal(err)
	}
	paths := accessrules.AmplifyPaths(accessrules.Reference())
	if !equalJSON(paths, map[string]map[string][]string{"protected/{entity_id}/*": {"entityidentity": {"get", "list", "write", "delete"}}}) {
		t.Fatalf("paths = %v", paths)
	}
	keys := map[string]bool{}
	for _, env := range []string{"dev", "prod"} {
		cfg := referenceApp().envs[env]
		keys[cfg.OwnerKey] = true
		var pool *access.IdentityPool
		for _, p := range m.IdentityPools {
			if p.Stack == env+"/Auth" {
				pool = p
			}
		}
		session, result, err := m.SignInWith(matrix.LoginA(pool, ""))
		if err != nil || result.Decision != access.Allow {
			t.Fatalf("%s: A cannot sign in: %v %v", env, result, err)
		}
		storagePathsMatch(t, m, env, paths, session, matrix.OwnerA(cfg))
	}
	if len(keys) != 2 {
		t.Errorf("dev and prod have owner keys %v; the test needs one environment of each key", slices.Sorted(maps.Keys(keys)))
	}
}

func storagePathsMatch(t *testing.T, m *access.Model, env string, paths map[string]map[string][]string, session access.Session, owner string) {
	t.Helper()
	bucket := "arn:aws:s3:::" + must(m.Attr(env+"/Uploads", uploadBucket, "Ref"))
	for path, who := range paths {
		folder := strings.Replace(strings.TrimSuffix(path, "*"), storage.EntityID, owner, 1)
		announced := map[string]bool{}
		for _, a := range who["entityidentity"] {
			announced[a] = true
		}
		for action, req := range map[string]access.Request{
			"get":    session.Request("s3:GetObject", bucket+"/"+folder+"photo.jpg", nil),
			"list":   session.Request("s3:ListBucket", bucket, access.Context{"s3:prefix": {folder}}),
			"write":  session.Request("s3:PutObject", bucket+"/"+folder+"photo.jpg", nil),
			"delete": session.Request("s3:DeleteObject", bucket+"/"+folder+"photo.jpg", nil),
		} {
			got, err := m.Evaluate(req)
			if err != nil {
				t.Fatal(err)
			}
			if (got.Decision == access.Allow) != announced[action] {
				t.Errorf("%s: %s %s: outputs announce %v, policies decide %s", env, path, action, announced[action], got)
			}
		}
	}
}

// TestAmplifyJSAcceptsOutputs: the real client (aws-amplify v6) configures from the generated
// file and understands the Cognito ids, the guest setting, the bucket, the region and the paths.
func TestAmplifyJSAcceptsOutputs(t *testing.T) {
	envs := []string{"dev", "full"}
	var files []string
	for _, env := range envs {
		generated, err := webconfig.Generate("cdk-outputs.json", deployOutputs(t, env), env)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(t.TempDir(), env)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := generated.Write(dir, ".env.local"); err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Join(dir, "amplify_outputs.json"))
	}
	amplifyProcess.send(must(json.Marshal(files)))
	out, err := amplifyProcess.output()
	if err != nil {
		t.Fatalf("aws-amplify refused the outputs: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(envs) {
		t.Fatalf("configure.mjs printed %d configurations for %d files:\n%s", len(lines), len(envs), out)
	}
	for i, env := range envs {
		var config struct {
			Auth struct {
				Cognito struct {
					UserPoolID, UserPoolClientID, IdentityPoolID string
					AllowGuestAccess                             bool
					LoginWith                                    struct{ Email bool }
					Mfa                                          struct {
						Status      string
						TotpEnabled bool
					}
					PasswordFormat struct{ MinLength int }
				}
			}
			Storage struct {
				S3 struct {
					Bucket, Region string
					Buckets        map[string]struct {
						BucketName string
						Paths      map[string]map[string][]string
					}
				}
			}
		}
		if err := json.Unmarshal([]byte(lines[i]), &config); err != nil {
			t.Fatalf("%s: %v\n%s", env, err, lines[i])
		}
		auth := deployOutputs(t, env)[contract.StackName(env, "auth")]
		c := config.Auth.Cognito
		if c.UserPoolID != auth[contract.UserPoolID] || c.UserPoolClientID != auth[contract.UserPoolClientID] ||
			c.IdentityPoolID != auth[contract.IdentityPoolID] || c.AllowGuestAccess != (env == "full") ||
			!c.LoginWith.Email || c.PasswordFormat.MinLength != 12 {
			t.Errorf("%s: Amplify.getConfig().Auth.Cognito = %+v", env, c)
		}
		if wantMFA := map[string]string{"dev": "optional", "full": "off"}[env]; c.Mfa.Status != wantMFA || c.Mfa.TotpEnabled != (env == "dev") {
			t.Errorf("%s: mfa = %+v, want %s", env, c.Mfa, wantMFA)
		}
		s3 := config.Storage.S3
		uploads := s3.Buckets["uploads"]
		if s3.Region != auth[contract.Region] || s3.Bucket == "" || uploads.BucketName != s3.Bucket ||
			!equalJSON(uploads.Paths, accessrules.AmplifyPaths(accessrules.Reference())) {
			t.Errorf("%s: Amplify.getConfig().Storage.S3 = %+v", env, s3)
		}
	}
}

// TestFixtureHasEveryOutputOfDev: the deploy-shaped fixture (test/testdata/cdk-outputs.json,
// which the web app's tests run on) holds every output dev's stacks declare, but the CDK's own
// cross-stack ones (PublishOutput…), so it is what a deploy of dev writes.
func TestFixtureHasEveryOutputOfDev(t *testing.T) {
	var fixture map[string]map[string]string
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join(repoRoot, "test", "testdata", "cdk-outputs.json"))), &fixture); err != nil {
		t.Fatal(err)
	}
	r := referenceApp()
	for _, name := range r.stackNames() {
		if !strings.HasPrefix(name, "dev/") {
			continue
		}
		stackName := *r.stack(name).StackName()
		outputs, _ := r.json[name]["Outputs"].(map[string]any)
		for key := range outputs {
			if strings.HasPrefix(key, "PublishOutput") {
				continue
			}
			if _, ok := fixture[stackName][key]; !ok {
				t.Errorf("test/testdata/cdk-outputs.json lacks %s.%s, which %s declares", stackName, key, name)
			}
		}
	}
}
