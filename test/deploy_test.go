package test

import (
	"cmp"
	"encoding/json"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/app/deploypolicy"
	"github.com/gatehouse-cdk/gatehouse/app/stacks"
)

// deployedTemplates are the templates of every stack gatehouse deploys through the execution
// role, by path, as written to the reference app's assembly: every environment stage's, the
// pipeline's own stacks and its stages'. The guardrails stacks are not among them: an
// administrator deploys them (make bootstrap), never the execution role.
func deployedTemplates(t *testing.T) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, st := range must(access.LoadAssembly(referenceApp().outdir)) {
		if first := strings.SplitN(st.Path, "/", 2)[0]; first == "library" || first == "flagless" || first == "validator-canary" || strings.HasPrefix(first, "Guardrails") {
			continue
		}
		out[st.Path] = st.Template
	}
	if len(out) < 20 {
		t.Fatalf("only %d deployed templates: %v", len(out), slices.Sorted(maps.Keys(out)))
	}
	return out
}

// TestExecutionPolicyCoversEveryResourceType derives the resource types from every synthesized
// template gatehouse deploys and proves the execution policy (as the guardrails stack deploys
// it) allows every action deploypolicy lists for each: a new type of resource fails here until
// its actions are listed, instead of failing a deploy through the pipeline.
func TestExecutionPolicyCoversEveryResourceType(t *testing.T) {
	types := map[string][]string{}
	for name, tmpl := range deployedTemplates(t) {
		resources, _ := tmpl["Resources"].(map[string]any)
		for _, r := range resources {
			typ := r.(map[string]any)["Type"].(string)
			if typ != "AWS::CDK::Metadata" && !slices.Contains(types[typ], name) {
				types[typ] = append(types[typ], name)
			}
		}
	}
	allowed := executionAllows(t)
	for _, typ := range slices.Sorted(maps.Keys(types)) {
		actions, ok := deploypolicy.ResourceTypes[typ]
		if !ok {
			t.Errorf("%s (in %v) is not in deploypolicy.ResourceTypes: list the actions CloudFormation needs to create, update and delete it", typ, types[typ])
			continue
		}
		for _, action := range actions {
			if !slices.ContainsFunc(allowed, func(pattern string) bool { return matchAction(pattern, action) }) {
				t.Errorf("%s needs %s, which the synthesized execution policy does not allow", typ, action)
			}
		}
	}
	// The control: types the policy lists but nothing deploys are dead weight (or a typo).
	for _, typ := range deploypolicy.Types() {
		if _, used := types[typ]; !used {
			t.Errorf("deploypolicy.ResourceTypes lists %s, which no stack deploys", typ)
		}
	}
	if len(types) < 30 {
		t.Errorf("only %d resource types derived: %v", len(types), slices.Sorted(maps.Keys(types)))
	}
}

// executionAllows lists the actions the guardrails stack's execution policy allows.
func executionAllows(t *testing.T) []string {
	var allowed []string
	for id, p := range resourcesOfType(referenceApp().json["app/Guardrails"], "AWS::IAM::ManagedPolicy") {
		props := p["Properties"].(map[string]any)
		if props["ManagedPolicyName"] != deploypolicy.ExecutionName {
			continue
		}
		for _, s := range statements(props["PolicyDocument"]) {
			if s["Effect"] == "Allow" {
				allowed = append(allowed, stringsOf(s["Action"])...)
			}
		}
		t.Logf("%s: %d actions allowed", id, len(allowed))
	}
	if len(allowed) == 0 {
		t.Fatal("no execution policy in app/Guardrails")
	}
	return allowed
}

// TestEveryRoleIsBounded: every role of every stack gatehouse deploys carries the boundary, in
// its own account (the execution policy refuses to create any other).
func TestEveryRoleIsBounded(t *testing.T) {
	want := map[string]any{"Fn::Sub": deploypolicy.PolicyArn("${AWS::AccountId}", deploypolicy.BoundaryName)}
	count := 0
	for name, tmpl := range deployedTemplates(t) {
		for id, r := range resourcesOfType(tmpl, "AWS::IAM::Role") {
			count++
			props, _ := r["Properties"].(map[string]any)
			if got := props["PermissionsBoundary"]; !equalJSON(got, want) {
				t.Errorf("%s %s: PermissionsBoundary = %v, want %v", name, id, got, want)
			}
		}
	}
	if count < 40 {
		t.Errorf("only %d roles found", count)
	}
}

// TestBoundaryAllowsWhatBoundedRolesDo: every action a bounded role's own policies allow is
// within the boundary (else the role would break once deployed), and none is an IAM action.
func TestBoundaryAllowsWhatBoundedRolesDo(t *testing.T) {
	m := must(referenceModel())
	boundary := deploypolicy.Boundary("123456789012")
	var allowed []string
	for _, s := range statements(boundary) {
		if s["Effect"] == "Allow" {
			allowed = append(allowed, stringsOf(s["Action"])...)
		}
	}
	bounded := 0
	used := map[string]bool{}
	for _, role := range m.Roles {
		// Roles gatehouse creates; not the bootstrap's, which matrix.Deploy adds to the model
		// with the bootstrap boundary.
		if role.Boundary == nil || role.Stack == "(outside the app)" {
			continue
		}
		bounded++
		for _, p := range role.Policies {
			for _, s := range statements(p.JSON) {
				if s["Effect"] != "Allow" {
					continue
				}
				for _, action := range stringsOf(s["Action"]) {
					used[strings.ToLower(strings.SplitN(action, ":", 2)[0])] = true
					if !slices.ContainsFunc(allowed, func(pattern string) bool { return matchAction(pattern, action) }) || strings.HasPrefix(action, "iam:") {
						t.Errorf("%s (%s) allows %s, outside the boundary (deploypolicy.BoundaryServices)", role.Name, role.Path, action)
					}
				}
			}
		}
	}
	if bounded < 40 {
		t.Errorf("only %d bounded roles in the model", bounded)
	}
	// The control: a service the boundary allows that no bounded role uses widens it for nothing.
	for _, service := range deploypolicy.BoundaryServices {
		if !used[service] {
			t.Errorf("deploypolicy.BoundaryServices allows %s, which no bounded role is granted", service)
		}
	}
}

// TestPipelineDeploysTheEnvironmentsStages: the pipeline (its CodePipeline resource, as
// synthesized) builds, tests, updates itself and publishes the assets, then deploys every
// stack of each environment's own stage — the templates make deploy deploys — in cdk.json's
// order, a manual approval first in a production environment's, and a check of the outputs last.
func TestPipelineDeploysTheEnvironmentsStages(t *testing.T) {
	r := referenceApp()
	var pipeline map[string]any
	for _, res := range resourcesOfType(r.json["app/"+stacks.PipelineStackID], "AWS::CodePipeline::Pipeline") {
		pipeline = res["Properties"].(map[string]any)
	}
	if pipeline == nil {
		t.Fatal("no AWS::CodePipeline::Pipeline in the pipeline stack")
	}
	var names []string
	actions := map[string][]map[string]any{}
	for _, st := range pipeline["Stages"].([]any) {
		stage := st.(map[string]any)
		name := stage["Name"].(string)
		names = append(names, name)
		for _, a := range stage["Actions"].([]any) {
			actions[name] = append(actions[name], a.(map[string]any))
		}
	}
	if want := append([]string{"Source", "Build", "UpdatePipeline", "Assets"}, r.pipelineCfg.Environments...); !slices.Equal(names, want) {
		t.Fatalf("pipeline stages %v, want %v", names, want)
	}
	for _, env := range r.pipelineCfg.Environments {
		var templates, approvals, checks []string
		for _, a := range actions[env] {
			typ := a["ActionTypeId"].(map[string]any)
			config, _ := a["Configuration"].(map[string]any)
			switch {
			case typ["Provider"] == "Manual":
				approvals = append(approvals, a["Name"].(string))
				if a["RunOrder"] != float64(1) {
					t.Errorf("%s: the approval runs at %v, want first", env, a["RunOrder"])
				}
			case typ["Provider"] == "CloudFormation" && config["TemplatePath"] != nil:
				templates = append(templates, config["StackName"].(string)+" "+config["TemplatePath"].(string))
			case typ["Provider"] == "CodeBuild":
				checks = append(checks, a["Name"].(string))
			}
		}
		var want []string
		for _, stack := range r.stages[env].Stacks {
			want = append(want, *stack.StackName()+" Synth_Output::assembly-"+env+"/"+*stack.ArtifactId()+".template.json")
		}
		slices.Sort(templates)
		slices.Sort(want)
		if !slices.Equal(templates, want) {
			t.Errorf("%s: the pipeline deploys\n  %v\nwant the stage's own\n  %v", env, templates, want)
		}
		if production := r.envs[env].Production; (len(approvals) == 1) != production {
			t.Errorf("%s (production %v): approvals %v", env, production, approvals)
		}
		if !slices.Equal(checks, []string{"Outputs-" + env}) {
			t.Errorf("%s: checks after the deploy %v", env, checks)
		}
	}
	// The synth step runs every test before anything deploys, and refuses placeholders; the
	// CLIs the pipeline installs itself are pinned, the CDK CLI at package.json's version.
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
		Dependencies    map[string]string `json:"dependencies"`
	}
	must(0, json.Unmarshal(must(os.ReadFile(filepath.Join(repoRoot, "package.json"))), &pkg))
	cli := cmp.Or(pkg.DevDependencies["aws-cdk"], pkg.Dependencies["aws-cdk"])
	build := compactJSON(r.json["app/"+stacks.PipelineStackID])
	if strings.Contains(build, "@latest") || cli != stacks.PipelineCLIVersion {
		t.Errorf("the pipeline installs an unpinned CLI or not package.json's aws-cdk %s (stacks.PipelineCLIVersion %s)", cli, stacks.PipelineCLIVersion)
	}
	for _, command := range []string{`make test`, `npm ci --no-audit --no-fund`, `-c gatehouse:pipeline=true -c gatehouse:deploying=true`, `GOTOOLCHAIN`,
		`npm install -g aws-cdk@` + cli, `npm install -g cdk-assets@` + stacks.PipelineAssetsVersion} {
		if !strings.Contains(build, command) {
			t.Errorf("the pipeline's synth step does not run %q", command)
		}
	}
}

// statements lists a policy document's statements (one statement may stand alone).
func statements(doc any) []map[string]any {
	d, _ := doc.(map[string]any)
	switch s := d["Statement"].(type) {
	case map[string]any:
		return []map[string]any{s}
	case []any:
		var out []map[string]any
		for _, item := range s {
			if m, ok := item.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, item := range x {
			if s, ok := item.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return x
	}
	return nil
}

// matchAction: does an IAM action pattern (service:Name, with * and ?) match action? IAM
// compares actions case-insensitively. A pattern with * matches an action pattern it covers.
func matchAction(pattern, action string) bool {
	ok, _ := path.Match(strings.ToLower(pattern), strings.ToLower(action))
	return ok
}
