package calls

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/access"
)

// mutations proves the checker on the calls the functions really made, against templates
// changed as a construct change would change them: each change must be reported, naming the
// function, the action and the resource.
func mutations(t *testing.T, calls []*call) {
	base, err := loadApp()
	if err != nil {
		t.Fatal(err)
	}
	items, tokens := onlyOf(t, base, "items"), onlyOf(t, base, "tokens")
	itemsTable, tokenTable := base.tableNamed(items.env["TABLE_NAME"]), base.tableNamed(tokens.env["TOKEN_TABLE_NAME"])
	if itemsTable == nil || tokenTable == nil || len(tokenTable.indexes) != 1 {
		t.Fatalf("the items table %v and the token table %v (with one index) are what the mutations change", itemsTable, tokenTable)
	}
	for _, f := range []*function{items, tokens} {
		if !slices.ContainsFunc(calls, func(c *call) bool { return c.fn != nil && c.fn.logicalID == f.logicalID && c.action != "" }) {
			t.Fatalf("%s made no call: the mutations are checked against the calls the functions made (run TestLeastPrivilege whole)", f.label())
		}
	}
	recheck := func(t *testing.T, stack string, change func(template map[string]any)) report {
		t.Helper()
		templates := mutated(t, base.templates, stack, change)
		a, err := newApp(templates)
		if err != nil {
			t.Fatal(err)
		}
		return check(a, calls)
	}

	t.Run("a grant removed from a role: the call it allowed is denied", func(t *testing.T) {
		r := recheck(t, items.stack, func(template map[string]any) {
			removeAction(t, template, items.role.LogicalID, "dynamodb:Query")
		})
		wantLine(t, "denied", r.denied, items.label(), "dynamodb:Query on "+itemsTable.arn, "ImplicitDeny")
	})
	t.Run("a grant added to a role: it is reported unused", func(t *testing.T) {
		r := recheck(t, items.stack, func(template map[string]any) {
			addStatement(t, template, items.role.LogicalID, map[string]any{
				"Effect": "Allow", "Action": "dynamodb:Scan", "Resource": map[string]any{"Fn::GetAtt": []any{itemsTable.logicalID, "Arn"}}})
		})
		wantLine(t, "unused", r.unused, items.label(), "grants dynamodb:Scan on "+itemsTable.arn)
		if len(r.denied) > 0 {
			t.Errorf("an added grant made calls denied: %v", r.denied)
		}
	})
	t.Run("an index renamed in the construct: the code's Query no longer fits the table or the grant", func(t *testing.T) {
		index := tokenTable.indexes[0]
		r := recheck(t, tokens.stack, func(template map[string]any) {
			raw := string(must(json.Marshal(template)))
			raw = strings.ReplaceAll(raw, `"IndexName":"`+index+`"`, `"IndexName":"`+index+`Renamed"`)
			raw = strings.ReplaceAll(raw, `/index/`+index+`"`, `/index/`+index+`Renamed"`)
			clear(template)
			must(0, json.Unmarshal([]byte(raw), &template))
		})
		wantLine(t, "shape", r.shapes, tokens.label(), `index "`+index+`"`, "has no such index")
		wantLine(t, "denied", r.denied, tokens.label(), "dynamodb:Query on "+tokenTable.arn+"/index/"+index+" ")
		wantLine(t, "unused", r.unused, tokens.label(), "dynamodb:Query on "+tokenTable.arn+"/index/"+index+"Renamed")
	})
	t.Run("a TTL attribute renamed in the construct: the items the code writes never expire", func(t *testing.T) {
		r := recheck(t, tokens.stack, func(template map[string]any) {
			props := template["Resources"].(map[string]any)[tokenTable.logicalID].(map[string]any)["Properties"].(map[string]any)
			props["TimeToLiveSpecification"].(map[string]any)["AttributeName"] = tokenTable.ttl + "Renamed"
		})
		wantLine(t, "shape", r.shapes, tokens.label(), "dynamodb:PutItem", "TTL attribute is "+tokenTable.ttl+"Renamed", "never deletes it")
	})
}

func onlyOf(t *testing.T, a *app, kind string) *function {
	t.Helper()
	fns := a.functionsOf(kind)
	if len(fns) != 1 {
		t.Fatalf("%d functions run functions/%s, want one", len(fns), kind)
	}
	return fns[0]
}

// wantLine checks that one of the checker's lines names every part.
func wantLine(t *testing.T, kind string, lines []string, parts ...string) {
	t.Helper()
	for _, line := range lines {
		if !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(line, p) }) {
			return
		}
	}
	t.Errorf("no %s line names all of %q; the checker reported:\n  %s", kind, parts, strings.Join(lines, "\n  "))
}

// mutated is a deep copy of templates with change applied to the template of stack (a path).
func mutated(t *testing.T, templates []access.StackTemplate, stack string, change func(map[string]any)) []access.StackTemplate {
	t.Helper()
	out := slices.Clone(templates)
	found := false
	for i := range out {
		var copied map[string]any
		must(0, json.Unmarshal(must(json.Marshal(out[i].Template)), &copied))
		out[i].Template = copied
		if out[i].Path == stack {
			change(copied)
			found = true
		}
	}
	if !found {
		t.Fatalf("no stack %s to change", stack)
	}
	return out
}

// rolePolicies are the statements lists of the AWS::IAM::Policy resources attached to a role.
func rolePolicies(t *testing.T, template map[string]any, roleID string) []map[string]any {
	t.Helper()
	resources, _ := template["Resources"].(map[string]any)
	var out []map[string]any
	for _, id := range slices.Sorted(maps.Keys(resources)) {
		r, _ := resources[id].(map[string]any)
		if r["Type"] != "AWS::IAM::Policy" {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		roles, _ := props["Roles"].([]any)
		if slices.ContainsFunc(roles, func(v any) bool { ref, _ := v.(map[string]any); return ref["Ref"] == roleID }) {
			out = append(out, props["PolicyDocument"].(map[string]any))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no policy of the template is attached to %s", roleID)
	}
	return out
}

// removeAction takes action out of every statement of the role's policies that grants it.
func removeAction(t *testing.T, template map[string]any, roleID, action string) {
	t.Helper()
	removed := false
	for _, doc := range rolePolicies(t, template, roleID) {
		statements, _ := doc["Statement"].([]any)
		var kept []any
		for _, s := range statements {
			st := s.(map[string]any)
			actions, _ := st["Action"].([]any)
			if single, ok := st["Action"].(string); ok {
				actions = []any{single}
			}
			left := slices.DeleteFunc(slices.Clone(actions), func(a any) bool { return a == action })
			removed = removed || len(left) < len(actions)
			if len(left) > 0 {
				st["Action"] = left
				kept = append(kept, st)
			}
		}
		doc["Statement"] = kept
	}
	if !removed {
		t.Fatalf("no statement of %s's policies grants %s", roleID, action)
	}
}

// addStatement adds a statement to the role's first policy.
func addStatement(t *testing.T, template map[string]any, roleID string, statement map[string]any) {
	t.Helper()
	doc := rolePolicies(t, template, roleID)[0]
	statements, _ := doc["Statement"].([]any)
	doc["Statement"] = append(statements, statement)
}
