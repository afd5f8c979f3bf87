// Package cfndeps keeps CloudFormation DependsOn lists free of dependencies a reference already
// makes. aws-cdk-lib turns construct-level dependencies into DependsOn entries, including ones
// on resources the template already Ref's or GetAtt's; AWS's CloudFormation validator reports
// those in strict mode (W3005, "dependency already enforced").
package cfndeps

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// DropReferenced removes from res's DependsOn the resources in referenced, which res must already
// reference (Ref or Fn::GetAtt), so CloudFormation orders them anyway. Every other dependency,
// including ones added after this call, stays: the list is computed when the template is written.
func DropReferenced(res awscdk.CfnResource, referenced ...awscdk.CfnResource) {
	drop := make(map[string]bool, len(referenced))
	for _, r := range referenced {
		drop[*r.Node().Path()] = true
	}
	res.AddOverride(jsii.String("DependsOn"), awscdk.Lazy_UncachedList(&dependsOn{res: res, drop: drop},
		&awscdk.LazyListValueOptions{OmitEmpty: jsii.Bool(true)}))
}

type dependsOn struct {
	res  awscdk.CfnResource
	drop map[string]bool // construct paths
}

// Produce lists the logical ids of res's dependencies but the dropped ones, sorted as the CDK
// sorts DependsOn.
func (d *dependsOn) Produce(context awscdk.IResolveContext) *[]*string {
	var ids []string
	for _, dep := range *d.res.ObtainDependencies() {
		r, ok := dep.(awscdk.CfnResource)
		if !ok || d.drop[*r.Node().Path()] {
			continue // a Stack (a stack-level dependency, not a DependsOn entry) or a dropped one
		}
		switch id := context.Resolve(r.LogicalId(), nil).(type) {
		case string:
			ids = append(ids, id)
		case *string:
			ids = append(ids, *id)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return jsii.Strings(ids...)
}
