package test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/access"
)

// validateAssembly sends every template of the assembly in dir to the validator process
// (internal/cfnvalidate/strict.mjs: AWS's CloudFormation validator, the engine aws-cdk-lib bundles at
// the same version, in strict mode with no rule excluded), which reports once it has read them.
func validateAssembly(dir string) {
	templates := must(access.LoadAssembly(dir))
	type stack struct {
		Template string `json:"template"`
		Account  string `json:"account"`
		Region   string `json:"region"`
	}
	var input struct {
		Stacks []stack `json:"stacks"`
	}
	for _, s := range templates {
		if strings.HasPrefix(s.Path, lessGroupsEnv+"/") {
			continue // "full" less a group: the same templates less three resources
		}
		input.Stacks = append(input.Stacks, stack{Template: s.File, Account: cmpOr(s.Account, access.FakeAccount), Region: cmpOr(s.Region, "us-east-1")})
	}
	validatorProcess.send(must(json.Marshal(input)))
}

type validatorFinding struct {
	Template, RuleID, Severity, LogicalID, Path, Message string
}

// TestCloudFormationValidatorStrict: AWS's validator in strict mode over every template of the
// reference app — stricter than aws-cdk-lib's own plugin, which skips W3005 (redundant
// DependsOn) among others. No stack of ours may have a finding; the canary's finding must be
// there, which proves the validator read the assembly.
func TestCloudFormationValidatorStrict(t *testing.T) {
	t.Parallel()   // it only waits for its prestarted process
	referenceApp() // sends the templates
	out, err := validatorProcess.output()
	if err != nil {
		t.Fatal(err)
	}
	var findings []validatorFinding
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
		t.Fatalf("the validator did not report the canary's %s finding, so it did not read the assembly: %+v", canaryRule, findings)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
