package test

import (
	"strings"
	"testing"
)

// TestNoUnsuppressedNagFindings: cdk-nag's AwsSolutions pack, applied and read back as app/main.go does
// (appchecks.Apply, appchecks.Findings), leaves no error and no warning on any stack.
func TestNoUnsuppressedNagFindings(t *testing.T) {
	for _, f := range referenceApp().nagFindings {
		if !strings.HasPrefix(f, "validator-canary/") {
			t.Errorf("unsuppressed cdk-nag finding: %s", f)
		}
	}
}

// TestNagChecksCatchFindings is the control for the test above: the same checks, in the same
// synth, flag the validator canary's bare bucket (no TLS policy, no access logs), so a clean
// result means something.
func TestNagChecksCatchFindings(t *testing.T) {
	for _, rule := range []string{"AwsSolutions-S1:", "AwsSolutions-S10:"} {
		found := false
		for _, f := range referenceApp().nagFindings {
			found = found || (strings.HasPrefix(f, "validator-canary/Canary: ERROR") && strings.Contains(f, rule))
		}
		if !found {
			t.Errorf("cdk-nag did not report %s on the canary's bare bucket; findings:\n%s", rule, strings.Join(referenceApp().nagFindings, "\n"))
		}
	}
}
