// Package assetfn builds an asset function: a Lambda function that holds the data permissions
// the web page itself never gets. Only its own execution role can reach its data.
//
// Why each default is safe:
//   - The execution role is its own (never shared) and trusts only lambda.amazonaws.com for
//     functions of this account (aws:SourceAccount). It has no AWS managed policy: logging is one
//     narrow statement on the function's own log group, which is created with a retention period
//     and retained with the stack.
//   - Data access comes only from grant methods that name the actions the code needs on one
//     table (GrantTableRead: GetItem, BatchGetItem, Query, ConditionCheckItem; GrantTableReadWrite
//     adds PutItem, UpdateItem, DeleteItem, BatchWriteItem) — no Scan, no table management.
//   - arm64 (Graviton) on the provided.al2023 runtime; reserved concurrency optional, to cap how
//     much a caller can spend or how hard it can hit the table.
package assetfn

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/cfndeps"
	"github.com/gatehouse-cdk/gatehouse/internal/validate"
)

// Defaults of AssetFunctionProps.
const (
	DefaultMemoryMB         = 256
	DefaultTimeoutSeconds   = 10
	DefaultLogRetentionDays = 90
)

// AssetFunctionProps configure NewAssetFunction.
type AssetFunctionProps struct {
	// Code is the function's code: a directory holding a `bootstrap` executable built for
	// linux/arm64. Required.
	Code awslambda.Code
	// Description of the function.
	Description string
	// Environment variables.
	Environment map[string]string
	// MemoryMB, 128..10240. Default 256.
	MemoryMB int
	// TimeoutSeconds, 1..900. Default 10.
	TimeoutSeconds int
	// ReservedConcurrency caps concurrent executions (0: no cap). Default no cap.
	ReservedConcurrency int
	// LogRetentionDays of the function's log group: one of CloudWatch's retention periods
	// (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
	// 2922, 3288, 3653). Default 90.
	LogRetentionDays int
}

// PropsScope names AssetFunctionProps in error messages.
const PropsScope = "assetfn.AssetFunctionProps"

// retention maps CloudWatch's retention periods (days) to the CDK's names for them.
var retention = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
	1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
	3653: awslogs.RetentionDays_TEN_YEARS,
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
	var p AssetFunctionProps
	if props != nil {
		p = *props
	}
	if p.MemoryMB == 0 {
		p.MemoryMB = DefaultMemoryMB
	}
	if p.TimeoutSeconds == 0 {
		p.TimeoutSeconds = DefaultTimeoutSeconds
	}
	if p.LogRetentionDays == 0 {
		p.LogRetentionDays = DefaultLogRetentionDays
	}
	ps := validate.NewProblems(PropsScope)
	if p.Code == nil {
		ps.Add("Code", nil, "is required: a directory with a linux/arm64 `bootstrap` executable (awslambda.Code_FromAsset)")
	}
	validate.IntRange(ps, "MemoryMB", p.MemoryMB, 128, 10240, "MB")
	validate.IntRange(ps, "TimeoutSeconds", p.TimeoutSeconds, 1, 900, "seconds")
	if p.ReservedConcurrency < 0 {
		ps.Add("ReservedConcurrency", p.ReservedConcurrency, "must be 0 (no cap) or a positive number of executions")
	}
	if _, ok := retention[p.LogRetentionDays]; !ok {
		ps.Add("LogRetentionDays", p.LogRetentionDays, fmt.Sprintf("must be one of CloudWatch's retention periods: %v", slices.Sorted(maps.Keys(retention))))
	}
	if err := ps.Err(); err != nil {
		panic(err)
	}

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
		Retention:     retention[p.LogRetentionDays],
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
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

// Table actions of the grant methods.
var (
	TableReadActions  = []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"}
	TableWriteActions = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}
)

// GrantTableRead lets the function read items of table (no Scan).
func (f *AssetFunction) GrantTableRead(table awsdynamodb.ITableV2) awsiam.Grant {
	return table.Grant(f.role, *jsii.Strings(TableReadActions...)...)
}

// GrantTableReadWrite lets the function read and write items of table (no Scan, no table changes).
func (f *AssetFunction) GrantTableReadWrite(table awsdynamodb.ITableV2) awsiam.Grant {
	return table.Grant(f.role, *jsii.Strings(append(append([]string{}, TableReadActions...), TableWriteActions...)...)...)
}
