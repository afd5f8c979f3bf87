package cfnvalidate_test

import (
	"testing"

	"github.com/gatehouse-cdk/gatehouse/internal/cfnvalidate"
)

// The validator process itself is proven by the CDK tests (TestCloudFormationValidatorStrict:
// its findings over the reference assembly, the canary's among them).

func TestAvailable(t *testing.T) {
	if cfnvalidate.Available(t.TempDir()) {
		t.Error("a directory without the script and the engine is not a place to validate")
	}
}

func TestFindingSaysWhereAndWhat(t *testing.T) {
	f := cfnvalidate.Finding{Template: "/tmp/cdk.out/assembly-dev/devAuth.template.json", RuleID: "E3002", Severity: "ERROR",
		LogicalID: "Bucket", Path: "Properties.NotAProperty", Message: "Additional properties are not allowed"}
	if got, want := f.String(), "devAuth.template.json Bucket Properties.NotAProperty: E3002 ERROR: Additional properties are not allowed"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
