package webconfig_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/webconfig"
)

// fixture is a file in the shape `cdk deploy --outputs-file` writes, for the dev environment.
var fixture = filepath.Join("..", "test", "testdata", "cdk-outputs.json")

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func equalStrings(a, b []string) bool { return slices.Equal(a, b) }

// TestOutputsFromDeployFixture runs the real command on a file in the shape cdk deploy writes.
func TestOutputsFromDeployFixture(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr strings.Builder
	if code := webconfig.Main([]string{"-env", "dev", "-outputs-file", fixture, "-out-dir", dir}, &stdout, &stderr, nil); code != 0 {
		t.Fatalf("make outputs failed: exit %d\n%s", code, stderr.String())
	}
	envLocal := "\n" + string(must(os.ReadFile(filepath.Join(dir, ".env.local"))))
	if !strings.Contains(envLocal, "\nTRUST_ROLE_ARN=arn:aws:iam::123456789012:role/gatehouse-dev-server-TrustRole655E6A67-Mn0Bv9Cx8Za7\n") ||
		!strings.Contains(envLocal, "\nFEEDBACK_TOPIC_ARN=arn:") || strings.Contains(envLocal, "\nCROSS_ACCOUNT_ROLE_ARN=") ||
		!strings.Contains(envLocal, "\nCDN_DOMAIN=d1a2b3c4d5e6f7.cloudfront.net\n") ||
		!strings.Contains(envLocal, "\nSIGNER_FUNCTION_NAME=gatehouse-dev-delivery-SignerFunction632149FF-Qw3Er4Ty5Ui6\n") ||
		!strings.Contains(envLocal, "\nAPI_URL=https://a1b2c3d4e5.execute-api.ap-southeast-1.amazonaws.com/v1/\n") ||
		!strings.Contains(envLocal, "\nTOKEN_SERVICE_FUNCTION_NAME=gatehouse-dev-api-TokenApiTokenService6BEDC781-Hg7Fd6Sa5Qw4\n") {
		t.Errorf(".env.local =%s", envLocal)
	}
	var doc map[string]any
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join(dir, "amplify_outputs.json"))), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["auth"].(map[string]any)["user_pool_id"] != "ap-southeast-1_Ab3Cd5Ef7" {
		t.Errorf("amplify_outputs.json = %v", doc)
	}
}

// TestOutputsBadInput: a clear line for each problem, naming the stack, the key and where it
// should come from; nothing written.
func TestOutputsBadInput(t *testing.T) {
	good := func() webconfig.Outputs {
		raw := must(os.ReadFile(fixture))
		var o webconfig.Outputs
		_ = json.Unmarshal(raw, &o)
		return o
	}
	for _, c := range []struct {
		name   string
		change func(webconfig.Outputs)
		want   []string
	}{
		{"missing stack", func(o webconfig.Outputs) { delete(o, "gatehouse-dev-server") }, []string{
			`f.json: no stack "gatehouse-dev-server": deploy it (make deploy ENV=<env>) so that its outputs are written`,
		}},
		{"missing key", func(o webconfig.Outputs) { delete(o["gatehouse-dev-auth"], "UserPoolId") }, []string{
			`f.json: stack "gatehouse-dev-auth" has no output "UserPoolId": redeploy it with this version of gatehouse`,
		}},
		{"delivery half deployed", func(o webconfig.Outputs) { delete(o, "gatehouse-dev-delivery") }, []string{
			`f.json: image delivery is half deployed ("gatehouse-dev-uploads" has CdnDomain, "gatehouse-dev-delivery" has no SignerFunctionName): deploy every stack of the environment (make deploy ENV=dev)`,
		}},
		{"api without its token service", func(o webconfig.Outputs) { delete(o["gatehouse-dev-api"], "TokenServiceFunctionName") }, []string{
			`f.json: stack "gatehouse-dev-api" has no output "TokenServiceFunctionName": redeploy it with this version of gatehouse`,
		}},
		{"wrong shapes", func(o webconfig.Outputs) {
			o["gatehouse-dev-auth"]["IdentityPoolId"] = "not-an-id"
			o["gatehouse-dev-server"]["SessionDurationSeconds"] = "7200"
		}, []string{
			`f.json: stack "gatehouse-dev-auth" output "IdentityPoolId" = "not-an-id": must be an identity pool id (<region>:<uuid>)`,
			`f.json: stack "gatehouse-dev-server" output "SessionDurationSeconds" = "7200": must be a whole number of seconds (role chaining caps sessions at one hour) from 900 to 3600`,
		}},
	} {
		o := good()
		c.change(o)
		_, err := webconfig.Generate("f.json", o, "dev")
		var werr *webconfig.Error
		if !errors.As(err, &werr) || !equalStrings(werr.Problems, c.want) {
			t.Errorf("%s: got %v\nwant %s", c.name, err, strings.Join(c.want, "\n"))
		}
	}
	// The command: exit 1, the lines on stderr, no file written.
	dir := t.TempDir()
	for _, c := range []struct{ file, want string }{
		{filepath.Join(dir, "missing.json"), filepath.Join(dir, "missing.json") + " does not exist: deploy first with `make deploy ENV=<env> PROFILE=<profile>`, which writes it (cdk deploy --outputs-file)"},
		{filepath.Join("..", "go.mod"), filepath.Join("..", "go.mod") + ` is not a cdk deploy outputs file ({"<stack>": {"<output>": "<value>"}}): invalid character 'm' looking for beginning of value`},
	} {
		var stdout, stderr strings.Builder
		code := webconfig.Main([]string{"-env", "dev", "-outputs-file", c.file, "-out-dir", dir}, &stdout, &stderr, nil)
		if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); code != 1 || lines[0] != c.want {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant %s", c.file, code, stderr.String(), c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed runs wrote %d files", len(entries))
	}
}
