package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/app/deploypolicy"
	"github.com/gatehouse-cdk/gatehouse/internal/nag"
)

// PipelineStackID is the pipeline stack's construct id; its stages are its children, one per
// environment it deploys, built by NewEnvironmentStage as a direct deploy builds them.
const PipelineStackID = "Pipeline"

// PipelineContextKey, set to "true" (-c gatehouse:pipeline=true, make pipeline), makes the app
// build the pipeline stack instead of one environment's stage.
const PipelineContextKey = "gatehouse:pipeline"

// The commands of the pipeline's synth step, in its CodeBuild project: the pinned CLI and Node
// (npm ci), Go at go.mod's version (GOTOOLCHAIN=auto fetches it), every test, then the
// pipeline's own synth refusing placeholders (as make deploy does).
var (
	pipelineInstall = []string{"npm ci --no-audit --no-fund", "go version"}
	pipelineSynth   = []string{"make test", "npx cdk synth --quiet --strict -c " + PipelineContextKey + "=true -c gatehouse:deploying=true"}
)

// The CLIs the pipeline installs in its own CodeBuild steps (self-mutation, asset
// publishing), pinned: the CDK CLI is package.json's (a test checks it), cdk-assets the
// release current with it.
const (
	PipelineCLIVersion    = "2.1148.1"
	PipelineAssetsVersion = "4.7.3"
)

// Pipeline is the delivery pipeline's stack and its stages by environment name.
type Pipeline struct {
	Stack    awscdk.Stack
	Pipeline pipelines.CodePipeline
	Stages   map[string]*EnvironmentStage
}

// NewPipeline builds the delivery pipeline (CDK Pipelines) under scope: source from the
// CodeConnections connection, a synth step that runs make test before anything deploys, then
// each environment's stage in order, a manual approval before every production one and an
// outputs check after each. Self-mutation is on; the artifact bucket is encrypted with a KMS key
// (rotated) that the target accounts' deploy roles may use (cross-account keys).
//
// stages are the environments' stages (NewEnvironmentStage, built by the caller under the same
// scope as for a direct deploy, so the pipeline deploys the very same templates), in
// p.Environments' order.
func NewPipeline(scope constructs.Construct, p config.Pipeline, stages []*EnvironmentStage) *Pipeline {
	var awsEnv awscdk.Environment
	awsEnv.Region = jsii.String(p.Region)
	if p.Account != "" {
		awsEnv.Account = jsii.String(p.Account)
	}
	stack := awscdk.NewStack(scope, jsii.String(PipelineStackID), &awscdk.StackProps{
		StackName:   jsii.String(contract.Application + "-pipeline"),
		Description: jsii.String("gatehouse: the delivery pipeline (CDK Pipelines) of " + fmt.Sprint(p.Environments)),
		Env:         &awsEnv,
		// The pipeline's roles are bounded as the application's are (a pipeline role could
		// otherwise be the way out of the boundary).
		PermissionsBoundary: boundary(),
	})
	awscdk.Tags_Of(stack).Add(jsii.String("application"), jsii.String(contract.Application), nil)
	source := pipelines.CodePipelineSource_Connection(jsii.String(p.Repository), jsii.String(p.Branch), &pipelines.ConnectionSourceOptions{
		ConnectionArn: jsii.String(p.ConnectionArn),
	})
	// CHROMIUM: the web app's browser test runs in the Google Chrome CodeBuild's standard image
	// ships (make test says so in one loud line, and skips it, where there is none).
	synth := pipelines.NewShellStep(jsii.String("Synth"), &pipelines.ShellStepProps{
		Input: source,
		Env: &map[string]*string{"GOTOOLCHAIN": jsii.String("auto"), "CDK_DISABLE_CLI_TELEMETRY": jsii.String("true"),
			"CHROMIUM": jsii.String("/usr/bin/google-chrome")},
		InstallCommands:        jsii.Strings(pipelineInstall...),
		Commands:               jsii.Strings(pipelineSynth...),
		PrimaryOutputDirectory: jsii.String("cdk.out"),
	})
	build := &pipelines.CodeBuildOptions{BuildEnvironment: &awscodebuild.BuildEnvironment{
		BuildImage:  awscodebuild.LinuxBuildImage_STANDARD_7_0(),
		ComputeType: awscodebuild.ComputeType_MEDIUM,
	}}
	pipeline := pipelines.NewCodePipeline(stack, jsii.String("Pipeline"), &pipelines.CodePipelineProps{
		PipelineName:        jsii.String(contract.Application),
		Synth:               synth,
		CrossAccountKeys:    jsii.Bool(true),
		EnableKeyRotation:   jsii.Bool(true),
		SelfMutation:        jsii.Bool(true),
		CliVersion:          jsii.String(PipelineCLIVersion),
		CdkAssetsCliVersion: jsii.String(PipelineAssetsVersion),
		CodeBuildDefaults:   build,
	})
	out := &Pipeline{Stack: stack, Pipeline: pipeline, Stages: map[string]*EnvironmentStage{}}
	for _, stage := range stages {
		env := stage.env
		out.Stages[env.Name] = stage
		var pre []pipelines.Step
		if env.Production {
			pre = append(pre, pipelines.NewManualApprovalStep(jsii.String("Approve-"+env.Name), &pipelines.ManualApprovalStepProps{
				Comment: jsii.String("Deploy gatehouse " + env.Name + " (production)?"),
			}))
		}
		check := pipelines.NewCodeBuildStep(jsii.String("Outputs-"+env.Name), &pipelines.CodeBuildStepProps{
			Input:    source,
			Env:      &map[string]*string{"GOTOOLCHAIN": jsii.String("auto")},
			Commands: jsii.Strings("scripts/check-outputs.sh " + env.Name + " " + targetAccount(env, stack) + " " + env.Region),
			// The check reads the stacks' outputs in the target account as the bootstrap's
			// deploy role (cloudformation:DescribeStacks), which the target trusts the pipeline's
			// account to assume; it reads no application data.
			RolePolicyStatements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("sts:AssumeRole"),
				Resources: jsii.Strings(deploypolicy.DeployRoleArn(targetAccount(env, stack), env.Region)),
			})},
		})
		pipeline.AddStage(stage.Stage, &pipelines.AddStageOpts{Pre: &pre, Post: &[]pipelines.Step{check}})
	}
	pipeline.BuildPipeline()
	// The pipeline depends on its role's policy; CDK Pipelines also lists the role, which the
	// role's GetAtt already orders (the validator's W3005).
	policy := pipeline.Pipeline().Role().Node().TryFindChild(jsii.String("DefaultPolicy")).Node().DefaultChild().(awscdk.CfnResource)
	pipeline.Pipeline().Node().DefaultChild().(awscdk.CfnResource).AddOverride(jsii.String("DependsOn"), []*string{stack.GetLogicalId(policy)})
	suppressPipelineFindings(stack)
	nag.Suppress(pipeline.Pipeline().ArtifactBucket(), nag.Suppression{ID: "AwsSolutions-S1",
		Reason: "the pipeline's artifact bucket holds build artifacts only (the cloud assembly), KMS-encrypted; CodePipeline and CloudTrail record every access"})
	for _, child := range *awscdk.Stage_Of(stack).Node().Children() {
		if support, ok := child.(awscdk.Stack); ok && strings.HasPrefix(*support.Node().Id(), "cross-region-stack-") {
			nag.Suppress(support, nag.Suppression{ID: "AwsSolutions-S1",
				Reason: "CodePipeline's cross-region replication bucket (for the us-east-1 stage stacks) holds pipeline artifacts only, KMS-encrypted; CodePipeline and CloudTrail record every access"})
		}
	}
	return out
}

// targetAccount is where env deploys: its account, else the pipeline's.
func targetAccount(env config.Environment, stack awscdk.Stack) string {
	if env.Account != "" {
		return env.Account
	}
	return *stack.Account()
}

// suppressPipelineFindings: what cdk-nag finds on CDK Pipelines' own resources, each exact
// finding with why.
func suppressPipelineFindings(stack awscdk.Stack) {
	nag.Suppress(stack,
		nag.Suppression{ID: "AwsSolutions-IAM5",
			Reason: "CDK Pipelines' grants on the pipeline's own artifact bucket and key (read, write and clean up artifacts: the grant's action groups, every object of the bucket)",
			AppliesTo: []string{"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*", "Action::s3:Abort*", "Action::s3:DeleteObject*", "Action::s3:GetBucket*",
				"Action::s3:GetObject*", "Action::s3:List*", "Resource::<PipelineArtifactsBucketAEA9A052.Arn>/*"},
			AppliesToPatterns: []string{`Resource::arn:aws:s3:::gatehouse-pipeline-supporeplicationbucket[0-9a-f]+/\*`}},
		nag.Suppression{ID: "AwsSolutions-IAM5",
			Reason: "each CodeBuild project's own log groups and report groups, named by the project (CodeBuild makes them per build)",
			AppliesToPatterns: []string{`Resource::arn:aws:codebuild:[a-z0-9-]+:[0-9]{12}:report-group/(<[A-Za-z0-9]+>-)?\*`,
				`Resource::arn:aws:logs:[a-z0-9-]+:[0-9]{12}:log-group:/aws/codebuild/(<[A-Za-z0-9]+>:)?\*`}},
		nag.Suppression{ID: "AwsSolutions-IAM5",
			Reason:    "self-mutation reads stacks (cloudformation:DescribeStacks, s3:ListBucket: no resource-level scope) and assumes only the bootstrap roles (the role/* statement is conditioned on their aws-cdk:bootstrap-role tag); the asset role starts and reads its own CodeBuild builds",
			AppliesTo: []string{"Resource::*"}, AppliesToPatterns: []string{`Resource::arn:\*:iam::[0-9]{12}:role/\*`}},
	)
}
