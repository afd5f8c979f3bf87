package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// destroyData makes every resource below scope that CloudFormation would retain (the data: user
// pool, identity pool, buckets, tables, keys, secret, log groups) go with its stack, and turns
// deletion protection off where the service has it. Only a sandbox asks for it
// (config.Sandbox's DestroyData); every other environment keeps its data.
func destroyData(scope constructs.Construct) {
	for _, c := range *scope.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if !*awscdk.CfnResource_IsCfnResource(c) {
			continue
		}
		cfn := c.(awscdk.CfnResource)
		if cfn.CfnOptions().DeletionPolicy() != awscdk.CfnDeletionPolicy_RETAIN {
			continue
		}
		cfn.ApplyRemovalPolicy(awscdk.RemovalPolicy_DESTROY, nil)
		switch *cfn.CfnResourceType() {
		case "AWS::Cognito::UserPool":
			cfn.AddPropertyOverride(jsii.String("DeletionProtection"), "INACTIVE")
		case "AWS::DynamoDB::GlobalTable":
			cfn.AddPropertyOverride(jsii.String("Replicas.0.DeletionProtectionEnabled"), false)
		}
	}
}
