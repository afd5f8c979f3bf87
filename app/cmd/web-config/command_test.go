package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-cdk/gatehouse/app/webconfig"
	"github.com/gatehouse-cdk/gatehouse/internal/stackoutputs"
)

var (
	// fixtureFile is a file in the shape `cdk deploy --outputs-file` writes, for dev.
	fixtureFile = filepath.Join("..", "..", "..", "test", "testdata", "cdk-outputs.json")
	cdkJSON     = filepath.Join("..", "..", "..", "cdk.json")
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestOutputsFromDeployFixture runs the real command on a file in the shape cdk deploy writes.
func TestOutputsFromDeployFixture(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr strings.Builder
	if code := run([]string{"-env", "dev", "-outputs-file", fixtureFile, "-out-dir", dir}, &stdout, &stderr, nil); code != 0 {
		t.Fatalf("make web-config failed: exit %d\n%s", code, stderr.String())
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

// TestOutputsFileProblems: a missing or malformed outputs file is one line, exit 1, nothing written.
func TestOutputsFileProblems(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ file, want string }{
		{filepath.Join(dir, "missing.json"), filepath.Join(dir, "missing.json") + " does not exist: deploy first with `make deploy ENV=<env> PROFILE=<profile>`, which writes it (cdk deploy --outputs-file)"},
		{filepath.Join("..", "..", "..", "go.mod"), filepath.Join("..", "..", "..", "go.mod") + ` is not a cdk deploy outputs file ({"<stack>": {"<output>": "<value>"}}): invalid character 'm' looking for beginning of value`},
	} {
		var stdout, stderr strings.Builder
		code := run([]string{"-env", "dev", "-outputs-file", c.file, "-out-dir", dir}, &stdout, &stderr, nil)
		if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); code != 1 || lines[0] != c.want {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant %s", c.file, code, stderr.String(), c.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed runs wrote %d files", len(entries))
	}
}

// describeStacksFake answers DescribeStacks from a deploy's outputs file, as CloudFormation
// would for those stacks; errors and statuses override it per stack.
type describeStacksFake struct {
	deployed webconfig.Outputs
	errors   map[string]error
	statuses map[string]types.StackStatus
	asked    []string
}

func (f *describeStacksFake) DescribeStacks(_ context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	name := aws.ToString(in.StackName)
	f.asked = append(f.asked, name)
	if err := f.errors[name]; err != nil {
		return nil, err
	}
	values, ok := f.deployed[name]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "ValidationError", Message: "Stack with id " + name + " does not exist"}
	}
	stack := types.Stack{StackName: in.StackName, StackStatus: types.StackStatusUpdateComplete}
	if status, ok := f.statuses[name]; ok {
		stack.StackStatus = status
	}
	for key, value := range values {
		stack.Outputs = append(stack.Outputs, types.Output{OutputKey: aws.String(key), OutputValue: aws.String(value)})
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []types.Stack{stack}}, nil
}

func fakeFromFixture(t *testing.T) *describeStacksFake {
	t.Helper()
	deployed, err := webconfig.ReadOutputs(fixtureFile)
	if err != nil {
		t.Fatal(err)
	}
	return &describeStacksFake{deployed: deployed}
}

// runFromStacks runs the command with -from-stacks against cf, returning the exit code, the output directory and stderr.
func runFromStacks(t *testing.T, cf *describeStacksFake, extra ...string) (int, string, string, string) {
	t.Helper()
	dir := t.TempDir()
	var region string
	read := func(r, source string, stacks []string) (webconfig.Outputs, error) {
		region = r
		return stackoutputs.Read(context.Background(), cf, source, stacks)
	}
	var stdout, stderr strings.Builder
	args := append([]string{"-env", "dev", "-from-stacks", "-cdk-json", cdkJSON, "-out-dir", dir}, extra...)
	code := run(args, &stdout, &stderr, read)
	return code, dir, region, stderr.String()
}

// TestFromStacksWritesWhatTheOutputsFileWould: a hosted build, reading the deployed stacks,
// writes the same configuration as make web-config from the deploy's outputs file, into the file
// Amplify's SSR runtime reads; it asks for exactly the web app's stacks, in the environment's
// region from cdk.json.
func TestFromStacksWritesWhatTheOutputsFileWould(t *testing.T) {
	cf := fakeFromFixture(t)
	code, dir, region, stderr := runFromStacks(t, cf, "-dotenv", ".env.production")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if region != "ap-southeast-1" {
		t.Errorf("read stacks in %q, want dev's region ap-southeast-1", region)
	}
	if !slices.Equal(cf.asked, webconfig.SourceStacks("dev")) {
		t.Errorf("described %v, want %v", cf.asked, webconfig.SourceStacks("dev"))
	}
	want, err := webconfig.Generate(fixtureFile, cf.deployed, "dev")
	if err != nil {
		t.Fatal(err)
	}
	amplify, _ := os.ReadFile(filepath.Join(dir, "amplify_outputs.json"))
	if string(amplify) != string(want.AmplifyOutputs) {
		t.Errorf("amplify_outputs.json differs from the outputs file's:\n%s", amplify)
	}
	dotenv, err := os.ReadFile(filepath.Join(dir, ".env.production"))
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(dotenv), "\n")
	_, wantBody, _ := strings.Cut(string(want.EnvLocal), "\n")
	if body != wantBody || !strings.HasPrefix(string(dotenv), "# Generated by app/cmd/web-config (make web-config) from CloudFormation ap-southeast-1 (environment dev).") {
		t.Errorf(".env.production =\n%s\nwant the body\n%s", dotenv, wantBody)
	}
	if _, err := os.Stat(filepath.Join(dir, ".env.local")); !os.IsNotExist(err) {
		t.Errorf(".env.local written too (%v)", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(amplify, &doc); err != nil || doc["version"] != "1.4" {
		t.Errorf("amplify_outputs.json: %v %v", err, doc["version"])
	}
}

// TestFromStacksProblems: each problem is one line naming the stack and what to do, and nothing
// is written.
func TestFromStacksProblems(t *testing.T) {
	cf := fakeFromFixture(t)
	delete(cf.deployed, "gatehouse-dev-auth")
	cf.errors = map[string]error{"gatehouse-dev-server": &smithy.GenericAPIError{Code: "AccessDenied",
		Message: "User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized to perform: cloudformation:DescribeStacks"}}
	cf.statuses = map[string]types.StackStatus{"gatehouse-dev-uploads": types.StackStatusRollbackComplete}
	code, dir, _, stderr := runFromStacks(t, cf)
	want := []string{
		`CloudFormation ap-southeast-1: stack "gatehouse-dev-uploads" is ROLLBACK_COMPLETE: its outputs are not a deployment's; deploy it (make deploy ENV=<env>) and build again`,
		`CloudFormation ap-southeast-1: stack "gatehouse-dev-server": not allowed to read it (User: arn:aws:sts::123456789012:assumed-role/x/y is not authorized to perform: cloudformation:DescribeStacks): run with the build role (the hosting stack's BuildRoleArn, the Amplify app's service role), which may DescribeStacks it`,
	}
	if code != 1 || !slices.Equal(strings.Split(strings.TrimSpace(stderr), "\n"), want) {
		t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, stderr, strings.Join(want, "\n"))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("wrote %v on failure", entries)
	}
	// Readable but missing the auth stack: webconfig names it.
	cf.errors, cf.statuses = nil, nil
	code, _, _, stderr = runFromStacks(t, cf)
	if code != 1 || !strings.Contains(stderr, `CloudFormation ap-southeast-1: no stack "gatehouse-dev-auth": deploy it`) {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	// A bad flag is refused before anything is read.
	cf.asked = nil
	code, _, _, stderr = runFromStacks(t, cf, "-dotenv", ".env")
	if code != 2 || len(cf.asked) != 0 || !strings.Contains(stderr, "-dotenv .env: must be one of [.env.local .env.production]") {
		t.Errorf("exit %d, asked %v, stderr:\n%s", code, cf.asked, stderr)
	}
}
