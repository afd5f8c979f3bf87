package stacks

import (
	"cmp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/app/deploypolicy"
	"github.com/gatehouse-cdk/gatehouse/internal/nag"
)

// GuardrailsStackName is the stack make bootstrap deploys into each account, with the account's
// administrator's credentials (never the pipeline's): the permissions boundary and the
// CloudFormation execution policy (package deploypolicy). The execution policy cannot change
// either, so nothing the pipeline deploys can.
const GuardrailsStackName = contract.Application + "-guardrails"

// boundary is the permissions boundary every role of a stage or stack gets (CDK applies it to
// every role below: the L2 roles and the custom resources' alike), in the account the role's
// stack deploys to (a Fn::Sub of the pseudo parameters, never an account written out).
func boundary() awscdk.PermissionsBoundary {
	return awscdk.PermissionsBoundary_FromArn(awscdk.Fn_Sub(jsii.String(deploypolicy.PolicyArn("${AWS::AccountId}", deploypolicy.BoundaryName)), nil))
}

// NewGuardrails adds the guardrails stack (construct id id) for account ("" : the CLI's
// default account) under scope.
func NewGuardrails(scope constructs.Construct, id, account, region string) awscdk.Stack {
	env := &awscdk.Environment{Region: jsii.String(region)}
	if account != "" {
		env.Account = jsii.String(account)
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &awscdk.StackProps{
		StackName:   jsii.String(GuardrailsStackName),
		Description: jsii.String("gatehouse: the permissions boundary of every gatehouse role and the CloudFormation execution policy of the CDK bootstrap (make bootstrap deploys it)"),
		Env:         env,
	})
	awscdk.Tags_Of(stack).Add(jsii.String("application"), jsii.String(contract.Application), nil)
	services := []string{"Resource::*"}
	for _, svc := range deploypolicy.BoundaryServices {
		services = append(services, "Action::"+svc+":*")
	}
	for _, p := range []struct {
		id, name, description string
		document              map[string]any
		suppression           nag.Suppression
	}{
		{"Boundary", deploypolicy.BoundaryName, "The permissions boundary of every role gatehouse creates", deploypolicy.Boundary(*stack.Account()),
			nag.Suppression{ID: "AwsSolutions-IAM5", AppliesTo: services,
				Reason: "a permissions boundary limits other policies by service (it grants nothing itself): each bounded role's own policies name its resources"}},
		{"Execution", deploypolicy.ExecutionName, "What CloudFormation may do when it deploys gatehouse (the bootstrap's execution policy)", deploypolicy.Execution(*stack.Account()),
			nag.Suppression{ID: "AwsSolutions-IAM5", AppliesTo: []string{"Resource::*", "Action::s3:GetBucket*", "Action::s3:PutBucket*"},
				AppliesToPatterns: []string{`Resource::arn:aws:iam::([0-9]{12}|<AWS::AccountId>):role/` + deploypolicy.RolePrefix + `\*`, `Resource::arn:aws:s3:::cdk-` + deploypolicy.Qualifier + `-assets-([0-9]{12}|<AWS::AccountId>)-\*/\*`},
				Reason:            "CloudFormation creates resources whose names it makes at deploy (the types' control-plane actions on *, the bucket settings' Get/PutBucket* families), roles named gatehouse-* only (with the boundary), and reads the bootstrap's asset objects"}},
		{"BootstrapBoundary", deploypolicy.BootstrapBoundaryName, "The permissions boundary of every role of the CDK bootstrap: no reading of the application's data", deploypolicy.BootstrapBoundary(*stack.Account()),
			nag.Suppression{ID: "AwsSolutions-IAM5", AppliesTo: []string{"Action::*", "Resource::*"},
				Reason: "a permissions boundary grants nothing: its Allow of everything leaves each bootstrap role what CDK gives it, less the application's data, which the boundary denies"}},
	} {
		policy := awsiam.NewManagedPolicy(stack, jsii.String(p.id), &awsiam.ManagedPolicyProps{
			ManagedPolicyName: jsii.String(p.name),
			Description:       jsii.String(p.description),
			Document:          awsiam.PolicyDocument_FromJson(p.document),
		})
		nag.Suppress(policy, p.suppression)
	}
	return stack
}

// Target is an account and region something deploys to ("" : the CLI's default account).
type Target struct{ Account, Region string }

// Targets lists where env's stacks deploy: its account and region, and the cross-account
// stack's when it has its own.
func Targets(env config.Environment) []Target {
	targets := []Target{{env.Account, env.Region}}
	if c := env.CrossAccount; c != nil && (c.Account != "" && c.Account != env.Account) {
		targets = append(targets, Target{c.Account, cmp.Or(c.Region, env.Region)})
	}
	return targets
}

// AddGuardrails adds a guardrails stack for every account of targets, once each, in the first
// region named for it: "Guardrails" for the first account, "Guardrails-<account>" for others.
func AddGuardrails(scope constructs.Construct, targets []Target) []awscdk.Stack {
	var out []awscdk.Stack
	seen := map[string]bool{}
	for _, t := range targets {
		if seen[t.Account] {
			continue
		}
		id := "Guardrails"
		if len(seen) > 0 {
			id += "-" + cmp.Or(t.Account, "default")
		}
		seen[t.Account] = true
		out = append(out, NewGuardrails(scope, id, t.Account, t.Region))
	}
	return out
}
