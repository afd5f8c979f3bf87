// Package appchecks is the app's own policy on top of the constructs: cdk-nag's AwsSolutions
// rules on every stage, and every unsuppressed finding read back from the synthesized assembly.
// The app entry (app/main.go) and the tests use it; the construct library does not (it only records its
// reasoned suppressions, as metadata cdk-nag reads).
package appchecks

import (
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Apply adds cdk-nag's AwsSolutions rules to everything under scope. Aspects do not cross
// Stage boundaries, so the checks are added to scope and to every Stage below it: call this after
// the stages are built.
func Apply(scope constructs.IConstruct) {
	if !nagOn {
		return
	}
	// No CSV reports: findings are read back from the assembly (Findings); the report
	// logger costs time and memory on every rule of every resource.
	checks := cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(false)})
	awscdk.Aspects_Of(scope).Add(checks, nil)
	addToStages(scope, checks)
}

// addToStages adds the checks to every Stage below c. Stages sit above stacks, or directly in a
// stack (the pipeline's stages), so the walk looks at a stack's children but no deeper (it makes
// a jsii call per construct it looks at).
func addToStages(c constructs.IConstruct, checks awscdk.IAspect) {
	for _, child := range *c.Node().Children() {
		if *awscdk.Stack_IsStack(child) {
			for _, grandchild := range *child.Node().Children() {
				if *awscdk.Stage_IsStage(grandchild) {
					awscdk.Aspects_Of(grandchild).Add(checks, nil)
					addToStages(grandchild, checks)
				}
			}
			continue
		}
		if *awscdk.Stage_IsStage(child) {
			awscdk.Aspects_Of(child).Add(checks, nil)
		}
		addToStages(child, checks)
	}
}

// Findings lists the unsuppressed cdk-nag findings (errors and warnings) of every stack in a
// synthesized assembly, nested stages included, one line each: "<stack>: <level> <finding>".
// The CDK CLI fails on errors only; gatehouse treats warnings as findings too.
func Findings(assembly cxapi.CloudAssembly) []string {
	var findings []string
	for _, stack := range *assembly.StacksRecursively() {
		for _, m := range *stack.Messages() {
			if m.Level != cxapi.SynthesisMessageLevel_ERROR && m.Level != cxapi.SynthesisMessageLevel_WARNING {
				continue
			}
			text := fmt.Sprint(m.Entry.Data)
			if strings.HasPrefix(text, "AwsSolutions-") {
				findings = append(findings, fmt.Sprintf("%s: %s %s %s", *stack.HierarchicalId(), m.Level, *m.Id, firstLine(text)))
			}
		}
	}
	sort.Strings(findings)
	return findings
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
