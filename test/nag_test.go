package test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

var anyAwsSolutionsFinding = assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-.*"))

// TestNoUnsuppressedNagFindings: cdk-nag's AwsSolutions pack, applied as bin applies it, leaves
// no error and no warning on any stack of any environment.
func TestNoUnsuppressedNagFindings(t *testing.T) {
	r := referenceApp()
	for _, name := range r.stackNames() {
		annotations := assertions.Annotations_FromStack(r.stack(name))
		for _, f := range *annotations.FindError(jsii.String("*"), anyAwsSolutionsFinding) {
			t.Errorf("%s: cdk-nag error at %s: %v", name, *f.Id, f.Entry.Data)
		}
		for _, f := range *annotations.FindWarning(jsii.String("*"), anyAwsSolutionsFinding) {
			t.Errorf("%s: cdk-nag warning at %s: %v", name, *f.Id, f.Entry.Data)
		}
	}
}

// TestNagChecksCatchFindings is the control for the test above: the same checks, in the same
// synth, flag the validator canary's bare bucket (no TLS policy, no access logs), so a clean
// result means something.
func TestNagChecksCatchFindings(t *testing.T) {
	errors := assertions.Annotations_FromStack(referenceApp().canary).FindError(jsii.String("*"), anyAwsSolutionsFinding)
	found := map[string]bool{}
	for _, f := range *errors {
		found[nagRuleID.FindString(fmt.Sprint(f.Entry.Data))] = true
	}
	for _, rule := range []string{"AwsSolutions-S1", "AwsSolutions-S10"} {
		if !found[rule] {
			t.Errorf("cdk-nag did not report %s on the canary's bare bucket; findings: %v", rule, found)
		}
	}
}

var nagRuleID = regexp.MustCompile(`AwsSolutions-[A-Z]+[0-9]+`)
