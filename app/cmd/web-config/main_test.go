package main

import (
	"encoding/xml"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/app/webconfig"
)

// fakeCloudFormation is CloudFormation's query API for DescribeStacks, answering from a deploy's
// outputs file, as the real SDK client sees it over HTTP. deny names stacks it refuses.
type fakeCloudFormation struct {
	deployed webconfig.Outputs
	deny     map[string]bool
	mu       sync.Mutex
	asked    []string
	auth     []string
}

func (f *fakeCloudFormation) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Form.Get("Action") != "DescribeStacks" {
		http.Error(w, "unexpected request", http.StatusBadRequest)
		return
	}
	name := r.Form.Get("StackName")
	f.mu.Lock()
	f.asked = append(f.asked, name)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	fail := func(status int, code, message string) {
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`,
			code, xmlText(message))
	}
	values, ok := f.deployed[name]
	switch {
	case f.deny[name]:
		fail(http.StatusForbidden, "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/other/build is not authorized to perform: cloudformation:DescribeStacks on resource: "+name)
		return
	case !ok:
		fail(http.StatusBadRequest, "ValidationError", "Stack with id "+name+" does not exist")
		return
	}
	var outputs strings.Builder
	for _, key := range slices.Sorted(maps.Keys(values)) {
		fmt.Fprintf(&outputs, "<member><OutputKey>%s</OutputKey><OutputValue>%s</OutputValue></member>", xmlText(key), xmlText(values[key]))
	}
	fmt.Fprintf(w, `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>`+
		`<StackName>%s</StackName><StackId>arn:aws:cloudformation:ap-southeast-1:123456789012:stack/%s/0b1c2d3e</StackId>`+
		`<CreationTime>2026-11-01T00:00:00Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus><Outputs>%s</Outputs>`+
		`</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
		xmlText(name), xmlText(name), outputs.String())
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// withFakeCloudFormation points the AWS SDK's default configuration at f, with static
// credentials and no shared files or instance metadata.
func withFakeCloudFormation(t *testing.T, f *fakeCloudFormation) {
	server := httptest.NewServer(f)
	t.Cleanup(server.Close)
	for key, value := range map[string]string{
		"AWS_ENDPOINT_URL_CLOUDFORMATION": server.URL, "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_REGION": "eu-central-1",
	} {
		t.Setenv(key, value)
	}
}

func fixture(t *testing.T) webconfig.Outputs {
	deployed, err := webconfig.ReadOutputs(filepath.Join("..", "..", "..", "test", "testdata", "cdk-outputs.json"))
	if err != nil {
		t.Fatal(err)
	}
	return deployed
}

// TestHostedBuildReadsTheStacks runs what amplify.yml runs, app/cmd/web-config -from-stacks, with the
// real SDK client against a fake CloudFormation endpoint: signed requests in the environment's
// region from cdk.json (not the shell's AWS_REGION), exactly the web app's stacks, and the
// files make web-config would write from the outputs file.
func TestHostedBuildReadsTheStacks(t *testing.T) {
	fake := &fakeCloudFormation{deployed: fixture(t)}
	withFakeCloudFormation(t, fake)
	dir := t.TempDir()
	var stdout, stderr strings.Builder
	code := run([]string{"-env", "dev", "-from-stacks", "-cdk-json", filepath.Join("..", "..", "..", "cdk.json"), "-out-dir", dir, "-dotenv", ".env.production"},
		&stdout, &stderr, readStacks)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !slices.Equal(fake.asked, webconfig.SourceStacks("dev")) {
		t.Errorf("described %v, want %v", fake.asked, webconfig.SourceStacks("dev"))
	}
	for _, auth := range fake.auth {
		if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/") || !strings.Contains(auth, "/ap-southeast-1/cloudformation/aws4_request") {
			t.Errorf("request not signed for cloudformation in ap-southeast-1: %q", auth)
		}
	}
	want, err := webconfig.Generate("x", fake.deployed, "dev")
	if err != nil {
		t.Fatal(err)
	}
	amplify, _ := os.ReadFile(filepath.Join(dir, "amplify_outputs.json"))
	dotenv, _ := os.ReadFile(filepath.Join(dir, ".env.production"))
	_, body, _ := strings.Cut(string(dotenv), "\n")
	_, wantBody, _ := strings.Cut(string(want.EnvLocal), "\n")
	if string(amplify) != string(want.AmplifyOutputs) || body != wantBody {
		t.Errorf("files differ from the outputs file's:\n%s\n%s", amplify, dotenv)
	}
}

// TestHostedBuildRefusals: the SDK's own errors for a stack the role may not read and a stack
// that does not exist come back as one line each, and nothing is written.
func TestHostedBuildRefusals(t *testing.T) {
	fake := &fakeCloudFormation{deployed: fixture(t), deny: map[string]bool{"gatehouse-dev-server": true}}
	delete(fake.deployed, "gatehouse-dev-auth")
	withFakeCloudFormation(t, fake)
	dir := t.TempDir()
	var stdout, stderr strings.Builder
	code := run([]string{"-env", "dev", "-from-stacks", "-cdk-json", filepath.Join("..", "..", "..", "cdk.json"), "-out-dir", dir}, &stdout, &stderr, readStacks)
	want := []string{
		`CloudFormation ap-southeast-1: stack "gatehouse-dev-server": not allowed to read it (User: arn:aws:sts::123456789012:assumed-role/other/build is not authorized to perform: cloudformation:DescribeStacks on resource: gatehouse-dev-server): run with the build role (the hosting stack's BuildRoleArn, the Amplify app's service role), which may DescribeStacks it`,
	}
	if got := strings.Split(strings.TrimSpace(stderr.String()), "\n"); code != 1 || !slices.Equal(got, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant:\n%s", code, stderr.String(), strings.Join(want, "\n"))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("wrote %v", entries)
	}
	// Readable, but the auth stack is missing: the generator's own message names it.
	fake.deny = nil
	stderr.Reset()
	code = run([]string{"-env", "dev", "-from-stacks", "-cdk-json", filepath.Join("..", "..", "..", "cdk.json"), "-out-dir", dir}, &stdout, &stderr, readStacks)
	if code != 1 || !strings.Contains(stderr.String(), `CloudFormation ap-southeast-1: no stack "gatehouse-dev-auth": deploy it`) {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
}
