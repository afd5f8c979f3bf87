package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/access"
)

// policyAttachments lists, for every IAM policy of a template that attaches to roles
// (AWS::IAM::Policy and AWS::IAM::ManagedPolicy through Roles, AWS::IAM::RolePolicy through
// RoleName), each attachment that is not a Ref to a role of the same template: a policy attached
// to another stack's role makes deleting that role fail (DeleteConflict).
func foreignAttachments(template map[string]any) []string {
	resources, _ := template["Resources"].(map[string]any)
	isLocalRole := func(ref any) bool {
		m, ok := ref.(map[string]any)
		if !ok || len(m) != 1 {
			return false
		}
		id, _ := m["Ref"].(string)
		r, _ := resources[id].(map[string]any)
		return r != nil && r["Type"] == "AWS::IAM::Role"
	}
	var out []string
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		r := resources[id].(map[string]any)
		props, _ := r["Properties"].(map[string]any)
		var roles []any
		switch r["Type"] {
		case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
			roles, _ = props["Roles"].([]any)
		case "AWS::IAM::RolePolicy":
			roles = []any{props["RoleName"]}
		}
		for _, role := range roles {
			if !isLocalRole(role) {
				out = append(out, fmt.Sprintf("%s (%s) attaches to %s", id, r["Type"], compactJSON(role)))
			}
		}
	}
	return out
}

func compactJSON(v any) string { return string(must(json.Marshal(v))) }

// TestPoliciesLiveWithTheirRoles: in every stack of the reference app (every environment, the
// library stage), every policy attaches only to roles of its own stack.
func TestPoliciesLiveWithTheirRoles(t *testing.T) {
	r := referenceApp()
	for _, name := range r.stackNames() {
		for _, f := range foreignAttachments(r.json[name]) {
			t.Errorf("%s: %s: put the statements in the role's own stack (role.AddToPrincipalPolicy / a grant)", name, f)
		}
	}
}

// TestForeignAttachmentsAreFound is the control: a policy attached through a cross-stack
// reference, an imported name or a role of another type is reported.
func TestForeignAttachmentsAreFound(t *testing.T) {
	template := map[string]any{"Resources": map[string]any{
		"Role":  map[string]any{"Type": "AWS::IAM::Role"},
		"Topic": map[string]any{"Type": "AWS::SNS::Topic"},
		"Local": map[string]any{"Type": "AWS::IAM::Policy", "Properties": map[string]any{"Roles": []any{map[string]any{"Ref": "Role"}}}},
		"Weak": map[string]any{"Type": "AWS::IAM::Policy", "Properties": map[string]any{"Roles": []any{
			map[string]any{"Fn::GetStackOutput": map[string]any{"StackName": "other", "OutputName": "RoleRef"}}}}},
		"Named":   map[string]any{"Type": "AWS::IAM::ManagedPolicy", "Properties": map[string]any{"Roles": []any{"some-role"}}},
		"NotRole": map[string]any{"Type": "AWS::IAM::RolePolicy", "Properties": map[string]any{"RoleName": map[string]any{"Ref": "Topic"}}},
	}}
	got := foreignAttachments(template)
	want := []string{
		`Named (AWS::IAM::ManagedPolicy) attaches to "some-role"`,
		`NotRole (AWS::IAM::RolePolicy) attaches to {"Ref":"Topic"}`,
		`Weak (AWS::IAM::Policy) attaches to {"Fn::GetStackOutput":{"OutputName":"RoleRef","StackName":"other"}}`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("foreignAttachments:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestRemovingAGroupTouchesOnlyItsOwnResources: the "full" environment less its editors group
// differs from "full" only in the auth stack, by exactly the group, its role and the role's own
// policy, all removed; every other resource and output of every stack is unchanged. So the
// deploy that removes a group deletes the role together with its policy, and touches nothing else.
func TestRemovingAGroupTouchesOnlyItsOwnResources(t *testing.T) {
	r := referenceApp()
	byPath := map[string]map[string]any{}
	for _, s := range must(access.LoadAssembly(r.outdir)) {
		byPath[s.Path] = s.Template
	}
	lessByPath := map[string]map[string]any{}
	for _, s := range must(access.LoadAssembly(scratchOutdir)) {
		lessByPath[s.Path] = s.Template
	}
	asFull := func(template map[string]any) map[string]any {
		var out map[string]any
		must(0, json.Unmarshal([]byte(compactJSON(normalize(template))), &out))
		return out
	}
	compared := 0
	for path, full := range byPath {
		id, ok := strings.CutPrefix(path, "full/")
		if !ok {
			continue
		}
		less, ok := lessByPath[path]
		if !ok {
			t.Errorf("%s less a group: missing", path)
			continue
		}
		compared++
		var removed []string
		before, after := asFull(full), asFull(less)
		for _, section := range []string{"Resources", "Outputs", "Conditions", "Parameters"} {
			b, _ := before[section].(map[string]any)
			a, _ := after[section].(map[string]any)
			for _, key := range slices.Sorted(maps.Keys(b)) {
				if _, kept := a[key]; !kept {
					removed = append(removed, section+"."+key)
				} else if compactJSON(a[key]) != compactJSON(b[key]) {
					t.Errorf("%s: %s.%s changed:\n  full:            %s\n  less the group:  %s", path, section, key, compactJSON(b[key]), compactJSON(a[key]))
				}
			}
			for _, key := range slices.Sorted(maps.Keys(a)) {
				if _, had := b[key]; !had {
					t.Errorf("%s: %s.%s added: %s", path, section, key, compactJSON(a[key]))
				}
			}
		}
		want := []string(nil)
		if id == "Auth" {
			want = []string{"Resources.SignInGroupeditors4E40498F", "Resources.SignInGroupeditorsRole6554BEDB", "Resources.SignInGroupeditorsRoleDefaultPolicyD12F4D5E"}
		}
		if !slices.Equal(removed, want) {
			t.Errorf("%s: removing the editors group removed %v, want %v", path, removed, want)
		}
	}
	if compared != len(*r.stages["full"].Stage.Node().Children()) {
		// (Children counts the stacks of the stage; a stage holds nothing else.)
		t.Errorf("compared %d stacks of full", compared)
	}
}
