package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBootstrap: make bootstrap's script, with stand-ins for aws and cdk that record their
// arguments, over an assembly shaped as a synth writes it. In the profile's account it deploys
// the guardrails stack with the administrator's credentials, then bootstraps every region the
// app deploys to there with gatehouse's execution policy (never AdministratorAccess), trusting
// the pipeline's account; a stack of another account is left, named, for that account's profile.
func TestBootstrap(t *testing.T) {
	bash := tool(t, "bash")
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	assembly := filepath.Join(dir, "cdk.out")
	log := filepath.Join(dir, "calls.log")
	write := func(path, text string, mode os.FileMode) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(bin, "aws"), `#!/bin/sh
echo "aws $*" >> "$CALLS"
case "$*" in *get-caller-identity*) echo 222222222222 ;; esac
`, 0o755)
	write(filepath.Join(bin, "cdk"), "#!/bin/sh\necho \"cdk $*\" >> \"$CALLS\"\n", 0o755)
	linkTool(t, bin, "node")
	write(filepath.Join(assembly, "manifest.json"), `{"artifacts": {
  "Guardrails": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/ap-southeast-1",
    "properties": {"templateFile": "Guardrails.template.json", "stackName": "gatehouse-guardrails"}},
  "assembly-dev": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-dev"}}}}`, 0o644)
	write(filepath.Join(assembly, "assembly-dev", "manifest.json"), `{"artifacts": {
  "devAuth": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/ap-southeast-1",
    "properties": {"templateFile": "devAuth.template.json", "stackName": "gatehouse-dev-auth"}},
  "devDeliveryLogs": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/us-east-1",
    "properties": {"templateFile": "devDeliveryLogs.template.json", "stackName": "gatehouse-dev-delivery-logs"}},
  "devCrossAccount": {"type": "aws:cloudformation:stack", "environment": "aws://777788889999/eu-west-1",
    "properties": {"templateFile": "devCrossAccount.template.json", "stackName": "gatehouse-dev-crossaccount"}}}}`, 0o644)
	cmd := exec.Command(bash, "bootstrap.sh", assembly, "dev-admin", "111111111111")
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + dir, "CALLS=" + log}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bootstrap.sh: %v\n%s", err, out)
	}
	calls := strings.Split(strings.TrimSpace(string(must(os.ReadFile(log)))), "\n")
	want := []string{
		"aws --profile dev-admin sts get-caller-identity --output text --query Account",
		"aws --profile dev-admin cloudformation deploy --region ap-southeast-1 --stack-name gatehouse-guardrails --template-file " +
			filepath.Join(assembly, "Guardrails.template.json") + " --capabilities CAPABILITY_NAMED_IAM --no-fail-on-empty-changeset",
		"cdk --no-notices bootstrap --profile dev-admin --cloudformation-execution-policies arn:aws:iam::222222222222:policy/gatehouse-deploy-execution " +
			"--custom-permissions-boundary gatehouse-bootstrap-boundary " +
			"--trust 111111111111 aws://222222222222/ap-southeast-1 aws://222222222222/us-east-1",
	}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("calls:\n  %s\nwant:\n  %s", strings.Join(calls, "\n  "), strings.Join(want, "\n  "))
	}
	if !strings.Contains(string(out), "gatehouse-dev-crossaccount in 777788889999/eu-west-1") {
		t.Errorf("the other account's stack is not named:\n%s", out)
	}
	if strings.Contains(string(out)+strings.Join(calls, " "), "AdministratorAccess") {
		t.Errorf("AdministratorAccess appears:\n%s", out)
	}
	// The shipped placeholder of pipeline.account is never trusted.
	os.Remove(log)
	cmd = exec.Command(bash, "bootstrap.sh", assembly, "dev-admin", "123456789012")
	cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + dir, "CALLS=" + log}
	out, err = cmd.CombinedOutput()
	if _, statErr := os.Stat(log); err == nil || statErr == nil || !strings.Contains(string(out), "AWS's documentation account (a placeholder)") {
		t.Errorf("trusting the placeholder account: err %v, calls made: %v, output %s", err, statErr == nil, out)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
