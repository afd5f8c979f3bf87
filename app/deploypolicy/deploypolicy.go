// Package deploypolicy is gatehouse's least-privilege deploy path, as data: the CloudFormation
// execution policy that `make bootstrap` gives CDK's bootstrap (instead of its default,
// AdministratorAccess), and the permissions boundary every role gatehouse creates carries.
//
// The execution policy grants, for each CloudFormation resource type gatehouse's stacks use
// (ResourceTypes), the control-plane actions CloudFormation calls to create, update and delete
// it, never the data-plane reads and writes of the data those resources hold (no s3:GetObject
// on a bucket of the app, no dynamodb:GetItem). It may create and change roles named
// gatehouse-* only with the boundary attached (iam:PermissionsBoundary), and may never change
// the boundary or the execution policy themselves, nor take a boundary off a role: so whoever
// controls the pipeline cannot grant a role more than the boundary allows.
//
// The boundary allows only the services gatehouse's roles use and denies every IAM change and
// every change of account settings: a bounded role cannot create, widen or unbound a role, even
// if an identity policy said it could.
//
// The bootstrap boundary goes on every role of CDK's bootstrap (make bootstrap passes it as
// --custom-permissions-boundary): it takes away reading the application's data — objects
// outside the bootstrap's asset buckets, table items, secrets, user and identity listings, log
// events — which the bootstrap's lookup role would otherwise have through AWS's ReadOnlyAccess,
// and which every account it trusts (the pipeline's) could use by assuming it.
//
// It imports no CDK package: the guardrails stack (package stacks), the tests and make bootstrap
// read the same documents.
package deploypolicy

import (
	"maps"
	"slices"
	"strings"
)

// Names of the two managed policies, per account (IAM is global: one pair serves every region).
const (
	BoundaryName          = "gatehouse-permissions-boundary"
	ExecutionName         = "gatehouse-deploy-execution"
	BootstrapBoundaryName = "gatehouse-bootstrap-boundary"
	// Qualifier is the CDK bootstrap's default qualifier (its roles' names carry it).
	Qualifier = "hnb659fds"
	// RolePrefix starts every role name gatehouse creates: CloudFormation names a role
	// <stack name>-<logical id>-<suffix>, and every stack's name starts gatehouse-.
	RolePrefix = "gatehouse-"
)

// PolicyArn is the ARN of the managed policy name in account.
func PolicyArn(account, name string) string { return "arn:aws:iam::" + account + ":policy/" + name }

// DeployRoleArn is the bootstrap's deploy role of account and region (what the pipeline
// assumes to deploy there; it may read stacks' outputs).
func DeployRoleArn(account, region string) string {
	return "arn:aws:iam::" + account + ":role/cdk-" + Qualifier + "-deploy-role-" + account + "-" + region
}

// ResourceTypes maps every CloudFormation resource type gatehouse deploys (every environment's
// stacks, the pipeline's) to the actions CloudFormation needs to create, update and delete it.
// A test derives the types from the synthesized templates and fails on any type missing here.
var ResourceTypes = map[string][]string{
	"AWS::Amplify::App":                {"amplify:CreateApp", "amplify:GetApp", "amplify:UpdateApp", "amplify:DeleteApp", "amplify:TagResource", "amplify:UntagResource", "amplify:ListTagsForResource"},
	"AWS::Amplify::Branch":             {"amplify:CreateBranch", "amplify:GetBranch", "amplify:UpdateBranch", "amplify:DeleteBranch", "amplify:TagResource", "amplify:UntagResource", "amplify:ListTagsForResource"},
	"AWS::ApiGateway::Account":         apigateway,
	"AWS::ApiGateway::Authorizer":      apigateway,
	"AWS::ApiGateway::Deployment":      apigateway,
	"AWS::ApiGateway::GatewayResponse": apigateway,
	"AWS::ApiGateway::Method":          apigateway,
	"AWS::ApiGateway::Resource":        apigateway,
	"AWS::ApiGateway::RestApi":         apigateway,
	"AWS::ApiGateway::Stage":           apigateway,
	"AWS::CloudFront::Distribution": {"cloudfront:CreateDistribution", "cloudfront:CreateDistributionWithTags", "cloudfront:GetDistribution", "cloudfront:GetDistributionConfig",
		"cloudfront:UpdateDistribution", "cloudfront:DeleteDistribution", "cloudfront:TagResource", "cloudfront:UntagResource", "cloudfront:ListTagsForResource",
		"cloudfront:AllowVendedLogDeliveryForResource", "acm:DescribeCertificate", "acm:ListCertificates"},
	"AWS::CloudFront::KeyGroup":              {"cloudfront:CreateKeyGroup", "cloudfront:GetKeyGroup", "cloudfront:GetKeyGroupConfig", "cloudfront:UpdateKeyGroup", "cloudfront:DeleteKeyGroup"},
	"AWS::CloudFront::OriginAccessControl":   {"cloudfront:CreateOriginAccessControl", "cloudfront:GetOriginAccessControl", "cloudfront:UpdateOriginAccessControl", "cloudfront:DeleteOriginAccessControl"},
	"AWS::CloudFront::PublicKey":             {"cloudfront:CreatePublicKey", "cloudfront:GetPublicKey", "cloudfront:UpdatePublicKey", "cloudfront:DeletePublicKey"},
	"AWS::CloudFront::ResponseHeadersPolicy": {"cloudfront:CreateResponseHeadersPolicy", "cloudfront:GetResponseHeadersPolicy", "cloudfront:UpdateResponseHeadersPolicy", "cloudfront:DeleteResponseHeadersPolicy"},
	"AWS::CodeBuild::Project":                {"codebuild:CreateProject", "codebuild:UpdateProject", "codebuild:DeleteProject", "codebuild:BatchGetProjects"},
	"AWS::CodePipeline::Pipeline": {"codepipeline:CreatePipeline", "codepipeline:GetPipeline", "codepipeline:GetPipelineState", "codepipeline:UpdatePipeline", "codepipeline:DeletePipeline",
		"codepipeline:TagResource", "codepipeline:UntagResource", "codepipeline:ListTagsForResource", "codestar-connections:PassConnection", "codeconnections:PassConnection"},
	"AWS::Cognito::IdentityPool":               {"cognito-identity:CreateIdentityPool", "cognito-identity:DescribeIdentityPool", "cognito-identity:UpdateIdentityPool", "cognito-identity:DeleteIdentityPool", "cognito-identity:TagResource", "cognito-identity:UntagResource"},
	"AWS::Cognito::IdentityPoolPrincipalTag":   {"cognito-identity:SetPrincipalTagAttributeMap", "cognito-identity:GetPrincipalTagAttributeMap"},
	"AWS::Cognito::IdentityPoolRoleAttachment": {"cognito-identity:SetIdentityPoolRoles", "cognito-identity:GetIdentityPoolRoles"},
	"AWS::Cognito::UserPool": {"cognito-idp:CreateUserPool", "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool", "cognito-idp:DeleteUserPool", "cognito-idp:SetUserPoolMfaConfig",
		"cognito-idp:GetUserPoolMfaConfig", "cognito-idp:TagResource", "cognito-idp:UntagResource", "cognito-idp:ListTagsForResource", "ses:GetIdentityVerificationAttributes", "ses:GetEmailIdentity"},
	"AWS::Cognito::UserPoolClient": {"cognito-idp:CreateUserPoolClient", "cognito-idp:DescribeUserPoolClient", "cognito-idp:UpdateUserPoolClient", "cognito-idp:DeleteUserPoolClient"},
	"AWS::Cognito::UserPoolGroup":  {"cognito-idp:CreateGroup", "cognito-idp:GetGroup", "cognito-idp:UpdateGroup", "cognito-idp:DeleteGroup"},
	"AWS::DynamoDB::GlobalTable": {"dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable", "dynamodb:DeleteTable", "dynamodb:CreateTableReplica", "dynamodb:DeleteTableReplica",
		"dynamodb:DescribeContinuousBackups", "dynamodb:UpdateContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:UpdateTimeToLive", "dynamodb:DescribeContributorInsights",
		"dynamodb:UpdateContributorInsights", "dynamodb:DescribeKinesisStreamingDestination", "dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:ListTagsOfResource",
		"dynamodb:GetResourcePolicy", "dynamodb:PutResourcePolicy", "dynamodb:DeleteResourcePolicy", "dynamodb:DescribeTableReplicaAutoScaling", "dynamodb:ListTables"},
	"AWS::IAM::Policy": {"iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy"},
	"AWS::IAM::Role":   {"iam:CreateRole", "iam:GetRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:PassRole"},
	"AWS::KMS::Alias":  {"kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:ListAliases"},
	"AWS::KMS::Key": {"kms:CreateKey", "kms:DescribeKey", "kms:EnableKeyRotation", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
		"kms:TagResource", "kms:UntagResource", "kms:ListResourceTags", "kms:EnableKey", "kms:DisableKey", "kms:UpdateKeyDescription"},
	"AWS::Lambda::Function": {"lambda:CreateFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
		"lambda:DeleteFunction", "lambda:TagResource", "lambda:UntagResource", "lambda:ListTags", "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency", "lambda:GetRuntimeManagementConfig"},
	"AWS::Lambda::Permission":             {"lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"},
	"AWS::Logs::Delivery":                 {"logs:CreateDelivery", "logs:GetDelivery", "logs:UpdateDeliveryConfiguration", "logs:DeleteDelivery", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"},
	"AWS::Logs::DeliveryDestination":      {"logs:PutDeliveryDestination", "logs:GetDeliveryDestination", "logs:DeleteDeliveryDestination", "logs:PutDeliveryDestinationPolicy", "logs:GetDeliveryDestinationPolicy", "logs:DeleteDeliveryDestinationPolicy", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"},
	"AWS::Logs::DeliverySource":           {"logs:PutDeliverySource", "logs:GetDeliverySource", "logs:DeleteDeliverySource", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource"},
	"AWS::Logs::LogGroup":                 {"logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource", "logs:AssociateKmsKey", "logs:DisassociateKmsKey"},
	"AWS::S3::Bucket":                     s3Bucket,
	"AWS::S3::BucketPolicy":               {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"},
	"AWS::SNS::Topic":                     {"sns:CreateTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:DeleteTopic", "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource", "sns:GetDataProtectionPolicy", "sns:PutDataProtectionPolicy"},
	"AWS::SNS::TopicPolicy":               {"sns:GetTopicAttributes", "sns:SetTopicAttributes"},
	"AWS::SecretsManager::ResourcePolicy": {"secretsmanager:PutResourcePolicy", "secretsmanager:GetResourcePolicy", "secretsmanager:DeleteResourcePolicy", "secretsmanager:ValidateResourcePolicy"},
	// The secret is created empty (its value is stored by hand): no GetSecretValue.
	"AWS::SecretsManager::Secret": {"secretsmanager:CreateSecret", "secretsmanager:DescribeSecret", "secretsmanager:UpdateSecret", "secretsmanager:DeleteSecret", "secretsmanager:TagResource", "secretsmanager:UntagResource"},
}

var apigateway = []string{"apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE", "apigateway:UpdateRestApiPolicy"}

var s3Bucket = []string{"s3:CreateBucket", "s3:DeleteBucket", "s3:ListBucket", "s3:GetBucket*", "s3:PutBucket*", "s3:DeleteBucketOwnershipControls",
	"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:GetAccelerateConfiguration",
	"s3:GetReplicationConfiguration", "s3:GetIntelligentTieringConfiguration", "s3:GetInventoryConfiguration", "s3:GetMetricsConfiguration", "s3:GetAnalyticsConfiguration"}

// cloudFormation is what every deploy needs besides the resources: CDK's own checks and
// the asset bucket's objects (Lambda reads a function's code as the caller).
func cloudFormation(account string) []any {
	return []any{
		statement("CloudFormation", "Allow", []string{"cloudformation:DescribeStacks", "cloudformation:GetTemplate", "ssm:GetParameter", "ssm:GetParameters"}, "*"),
		statement("ReadAssets", "Allow", []string{"s3:GetObject", "s3:GetObjectVersion"}, AssetObjects(account)),
	}
}

// boundedRoleActions create or widen a role: the execution policy allows them only with the
// boundary (iam:PermissionsBoundary), on roles gatehouse-* only.
func boundedRoleActions() []string {
	return []string{"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"}
}

// Execution is the CloudFormation execution policy of account (bootstrap's
// --cloudformation-execution-policies), as an IAM policy document.
func Execution(account string) map[string]any {
	boundary := PolicyArn(account, BoundaryName)
	roles := "arn:aws:iam::" + account + ":role/" + RolePrefix + "*"
	bounded := boundedRoleActions()
	var other []string
	for _, a := range actionsOf("iam:", true) {
		if !slices.Contains(bounded, a) {
			other = append(other, a)
		}
	}
	statements := []any{
		statement("Resources", "Allow", actionsOf("iam:", false), "*"),
		withCondition(statement("BoundedRoles", "Allow", bounded, roles),
			map[string]any{"StringEquals": map[string]any{"iam:PermissionsBoundary": boundary}}),
		statement("Roles", "Allow", other, roles),
		statement("NoBoundaryChanges", "Deny", []string{"iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"},
			[]string{boundary, PolicyArn(account, ExecutionName)}),
		statement("NoUnboundedRoles", "Deny", []string{"iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary", "iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile"}, "*"),
	}
	statements = append(statements, cloudFormation(account)...)
	return document(statements)
}

// actionsOf lists the actions of ResourceTypes that start with prefix (in: true) or do not
// (in: false), sorted and unique.
func actionsOf(prefix string, in bool) []string {
	seen := map[string]bool{}
	for _, actions := range ResourceTypes {
		for _, a := range actions {
			if strings.HasPrefix(a, prefix) == in {
				seen[a] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// Types lists ResourceTypes' keys, sorted.
func Types() []string { return slices.Sorted(maps.Keys(ResourceTypes)) }

// BoundaryServices are the services whose actions a bounded role may be granted: what
// gatehouse's roles (the application's and the pipeline's) are granted, and no other. A test
// checks every action of every bounded role's policies is among them, and each is used (logs
// is also what AWS's AmazonAPIGatewayPushToCloudWatchLogs, on API Gateway's logging role, grants).
var BoundaryServices = []string{"apigateway", "cloudformation", "codebuild", "codestar-connections", "dynamodb", "kms", "lambda", "logs",
	"s3", "secretsmanager", "sns", "sts"}

// Boundary is the permissions boundary of account, as an IAM policy document.
func Boundary(account string) map[string]any {
	services := make([]string, len(BoundaryServices))
	for i, s := range BoundaryServices {
		services[i] = s + ":*"
	}
	return document([]any{
		statement("Services", "Allow", services, "*"),
		statement("NoIAM", "Deny", []string{"iam:*", "organizations:*", "account:*"}, "*"),
	})
}

// DataReads are the reads of the data the application's resources hold, which no role of the
// deploy path needs (the bootstrap boundary denies them).
var DataReads = []string{
	"s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectTorrent",
	"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:GetRecords", "dynamodb:PartiQLSelect", "dynamodb:ExportTableToPointInTime",
	"secretsmanager:GetSecretValue",
	"cognito-idp:ListUsers", "cognito-idp:ListUsersInGroup", "cognito-idp:AdminGetUser",
	"cognito-identity:ListIdentities", "cognito-identity:DescribeIdentity", "cognito-identity:LookupDeveloperIdentity",
	"logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:GetLogRecord",
}

// AssetObjects are the objects of the bootstrap's asset buckets of account (every region): the
// templates and function code a deploy reads, the only objects the bootstrap boundary lets be read.
func AssetObjects(account string) string {
	return "arn:aws:s3:::cdk-" + Qualifier + "-assets-" + account + "-*/*"
}

// BootstrapBoundary is the permissions boundary of every role of CDK's bootstrap in account:
// everything but the application's data.
func BootstrapBoundary(account string) map[string]any {
	noData := statement("NoApplicationData", "Deny", DataReads, nil)
	delete(noData, "Resource")
	noData["NotResource"] = AssetObjects(account)
	return document([]any{
		statement("BootstrapRoles", "Allow", []string{"*"}, "*"),
		noData,
	})
}

func document(statements []any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}

func statement(sid, effect string, actions []string, resource any) map[string]any {
	return map[string]any{"Sid": sid, "Effect": effect, "Action": actions, "Resource": resource}
}

func withCondition(s map[string]any, condition map[string]any) map[string]any {
	s["Condition"] = condition
	return s
}
