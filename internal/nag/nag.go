// Package nag records cdk-nag suppressions as the plain metadata cdk-nag reads from each
// CloudFormation resource ("cdk_nag": {"rules_to_suppress": [...]}), so that the construct
// library never imports cdk-nag: an app that uses the constructs without cdk-nag gets none of
// it in its module graph, and an app that runs cdk-nag sees every reasoned suppression.
package nag

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Suppression is one finding suppressed with its reason. ID is the rule, e.g.
// "AwsSolutions-IAM5"; AppliesTo narrows it to exact findings, e.g.
// "Resource::<Bucket.Arn>/reports/*" (none: the whole rule on that resource).
// AppliesToPatterns narrows it to findings a regular expression matches whole (cdk-nag's
// {regex: "/^…$/"}), for findings whose text depends on where the stack deploys.
type Suppression struct {
	ID, Reason        string
	AppliesTo         []string
	AppliesToPatterns []string
}

// Suppress adds the suppressions to every CloudFormation resource at or below c (what cdk-nag's
// NagSuppressions.addResourceSuppressions does with applyToChildren), keeping those already there.
func Suppress(c constructs.IConstruct, suppressions ...Suppression) {
	for _, cfn := range resources(c) {
		add(cfn, suppressions)
	}
}

func resources(c constructs.IConstruct) []awscdk.CfnResource {
	var out []awscdk.CfnResource
	for _, child := range *c.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if *awscdk.CfnResource_IsCfnResource(child) {
			out = append(out, child.(awscdk.CfnResource))
		}
	}
	return out
}

func add(cfn awscdk.CfnResource, suppressions []Suppression) {
	var existing []any
	if current, ok := cfn.GetMetadata(jsii.String("cdk_nag")).(map[string]any); ok {
		existing, _ = current["rules_to_suppress"].([]any)
	}
	for _, s := range suppressions {
		rule := map[string]any{"id": s.ID, "reason": s.Reason}
		var appliesTo []any
		for _, a := range s.AppliesTo {
			appliesTo = append(appliesTo, a)
		}
		for _, p := range s.AppliesToPatterns {
			appliesTo = append(appliesTo, map[string]any{"regex": "/^" + p + "$/"})
		}
		if len(appliesTo) > 0 {
			rule["applies_to"] = appliesTo
		}
		existing = append(existing, rule)
	}
	cfn.AddMetadata(jsii.String("cdk_nag"), map[string]any{"rules_to_suppress": existing})
}
