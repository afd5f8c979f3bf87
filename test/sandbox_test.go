package test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/access"
)

// TestSandboxDestroysOnlyItsOwnData: alice's sandbox (sandboxEnv: dev less its optional
// stacks) has dev's auth, uploads and server stacks under names that carry hers, and, with
// sandbox:destroyData, every resource dev retains in them (the same logical ids) is deleted
// with its stack, deletion protection off; dev, prod, full and the pipeline's stages
// keep every one retained (TestStatefulResourcesAreRetained and the logical-id pins hold for them).
func TestSandboxDestroysOnlyItsOwnData(t *testing.T) {
	r := referenceApp()
	sandbox := map[string]access.StackTemplate{}
	for _, st := range must(access.LoadAssembly(scratchOutdir)) {
		if strings.HasPrefix(st.Path, "sandbox-alice/") {
			sandbox[strings.TrimPrefix(st.Path, "sandbox-alice/")] = st
		}
	}
	if got, want := slices.Sorted(maps.Keys(sandbox)), []string{"Auth", "Server", "Uploads"}; !slices.Equal(got, want) {
		t.Fatalf("sandbox stacks %v, want %v", got, want)
	}
	retained := 0
	for id, st := range sandbox {
		if !strings.HasPrefix(st.Name, "gatehouse-sandbox-alice-") {
			t.Errorf("%s: stack name %s does not carry the sandbox's name", id, st.Name)
		}
		devResources, _ := r.json["dev/"+id]["Resources"].(map[string]any)
		resources, _ := st.Template["Resources"].(map[string]any)
		for logicalID, v := range devResources {
			dev := v.(map[string]any)
			if dev["DeletionPolicy"] != "Retain" {
				continue
			}
			retained++
			res, ok := resources[logicalID].(map[string]any)
			if !ok {
				t.Errorf("%s %s: retained in dev, missing in the sandbox", id, logicalID)
				continue
			}
			if res["DeletionPolicy"] != "Delete" || res["UpdateReplacePolicy"] != "Delete" {
				t.Errorf("%s %s (%s): DeletionPolicy %v, UpdateReplacePolicy %v in the sandbox, want Delete", id, logicalID, res["Type"], res["DeletionPolicy"], res["UpdateReplacePolicy"])
			}
			props, _ := res["Properties"].(map[string]any)
			switch res["Type"] {
			case "AWS::Cognito::UserPool":
				if props["DeletionProtection"] != "INACTIVE" {
					t.Errorf("%s %s: DeletionProtection %v", id, logicalID, props["DeletionProtection"])
				}
			case "AWS::DynamoDB::GlobalTable":
				for _, replica := range props["Replicas"].([]any) {
					if p := replica.(map[string]any)["DeletionProtectionEnabled"]; p != false {
						t.Errorf("%s %s: replica DeletionProtectionEnabled %v", id, logicalID, p)
					}
				}
			}
		}
	}
	if retained < 6 {
		t.Errorf("only %d retained resources in dev", retained)
	}
	// Nothing any other environment deploys is deleted with its stack.
	for name, tmpl := range deployedTemplates(t) {
		for logicalID, v := range tmpl["Resources"].(map[string]any) {
			res := v.(map[string]any)
			switch res["Type"] {
			case "AWS::Cognito::UserPool", "AWS::Cognito::IdentityPool", "AWS::DynamoDB::GlobalTable", "AWS::SecretsManager::Secret":
				if res["DeletionPolicy"] != "Retain" {
					t.Errorf("%s %s (%s): DeletionPolicy %v, want Retain", name, logicalID, res["Type"], res["DeletionPolicy"])
				}
			}
		}
	}
}
