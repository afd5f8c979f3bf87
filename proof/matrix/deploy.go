package matrix

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/app/deploypolicy"
	"github.com/gatehouse-cdk/gatehouse/internal/logicalids"
)

// Where the deploy path's rows find what they need.
const (
	// PipelineStack is the pipeline stack's path in the model.
	PipelineStack = "Pipeline"
)

// ExecutionRoleArn is the CDK bootstrap's CloudFormation execution role of account and region:
// make bootstrap gives it gatehouse's execution policy (package deploypolicy) alone.
func ExecutionRoleArn(account, region string) string {
	return "arn:aws:iam::" + account + ":role/cdk-" + deploypolicy.Qualifier + "-cfn-exec-role-" + account + "-" + region
}

// LookupRoleArn is the CDK bootstrap's lookup role of account and region: it trusts every account
// the bootstrap trusts (the pipeline's) and holds AWS's ReadOnlyAccess.
func LookupRoleArn(account, region string) string {
	return "arn:aws:iam::" + account + ":role/cdk-" + deploypolicy.Qualifier + "-lookup-role-" + account + "-" + region
}

// readOnlyDataReads is what of AWS's ReadOnlyAccess reads data, with the bootstrap template's
// own deny of kms:Decrypt (DontReadSecrets): the lookup role's policies, as far as data goes.
var readOnlyDataReads = map[string]any{"Version": "2012-10-17", "Statement": []any{
	map[string]any{"Sid": "ReadOnlyAccessDataReads", "Effect": "Allow", "Resource": "*", "Action": []any{
		"s3:Get*", "s3:List*", "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
		"cognito-idp:ListUsers", "cognito-identity:ListIdentities", "logs:GetLogEvents", "logs:FilterLogEvents", "cloudformation:DescribeStacks"}},
	map[string]any{"Sid": "DontReadSecrets", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*"},
}}

// bootstrapRoles adds the bootstrap's execution and lookup roles of account and region to m, as
// make bootstrap leaves them: the execution role with gatehouse's execution policy, the lookup
// role with ReadOnlyAccess's reads, both bounded by the bootstrap boundary.
func bootstrapRoles(m *access.Model, account, region string) (exec, lookup string, err error) {
	execution, ok := m.ManagedPolicy(deploypolicy.PolicyArn(account, deploypolicy.ExecutionName))
	boundary, bounded := m.ManagedPolicy(deploypolicy.PolicyArn(account, deploypolicy.BootstrapBoundaryName))
	if !ok || !bounded {
		return "", "", fmt.Errorf("no execution policy or bootstrap boundary of account %s in the model (its guardrails stack)", account)
	}
	readOnly, err := access.ParseDocument(readOnlyDataReads)
	if err != nil {
		return "", "", err
	}
	exec, lookup = ExecutionRoleArn(account, region), LookupRoleArn(account, region)
	for _, r := range []struct {
		arn, service string
		policy       access.Policy
	}{
		{exec, "cloudformation.amazonaws.com", execution},
		{lookup, "cloudformation.amazonaws.com", access.Policy{Source: access.Source{Stack: "(the CDK bootstrap)", Name: "ReadOnlyAccess"}, Document: readOnly, JSON: readOnlyDataReads}},
	} {
		if !m.KnowsPrincipal(r.arn) {
			if _, err := m.AddRole(r.arn, r.service, []access.Policy{r.policy}, &boundary); err != nil {
				return "", "", err
			}
		}
	}
	return exec, lookup, nil
}

// Deploy is the access matrix of the deploy path in the model's account: the bootstrap's
// execution role (added to m with the guardrails stack's execution policy, as make bootstrap
// attaches it) creates and changes roles only with the boundary and only gatehouse's, never
// changes the boundary, and reads no application data of env; every role of the pipeline stack
// (CodePipeline's, its actions', the CodeBuild projects') reads none either and is bounded.
func Deploy(m *access.Model, env, account, region string) ([]Row, error) {
	boundary := deploypolicy.PolicyArn(account, deploypolicy.BoundaryName)
	execution := deploypolicy.PolicyArn(account, deploypolicy.ExecutionName)
	exec, lookupRole, err := bootstrapRoles(m, account, region)
	if err != nil {
		return nil, err
	}
	look := &lookup{m: m}
	bucket := look.attr(env+"/Uploads", uploadBucketID, "Ref")
	table := look.attr(env+"/Server", itemsTableID, "Arn")
	secret := look.attr(env+"/Delivery", signingKeyID, "Ref")
	userPool := look.attr(env+"/Auth", logicalids.UserPool, "Ref")
	if look.err != nil {
		return nil, look.err
	}
	role := func(what string) string {
		return "arn:aws:iam::" + account + ":role/" + what
	}
	appRole := role(deploypolicy.RolePrefix + env + "-server-WebpageRole-ABC123")
	object := "arn:aws:s3:::" + bucket + "/protected/" + IdentityA + "/photo.jpg"
	book := newBook(exec, "<execution role>", lookupRole, "<lookup role>", bucket, "<uploads>", boundary, "<boundary>", execution, "<execution policy>",
		"arn:aws:iam::"+account+":", "", "arn:aws:s3:::", "")
	add := book.add
	withBoundary := func(arn string) access.Context { return access.Context{"iam:PermissionsBoundary": {arn}} }
	ex := func(action, resource string, ctx access.Context) access.Request {
		return access.Request{Principal: exec, Action: action, Resource: resource, Context: ctx}
	}
	// Roles: gatehouse's, with the boundary, and no other way.
	for _, action := range []string{"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"} {
		add("execution role", access.Allow, ex(action, appRole, withBoundary(boundary)))
		add("execution role", access.ImplicitDeny, ex(action, appRole, nil))
		add("execution role", access.ImplicitDeny, ex(action, appRole, withBoundary("arn:aws:iam::aws:policy/AdministratorAccess")))
	}
	add("execution role", access.ImplicitDeny, ex("iam:CreateRole", role("admin-backdoor"), withBoundary(boundary)))
	add("execution role", access.ExplicitDeny, ex("iam:DeleteRolePermissionsBoundary", appRole, nil))
	for _, p := range []string{boundary, execution} {
		for _, action := range []string{"iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"} {
			add("execution role", access.ExplicitDeny, ex(action, p, nil))
		}
	}
	add("execution role", access.ExplicitDeny, ex("iam:CreateUser", "arn:aws:iam::"+account+":user/backdoor", nil))
	// Resources: the types' control plane, not their data (the bootstrap boundary denies it).
	add("execution role", access.Allow, ex("s3:CreateBucket", "arn:aws:s3:::"+bucket, nil))
	add("execution role", access.Allow, ex("dynamodb:CreateTable", table, nil))
	add("execution role", access.Allow, ex("s3:GetObject", "arn:aws:s3:::cdk-"+deploypolicy.Qualifier+"-assets-"+account+"-"+region+"/items.zip", nil))
	add("execution role", access.ExplicitDeny, ex("s3:GetObject", object, nil))
	add("execution role", access.ExplicitDeny, ex("dynamodb:GetItem", table, nil))
	add("execution role", access.ExplicitDeny, ex("dynamodb:Scan", table, nil))
	add("execution role", access.ExplicitDeny, ex("secretsmanager:GetSecretValue", secret, nil))

	// The bootstrap's lookup role, which every account the bootstrap trusts may assume: its
	// ReadOnlyAccess reads the stacks, but the bootstrap boundary takes the app's data away.
	look2 := func(action, resource string) access.Request {
		return access.Request{Principal: lookupRole, Action: action, Resource: resource}
	}
	add("lookup role", access.Allow, look2("cloudformation:DescribeStacks", "arn:aws:cloudformation:"+region+":"+account+":stack/gatehouse-"+env+"-auth/1"))
	add("lookup role", access.Allow, look2("s3:GetObject", "arn:aws:s3:::cdk-"+deploypolicy.Qualifier+"-assets-"+account+"-"+region+"/items.zip"))
	add("lookup role", access.ExplicitDeny, look2("s3:GetObject", object))
	add("lookup role", access.ExplicitDeny, look2("dynamodb:GetItem", table))
	add("lookup role", access.ExplicitDeny, look2("dynamodb:Scan", table))
	add("lookup role", access.ExplicitDeny, look2("cognito-idp:ListUsers", "arn:aws:cognito-idp:"+region+":"+account+":userpool/"+userPool))
	add("lookup role", access.ExplicitDeny, look2("secretsmanager:GetSecretValue", secret))

	// Every role of the pipeline (CodePipeline's, its actions', the CodeBuild projects'):
	// bounded, and no application data.
	var pipelineRoles []*access.Role
	for _, arn := range slices.Sorted(maps.Keys(m.Roles)) {
		if r := m.Roles[arn]; r.Stack == PipelineStack {
			pipelineRoles = append(pipelineRoles, r)
		}
	}
	if len(pipelineRoles) < 5 {
		return nil, fmt.Errorf("%d roles in the pipeline stack %s", len(pipelineRoles), PipelineStack)
	}
	checkRole := PipelineStack + "/Pipeline/Pipeline/" + env + "/Outputs-" + env + "/Outputs-" + env + "/Role/Resource"
	checked := false
	for _, r := range pipelineRoles {
		who := "pipeline " + strings.TrimPrefix(strings.TrimSuffix(r.Path, "/Resource"), PipelineStack+"/Pipeline/")
		req := func(action, resource string) access.Request {
			return access.Request{Principal: r.ARN, Action: action, Resource: resource}
		}
		add(who, access.ImplicitDeny, req("s3:GetObject", object))
		add(who, access.ImplicitDeny, req("dynamodb:GetItem", table))
		add(who, access.ExplicitDeny, req("secretsmanager:GetSecretValue", secret))
		add(who, access.ImplicitDeny, req("sts:AssumeRole", exec))
		add(who, access.ExplicitDeny, req("iam:CreateRole", appRole))
		if r.Path == checkRole {
			// The outputs check reads the stacks as the target's deploy role.
			add(who, access.Allow, req("sts:AssumeRole", deploypolicy.DeployRoleArn(account, region)))
			checked = true
		}
	}
	if !checked {
		return nil, fmt.Errorf("no outputs check role at %s", checkRole)
	}
	return book.rows, nil
}
