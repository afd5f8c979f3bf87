// Package assetfn builds an asset function: a Lambda function that holds the data permissions
// the web page itself never gets. Only its own execution role can reach its data.
//
// Why each default is safe:
//   - The execution role is its own (never shared) and trusts only lambda.amazonaws.com for
//     functions of this account (aws:SourceAccount). It has no AWS managed policy: logging is one
//     narrow statement on the function's own log group, which is created with a retention period
//     and retained with the stack.
//   - Data access comes only from grant methods that name the actions the code calls on one
//     table: GrantTableCalls names them one by one, and refuses any but the item-level ones
//     (TableReadActions, TableWriteActions); GrantTableRead gives every read action,
//     GrantTableReadWrite every read and write action. Never Scan, never table management.
//   - A function that acts for signed-in users is told whose users they are in one place,
//     VerifiesUsersOf: the user pool whose ID tokens it accepts, the web client they must be
//     for, and the identity pool whose identity ids name its owners (limits.EnvUserPoolID,
//     limits.EnvUserPoolClientID, limits.EnvIdentityPoolID). Such a function verifies the caller's
//     ID token itself and derives the owner from it (gatehouse's functions share one check,
//     functions/internal/identity); it trusts no payload's claim about the user, so a holder of
//     the trust role (the web server, a compute role, a developer role) cannot speak for a user
//     whose token it does not have.
//   - arm64 (Graviton) on the provided.al2023 runtime; reserved concurrency optional, to cap how
//     much a caller can spend or how hard it can hit the table.
package assetfn

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognitoidentitypool"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/cfndeps"
	"github.com/gatehouse-cdk/gatehouse/internal/guard"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// SignIn is what a function that acts for signed-in users needs of the sign-in construct: the
// user pool whose ID tokens it accepts, the web client they must be for, the identity pool
// whose identity ids name the owners, and which key names them. *auth.UserAuth satisfies it.
type SignIn interface {
	UserPool() awscognito.UserPool
	WebClient() awscognito.UserPoolClient
	IdentityPool() awscognitoidentitypool.IdentityPool
	// OwnerKey is limits.OwnerKeyIdentityID or limits.OwnerKeySub.
	OwnerKey() string
}

// IdentityVariables are the environment variables VerifiesUsersOf sets, in this order: the
// user pool id, the web client id, the identity pool id and, when the owner key is not the
// default (the identity id), limits.EnvOwnerKey.
var IdentityVariables = []string{limits.EnvUserPoolID, limits.EnvUserPoolClientID, limits.EnvIdentityPoolID, limits.EnvOwnerKey}

// AssetFunctionProps configure NewAssetFunction.
type AssetFunctionProps struct {
	// Code is the function's code: a directory holding a `bootstrap` executable built for
	// linux/arm64. Required.
	Code awslambda.Code
	// Description of the function. Default none.
	Description string
	// Environment variables. Not the IdentityVariables when VerifiesUsersOf is set. Default none.
	Environment map[string]string
	// VerifiesUsersOf is the sign-in whose users the function acts for: it gets the
	// IdentityVariables (that sign-in's user pool id, web client id, identity pool id and owner
	// key), with which its code verifies the caller's ID token and derives the owner. Default none: a
	// function that acts for no user (or for the owner of an API token, as the token API's
	// handler does).
	VerifiesUsersOf SignIn
	// MemoryMB is the function's memory. Default 256; 128 to 10240 (limits.FunctionMemoryMB).
	MemoryMB int
	// TimeoutSeconds is how long an invocation may run. Default 10; 1 to 900
	// (limits.FunctionTimeoutSeconds).
	TimeoutSeconds int
	// ReservedConcurrency caps concurrent executions (0: no cap). Default no cap.
	ReservedConcurrency int
	// LogRetentionDays of the function's log group: one of CloudWatch's retention periods
	// (limits.LogRetentionDays). Default limits.LogRetentionDays.Default (90).
	LogRetentionDays int
}

// PropsScope names AssetFunctionProps in errors of Validate.
const PropsScope = "assetfn.AssetFunctionProps"

// withDefaults is a copy of p (nil: every default) with the defaults filled in.
func (p *AssetFunctionProps) withDefaults() AssetFunctionProps {
	q := guard.Copy(p)
	q.MemoryMB = limits.FunctionMemoryMB.Or(q.MemoryMB)
	q.TimeoutSeconds = limits.FunctionTimeoutSeconds.Or(q.TimeoutSeconds)
	q.LogRetentionDays = limits.LogRetentionDays.Or(q.LogRetentionDays)
	return q
}

// Validate reports every problem of p (nil: the defaults) as a *limits.Error.
func (p *AssetFunctionProps) Validate() error {
	q := p.withDefaults()
	ps := limits.NewProblems(PropsScope)
	if q.Code == nil {
		ps.Add("Code", nil, "is required: a directory with a linux/arm64 `bootstrap` executable (awslambda.Code_FromAsset)")
	}
	limits.FunctionMemoryMB.Check(ps, "MemoryMB", q.MemoryMB)
	limits.FunctionTimeoutSeconds.Check(ps, "TimeoutSeconds", q.TimeoutSeconds)
	if q.ReservedConcurrency < 0 {
		ps.Add("ReservedConcurrency", q.ReservedConcurrency, "must be 0 (no cap) or a positive number of executions")
	}
	limits.LogRetentionDays.Check(ps, "LogRetentionDays", q.LogRetentionDays)
	if q.VerifiesUsersOf != nil {
		for _, name := range IdentityVariables {
			if _, set := q.Environment[name]; set {
				ps.Add("Environment["+name+"]", q.Environment[name], "is set by VerifiesUsersOf (from the sign-in construct); leave it out of Environment")
			}
		}
	}
	return ps.Err()
}

// AssetFunction is the function, its execution role and its log group.
type AssetFunction struct {
	constructs.Construct
	function awslambda.Function
	role     awsiam.Role
	logGroup awslogs.LogGroup
}

// NewAssetFunction validates props and builds the function.
func NewAssetFunction(scope constructs.Construct, id *string, props *AssetFunctionProps) *AssetFunction {
	guard.Check(scope, id, props.Validate())
	p := props.withDefaults()

	f := &AssetFunction{}
	constructs.NewConstruct_Override(f, scope, id)
	account := awscdk.Stack_Of(f).Account()
	f.role = awsiam.NewRole(f, jsii.String("Role"), &awsiam.RoleProps{
		Description: jsii.String("Execution role of the asset function " + *f.Node().Path()),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil).WithConditions(&map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": account},
		}),
	})
	f.logGroup = awslogs.NewLogGroup(f, jsii.String("Logs"), &awslogs.LogGroupProps{
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	// The retention in days, as CloudFormation takes it (validated against limits.LogRetentionDays).
	f.logGroup.Node().DefaultChild().(awslogs.CfnLogGroup).SetRetentionInDays(jsii.Number(float64(p.LogRetentionDays)))
	logs := awsiam.NewPolicy(f, jsii.String("WriteLogs"), &awsiam.PolicyProps{
		Roles: &[]awsiam.IRole{f.role},
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("WriteOwnLogGroup"),
			Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
			Resources: &[]*string{jsii.String(*f.logGroup.LogGroupArn())},
		})},
	})
	env := map[string]*string{}
	for k, v := range p.Environment {
		env[k] = jsii.String(v)
	}
	if s := p.VerifiesUsersOf; s != nil {
		env[limits.EnvUserPoolID] = s.UserPool().UserPoolId()
		env[limits.EnvUserPoolClientID] = s.WebClient().UserPoolClientId()
		env[limits.EnvIdentityPoolID] = s.IdentityPool().IdentityPoolId()
		if key := s.OwnerKey(); key != limits.DefaultOwnerKey {
			env[limits.EnvOwnerKey] = jsii.String(key)
		}
	}
	var reserved *float64
	if p.ReservedConcurrency > 0 {
		reserved = jsii.Number(float64(p.ReservedConcurrency))
	}
	f.function = awslambda.NewFunction(f, jsii.String("Resource"), &awslambda.FunctionProps{
		Code:                         p.Code,
		Handler:                      jsii.String("bootstrap"),
		Runtime:                      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:                 awslambda.Architecture_ARM_64(),
		Description:                  jsii.String(p.Description),
		Environment:                  &env,
		MemorySize:                   jsii.Number(float64(p.MemoryMB)),
		Timeout:                      awscdk.Duration_Seconds(jsii.Number(float64(p.TimeoutSeconds))),
		ReservedConcurrentExecutions: reserved,
		Role:                         f.role,
		LogGroup:                     f.logGroup,
		LoggingFormat:                awslambda.LoggingFormat_JSON,
	})
	f.function.Node().AddDependency(logs)
	// The function's Role property already orders it after the role: only its policies need DependsOn.
	cfndeps.DropReferenced(f.function.Node().DefaultChild().(awscdk.CfnResource), f.role.Node().DefaultChild().(awscdk.CfnResource))
	return f
}

// Function is the Lambda function.
func (f *AssetFunction) Function() awslambda.IFunction { return f.function }

// Role is the function's execution role.
func (f *AssetFunction) Role() awsiam.IRole { return f.role }

// LogGroup is the function's log group.
func (f *AssetFunction) LogGroup() awslogs.ILogGroup { return f.logGroup }

// Table actions of the grant methods: the item-level ones, read and write. Nothing else can be
// granted through them (no Scan, no table management).
var (
	TableReadActions  = []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"}
	TableWriteActions = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
)

// GrantTableCalls lets the function make exactly the calls actions (e.g. "dynamodb:GetItem")
// on table's items: name what the code calls, no more. Each must be one of TableReadActions or
// TableWriteActions, each once; anything else is refused (a *limits.Error scoped to
// <function path>/GrantTableCalls), before anything is granted.
func (f *AssetFunction) GrantTableCalls(table awsdynamodb.ITableV2, actions ...string) awsiam.Grant {
	itemLevel := limits.OneOf(slices.Concat(TableReadActions, TableWriteActions))
	ps := limits.NewProblems("GrantTableCalls")
	if len(actions) == 0 {
		ps.Add("actions", nil, "must name at least one item-level call the function makes (assetfn.TableReadActions, assetfn.TableWriteActions)")
	}
	for i, a := range actions {
		if slices.Index(actions, a) < i {
			ps.Add(fmt.Sprintf("actions[%d]", i), a, "is listed twice")
		} else {
			itemLevel.Check(ps, fmt.Sprintf("actions[%d]", i), a)
		}
	}
	guard.Check(f, jsii.String("GrantTableCalls"), ps.Err())
	return table.Grant(f.role, *jsii.Strings(actions...)...)
}

// GrantTableRead lets the function read items of table: every one of TableReadActions.
func (f *AssetFunction) GrantTableRead(table awsdynamodb.ITableV2) awsiam.Grant {
	return f.GrantTableCalls(table, TableReadActions...)
}

// GrantTableReadWrite lets the function read and write items of table: every one of
// TableReadActions and TableWriteActions.
func (f *AssetFunction) GrantTableReadWrite(table awsdynamodb.ITableV2) awsiam.Grant {
	return f.GrantTableCalls(table, slices.Concat(TableReadActions, TableWriteActions)...)
}
