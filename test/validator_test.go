package test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/access"
)

// TestCloudFormationValidatorStrict runs AWS's CloudFormation validator (test/validator/strict.mjs:
// the engine aws-cdk-lib bundles, at the same version) over every template of the reference app
// in strict mode, with no rule excluded — stricter than aws-cdk-lib's own plugin, which skips
// W3005 (redundant DependsOn) among others. No stack of ours may have a finding; the canary's
// finding must be there, which proves the validator read the assembly.
func TestCloudFormationValidatorStrict(t *testing.T) {
	r := referenceApp()
	templates := must(access.LoadAssembly(r.outdir))
	type stack struct {
		Template string `json:"template"`
		Account  string `json:"account"`
		Region   string `json:"region"`
	}
	var input struct {
		Stacks []stack `json:"stacks"`
	}
	for _, s := range templates {
		input.Stacks = append(input.Stacks, stack{Template: s.File, Account: cmpOr(s.Account, access.FakeAccount), Region: cmpOr(s.Region, "us-east-1")})
	}
	cmd := exec.Command("node", filepath.Join(repoRoot, "test", "validator", "strict.mjs"))
	cmd.Stdin = strings.NewReader(string(must(json.Marshal(input))))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("strict.mjs: %v\n%s", err, stderr.String())
	}
	var findings []struct {
		Template, RuleID, Severity, LogicalID, Path, Message string
	}
	if err := json.Unmarshal(out, &findings); err != nil {
		t.Fatalf("strict.mjs output: %v\n%s", err, out)
	}
	canary := false
	for _, f := range findings {
		if strings.Contains(f.Template, "Canary") {
			canary = canary || f.RuleID == canaryRule
			continue
		}
		t.Errorf("%s: %s %s %s %s: %s", filepath.Base(f.Template), f.Severity, f.RuleID, f.LogicalID, f.Path, f.Message)
	}
	if !canary {
		t.Fatalf("the validator did not report the canary's %s finding, so it did not read the assembly:\n%s", canaryRule, out)
	}
	if len(templates) < len(r.stacks) {
		t.Fatalf("the validator read %d templates; the app has %d stacks", len(templates), len(r.stacks))
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
