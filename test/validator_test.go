package test

import (
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/internal/cfnvalidate"
)

// validatorFindings are the validator's findings over the reference app's assembly. The validator
// (package cfnvalidate: AWS's CloudFormation validator, the engine aws-cdk-lib bundles at the
// same version, in strict mode with no rule excluded, as the app runs it) loads while the
// reference app synthesizes; validateAssembly sends it the templates.
var (
	validator *cfnvalidate.Process
	// validated is closed when validatorFindings and validatorErr are set (nil: nothing sent).
	validated         chan struct{}
	validatorFindings []cfnvalidate.Finding
	validatorErr      error
)

func validateAssembly(dir string) {
	stacks := must(cfnvalidate.StacksOf(dir))
	validated = make(chan struct{})
	go func() {
		defer close(validated)
		validatorFindings, validatorErr = validator.Validate(stacks)
	}()
}

// stopValidator waits for the validator, or stops it if it was given nothing (a run that
// synthesized nothing).
func stopValidator() {
	if validated != nil {
		<-validated
		return
	}
	validator.Stop()
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
}
