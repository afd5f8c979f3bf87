package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCloudFormationValidator reads the report of aws-cdk-lib's CloudFormation validator, which
// ran (registered explicitly, with every default rule, findings as errors) during the reference
// app's one synth: no stack of ours has a finding, and the canary's acknowledged one is there.
func TestCloudFormationValidator(t *testing.T) {
	r := referenceApp()
	raw, err := os.ReadFile(filepath.Join(r.outdir, "validation-report.json"))
	if err != nil {
		t.Fatalf("no validation report: %v", err)
	}
	var report struct {
		PluginReports []struct {
			PluginName           string            `json:"pluginName"`
			Violations           []json.RawMessage `json:"violations"`
			SuppressedViolations []struct {
				RuleName string `json:"ruleName"`
			} `json:"suppressedViolations"`
		} `json:"pluginReports"`
	}
	if err := json.Unmarshal(raw, &report); err != nil {
		t.Fatal(err)
	}
	ran := false
	for _, p := range report.PluginReports {
		if !strings.Contains(p.PluginName, "CloudFormation") {
			continue
		}
		for _, v := range p.Violations {
			t.Errorf("validator finding: %s", v)
		}
		for _, s := range p.SuppressedViolations {
			ran = ran || s.RuleName == canaryRule
		}
	}
	if !ran {
		t.Fatalf("the validator did not report the canary's acknowledged %s finding, so it did not run:\n%s", canaryRule, raw)
	}
}
