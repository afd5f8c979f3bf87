package test

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/internal/cfnvalidate"
)

// validatorFindings are the validator's findings over the reference app's assembly. The validator
// (package cfnvalidate: AWS's CloudFormation validator, the engine aws-cdk-lib bundles at the
// same version, in strict mode with no rule excluded) loads while the reference app synthesizes;
// validateAssembly sends it the templates through cfnvalidate.Check, as the app does: every
// template its cache (the app's, build/cfn-validated) has no pass for — the canary's, which never
// passes, always among them.
var (
	validator      *cfnvalidate.Process
	validatorCache *cfnvalidate.Cache
	// validated is closed when validatorFindings and validatorErr are set (nil: nothing sent).
	validated         chan struct{}
	validatorFindings []cfnvalidate.Finding
	validatorSent     int
	validatorErr      error
)

func validateAssembly(dir string) {
	validated = make(chan struct{})
	go func() {
		defer close(validated)
		validatorFindings, validatorSent, validatorErr = cfnvalidate.Check(repoRoot, dir, validatorCache, validator)
	}()
}

// stopValidator waits for the validator's answer, if it was asked, and stops it.
func stopValidator() {
	if validated != nil {
		<-validated
	}
	validator.Stop(true)
}

// TestCloudFormationValidatorStrict: AWS's validator in strict mode over every template of the
// reference app — stricter than aws-cdk-lib's own plugin, which skips W3005 (redundant
// DependsOn) among others. No stack of ours may have a finding; the canary's finding must be
// there, which proves the validator read the assembly (and that the app's way of running it
// reports findings).
func TestCloudFormationValidatorStrict(t *testing.T) {
	t.Parallel()   // it only waits for its prestarted process
	referenceApp() // sends the templates
	<-validated
	if validatorErr != nil {
		t.Fatal(validatorErr)
	}
	canary := false
	for _, f := range validatorFindings {
		if strings.Contains(f.Template, "Canary") {
			canary = canary || f.RuleID == canaryRule
			continue
		}
		t.Errorf("%s", f)
	}
	if !canary {
		t.Fatalf("the validator did not report the canary's %s finding, so it did not read the assembly: %+v", canaryRule, validatorFindings)
	}
	if validatorSent < 1 {
		t.Fatalf("%d templates sent to the validator: the canary's, never passed, must always be", validatorSent)
	}
}

// TestValidatorCacheNeverPassesAnEdit: every reference template the validator passed is in the
// cache (the next run skips it), and a bad edit of one of them — an unknown property, what the
// canary has — is validated, through cfnvalidate.Check as the app calls it, and fails: the app
// then prints the finding and exits 1. (The cache's key, a corrupt entry, another engine
// version: internal/cfnvalidate's tests.)
func TestValidatorCacheNeverPassesAnEdit(t *testing.T) {
	t.Parallel()
	r := referenceApp()
	<-validated
	if validatorErr != nil {
		t.Fatal(validatorErr)
	}
	stacks := must(cfnvalidate.StacksOf(r.outdir))
	var auth cfnvalidate.Stack
	for _, s := range stacks {
		if !strings.Contains(s.Template, "Canary") && !validatorCache.Passed(s) {
			t.Errorf("%s: passed, but not in the cache", s.Path)
		}
		if s.Path == "dev/Auth" {
			auth = s
		}
	}
	if auth.Body == "" {
		t.Fatal("no dev/Auth template in the reference assembly")
	}
	// The edited template, in an assembly of its own (the manifest names it, as the app's does).
	var template map[string]any
	must(0, json.Unmarshal([]byte(auth.Body), &template))
	resources := template["Resources"].(map[string]any)
	var edited string
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		if props, ok := resources[id].(map[string]any)["Properties"].(map[string]any); ok {
			props["NotAProperty"] = true
			edited = id
			break
		}
	}
	dir := t.TempDir()
	must(0, os.WriteFile(filepath.Join(dir, "Auth.template.json"), must(json.MarshalIndent(template, "", " ")), 0o644))
	manifest := `{"version": "54.0.0", "artifacts": {"Auth": {"type": "aws:cloudformation:stack", "environment": "aws://` + auth.Account + `/` + auth.Region + `",
		"properties": {"templateFile": "Auth.template.json"}}}}`
	must(0, os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o644))
	findings, sent, err := cfnvalidate.Check(repoRoot, dir, validatorCache, validator)
	if err != nil {
		t.Fatal(err)
	}
	if sent != 1 || len(findings) == 0 || findings[0].LogicalID != edited || findings[0].RuleID != canaryRule {
		t.Errorf("the edited dev/Auth template (NotAProperty on %s): %d sent, findings %v; want it sent and its %s finding", edited, sent, findings, canaryRule)
	}
	if again := must(cfnvalidate.StacksOf(dir)); validatorCache.Passed(again[0]) {
		t.Error("a template with a finding was recorded as passed")
	}
}
