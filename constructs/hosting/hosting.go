// Package hosting builds what a server-rendered Next.js app on AWS Amplify Hosting needs to
// reach AWS without access keys: SSR compute roles for run time, a build role for the hosted
// build, and optionally the Amplify app (platform WEB_COMPUTE) and its branches wired to them.
//
// Why each default is safe:
//   - A compute role is the role Amplify's SSR runtime assumes (trusting amplify.amazonaws.com);
//     no access key is ever written into build-time environment variables or .env.production.
//   - It starts with no permission; the resources' grant methods add one capability each (e.g.
//     SecureTopic.GrantPublish(role.Role()); the bucket and table grants take it as a grantee
//     too). It is a different role from the build role.
//   - The build role (the app's service role, which Amplify's build container runs with) may
//     only read the outputs of the stacks it is told (cloudformation:DescribeStacks on each by
//     name): the hosted build writes the app's configuration from them, and nothing is copied by
//     hand. Outputs hold names and ARNs, never secrets, and the role can read no data, template
//     or parameter. Its trust has the confused-deputy conditions AWS sets on the service roles it
//     creates (this account, and its Amplify apps).
//   - Confused-deputy conditions (aws:SourceAccount, and aws:SourceArn on the app's branches) are
//     available behind RestrictToApp but off by default: AWS documents the compute-role trust
//     without conditions, and a condition on a key the service does not send makes the role
//     unassumable, which would break every SSR request. Turn it on once verified in your
//     account. When the app is managed here its id does not exist before the app, and the app
//     needs the role, so the condition then covers this account's apps (apps/*).
//   - Each branch can have its own role (e.g. production with more rights than beta).
//   - Every response of the app carries limits.SecurityHeaders (HSTS, nosniff, same-origin
//     referrer, no framing, a baseline CSP) as Amplify custom headers, whatever the app sends.
//   - Without a repository the app takes manual deploys; with one, its access token comes from
//     Secrets Manager (a dynamic reference resolved by CloudFormation), never from plain config.
package hosting

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsamplify"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/guard"
	"github.com/gatehouse-cdk/gatehouse/internal/nag"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// ComputeRoleProps configure NewComputeRole. All optional.
type ComputeRoleProps struct {
	// Description of the role. Default none.
	Description string
	// RestrictToApp adds aws:SourceAccount = this account and aws:SourceArn =
	// arn:aws:amplify:<region>:<account>:apps/<AppID>/branches/<Branch> to the trust. Default off.
	RestrictToApp bool
	// AppID narrows RestrictToApp to one app. Default "*" (any app of this account).
	AppID string
	// Branch narrows RestrictToApp to one branch. Default "*".
	Branch string
}

// ComputeRole is an Amplify SSR compute role.
type ComputeRole struct {
	constructs.Construct
	role awsiam.Role
}

// withDefaults is a copy of p (nil: every default) with the defaults filled in.
func (p *ComputeRoleProps) withDefaults() ComputeRoleProps {
	q := guard.Copy(p)
	if q.AppID == "" {
		q.AppID = "*"
	}
	if q.Branch == "" {
		q.Branch = "*"
	}
	return q
}

// Validate reports every problem of p (nil: the defaults) as a *limits.Error.
func (p *ComputeRoleProps) Validate() error {
	q := p.withDefaults()
	ps := limits.NewProblems("hosting.ComputeRoleProps")
	if q.AppID != "*" {
		limits.AppID.Check(ps, "AppID", q.AppID)
	}
	if q.Branch != "*" {
		limits.BranchName.Check(ps, "Branch", q.Branch)
	}
	return ps.Err()
}

// NewComputeRole builds a compute role with no permissions.
func NewComputeRole(scope constructs.Construct, id *string, props *ComputeRoleProps) *ComputeRole {
	guard.Check(scope, id, props.Validate())
	p := props.withDefaults()
	if p.Description == "" {
		p.Description = "Amplify Hosting SSR compute role: what the server-rendered app may do at run time"
	}
	c := &ComputeRole{}
	constructs.NewConstruct_Override(c, scope, id)
	principal := awsiam.NewServicePrincipal(jsii.String("amplify.amazonaws.com"), nil)
	var assumedBy awsiam.IPrincipal = principal
	if p.RestrictToApp {
		stack := awscdk.Stack_Of(c)
		assumedBy = principal.WithConditions(&map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
			"ArnLike": map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:amplify:%s:%s:apps/%s/branches/%s",
				*awscdk.Aws_PARTITION(), *stack.Region(), *stack.Account(), p.AppID, p.Branch)},
		})
	}
	c.role = awsiam.NewRole(c, jsii.String("Resource"), &awsiam.RoleProps{
		Description: jsii.String(p.Description),
		AssumedBy:   assumedBy,
	})
	return c
}

// Role is the compute role.
func (c *ComputeRole) Role() awsiam.IRole { return c.role }

// BuildRoleProps configure NewBuildRole.
type BuildRoleProps struct {
	// Description of the role. Default: says what it is for.
	Description string
	// ReadsOutputsOf names the stacks, in this stack's account and region, whose outputs the
	// build reads (cloudformation:DescribeStacks on each). Required: at least one.
	ReadsOutputsOf []string
}

// BuildRole is the role an Amplify app's builds run with (its service role).
type BuildRole struct {
	constructs.Construct
	role awsiam.Role
}

// Validate reports every problem of p as a *limits.Error.
func (p *BuildRoleProps) Validate() error {
	var q BuildRoleProps
	if p != nil {
		q = *p
	}
	ps := limits.NewProblems("hosting.BuildRoleProps")
	if len(q.ReadsOutputsOf) == 0 {
		ps.Add("ReadsOutputsOf", nil, "is required: the stacks whose outputs the build reads (a build role with nothing to read is not needed)")
	}
	for i, name := range q.ReadsOutputsOf {
		limits.StackName.Check(ps, fmt.Sprintf("ReadsOutputsOf[%d]", i), name)
	}
	return ps.Err()
}

// NewBuildRole builds a build role that may read the given stacks' outputs and nothing else.
func NewBuildRole(scope constructs.Construct, id *string, props *BuildRoleProps) *BuildRole {
	guard.Check(scope, id, props.Validate())
	p := *props
	if p.Description == "" {
		p.Description = "Amplify Hosting build role: reads the outputs the web app's configuration is written from"
	}
	b := &BuildRole{}
	constructs.NewConstruct_Override(b, scope, id)
	stack := awscdk.Stack_Of(b)
	b.role = awsiam.NewRole(b, jsii.String("Resource"), &awsiam.RoleProps{
		Description: jsii.String(p.Description),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("amplify.amazonaws.com"), nil).WithConditions(&map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
			"ArnLike": map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:amplify:%s:%s:apps/*",
				*awscdk.Aws_PARTITION(), *stack.Region(), *stack.Account())},
		}),
	})
	stacks := make([]*string, len(p.ReadsOutputsOf))
	patterns := make([]string, len(p.ReadsOutputsOf))
	for i, name := range p.ReadsOutputsOf {
		stacks[i] = stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("cloudformation"), Resource: jsii.String("stack"),
			ResourceName: jsii.String(name + "/*")})
		patterns[i] = `Resource::arn:(aws[a-z-]*|<AWS::Partition>):cloudformation:([a-z0-9-]+|<AWS::Region>):([0-9]{12}|<AWS::AccountId>):stack/` + regexp.QuoteMeta(name) + `/\*`
	}
	b.role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("cloudformation:DescribeStacks"), Resources: &stacks,
	}))
	nag.Suppress(b.role.Node().FindChild(jsii.String("DefaultPolicy")), nag.Suppression{ID: "AwsSolutions-IAM5", AppliesToPatterns: patterns,
		Reason: "stack/<name>/* names one stack: the * is the id CloudFormation gives the stack when it is created, unknown before; only DescribeStacks is allowed"})
	return b
}

// Role is the build role.
func (b *BuildRole) Role() awsiam.IRole { return b.role }

// BranchProps is one branch of a managed app.
type BranchProps struct {
	// Name of the (git) branch. Required.
	Name string
	// Stage: one of limits.BranchStages. Default PRODUCTION.
	Stage string
	// ComputeRole of the branch (a ComputeRole's Role()). Default: the app's.
	ComputeRole awsiam.IRole
}

// AppProps configure NewApp.
type AppProps struct {
	// Name of the Amplify app. Required.
	Name string
	// ComputeRole is the app-wide compute role (a ComputeRole's Role()). Required.
	ComputeRole awsiam.IRole
	// Branches of the app. Default none.
	Branches []BranchProps
	// Repository is the git repository URL. Default none: manual deploys.
	Repository string
	// AccessTokenSecretName is the Secrets Manager secret holding the repository's access token.
	// Required with Repository.
	AccessTokenSecretName string
	// BuildRole is the role the app's builds run with (a BuildRole's Role()). Default none:
	// builds get no AWS credentials.
	BuildRole awsiam.IRole
	// AppRoot is the app's folder in a monorepo (AMPLIFY_MONOREPO_APP_ROOT; amplify.yml's
	// appRoot must name the same). Default: the repository's root.
	AppRoot string
	// EnvironmentVariables are the builds' environment variables (never secrets: anyone who can
	// read the app can read them). Default none.
	EnvironmentVariables map[string]string
}

// App is a managed Amplify app (WEB_COMPUTE) and its branches.
type App struct {
	constructs.Construct
	app         awsamplify.CfnApp
	branches    map[string]awsamplify.CfnBranch
	branchNames []string
}

// Validate reports every problem of p as a *limits.Error.
func (p *AppProps) Validate() error {
	var q AppProps
	if p != nil {
		q = *p
	}
	ps := limits.NewProblems("hosting.AppProps")
	limits.AppName.Check(ps, "Name", q.Name)
	if q.ComputeRole == nil {
		ps.Add("ComputeRole", nil, "is required: the app-wide SSR compute role")
	}
	if q.Repository != "" && q.AccessTokenSecretName == "" {
		ps.Add("AccessTokenSecretName", "", "is required with Repository: the Secrets Manager secret holding the access token")
	}
	if q.AppRoot != "" {
		limits.AppRoot.Check(ps, "AppRoot", q.AppRoot)
	}
	for _, name := range slices.Sorted(maps.Keys(q.EnvironmentVariables)) {
		f := "EnvironmentVariables[" + name + "]"
		switch {
		case !limits.EnvironmentVariable.Match(name):
			ps.Add(f, name, limits.EnvironmentVariable.Allowed)
		case strings.HasPrefix(strings.ToUpper(name), "AMPLIFY_"):
			ps.Add(f, name, "starts with AMPLIFY_, which is Amplify's own (set the app root with AppRoot)")
		}
	}
	seen := map[string]bool{}
	for i, b := range q.Branches {
		f := fmt.Sprintf("Branches[%d]", i)
		if !limits.BranchName.Match(b.Name) {
			ps.Add(f+".Name", b.Name, limits.BranchName.Allowed)
		} else if seen[b.Name] {
			ps.Add(f+".Name", b.Name, "is listed twice")
		}
		seen[b.Name] = true
		if b.Stage != "" {
			limits.BranchStages.Check(ps, f+".Stage", b.Stage)
		}
	}
	return ps.Err()
}

// customHeaders is Amplify Hosting's custom-headers YAML sending headers with every response
// (pattern "**"). Each value is a JSON string, which is also a YAML double-quoted scalar.
func customHeaders(headers []limits.Header) string {
	var b strings.Builder
	b.WriteString("customHeaders:\n  - pattern: \"**\"\n    headers:\n")
	for _, h := range headers {
		name, _ := json.Marshal(h.Name)
		value, _ := json.Marshal(h.Value)
		fmt.Fprintf(&b, "      - key: %s\n        value: %s\n", name, value)
	}
	return b.String()
}

// NewApp builds the app and its branches, each wired to its compute role.
func NewApp(scope constructs.Construct, id *string, props *AppProps) *App {
	guard.Check(scope, id, props.Validate())
	p := *props
	a := &App{branches: map[string]awsamplify.CfnBranch{}}
	constructs.NewConstruct_Override(a, scope, id)
	appProps := &awsamplify.CfnAppProps{
		Name:           jsii.String(p.Name),
		Platform:       jsii.String("WEB_COMPUTE"),
		ComputeRoleArn: p.ComputeRole.RoleArn(),
		CustomHeaders:  jsii.String(customHeaders(limits.SecurityHeaders)),
	}
	if p.Repository != "" {
		appProps.Repository = jsii.String(p.Repository)
		appProps.AccessToken = awscdk.SecretValue_SecretsManager(jsii.String(p.AccessTokenSecretName), nil).UnsafeUnwrap()
	}
	if p.BuildRole != nil {
		appProps.IamServiceRole = p.BuildRole.RoleArn()
	}
	variables := maps.Clone(p.EnvironmentVariables)
	if p.AppRoot != "" {
		if variables == nil {
			variables = map[string]string{}
		}
		variables["AMPLIFY_MONOREPO_APP_ROOT"] = p.AppRoot
	}
	if len(variables) > 0 {
		var list []any
		for _, name := range slices.Sorted(maps.Keys(variables)) {
			list = append(list, &awsamplify.CfnApp_EnvironmentVariableProperty{Name: jsii.String(name), Value: jsii.String(variables[name])})
		}
		appProps.EnvironmentVariables = list
	}
	a.app = awsamplify.NewCfnApp(a, jsii.String("Resource"), appProps)
	for _, b := range p.Branches {
		a.branchNames = append(a.branchNames, b.Name)
		role := p.ComputeRole
		if b.ComputeRole != nil {
			role = b.ComputeRole
		}
		stage := b.Stage
		if stage == "" {
			stage = limits.BranchStages[0]
		}
		a.branches[b.Name] = awsamplify.NewCfnBranch(a, jsii.String("Branch-"+b.Name), &awsamplify.CfnBranchProps{
			AppId:           a.app.AttrAppId(),
			BranchName:      jsii.String(b.Name),
			Stage:           jsii.String(stage),
			Framework:       jsii.String("Next.js - SSR"),
			ComputeRoleArn:  role.RoleArn(),
			EnableAutoBuild: jsii.Bool(p.Repository != ""),
		})
	}
	return a
}

// AppID is the Amplify app id.
func (a *App) AppID() *string { return a.app.AttrAppId() }

// DefaultDomain is the app's default domain (<app id>.amplifyapp.com); branch <b> is served at
// https://<limits.BranchSubdomain(b)>.<DefaultDomain>.
func (a *App) DefaultDomain() *string { return a.app.AttrDefaultDomain() }

// BranchOrigins are the web origins the app's branches are served from,
// https://<branch subdomain>.<the app's default domain>, in the order the branches were given.
// They resolve at deploy time (the app id is AWS's); pass them to storage.UploadBucketProps's
// HostedOrigins so the hosted site can upload.
func (a *App) BranchOrigins() []*string {
	origins := make([]*string, len(a.branchNames))
	for i, name := range a.branchNames {
		origins[i] = awscdk.Fn_Join(jsii.String(""), jsii.Strings("https://"+limits.BranchSubdomain(name)+".", *a.DefaultDomain()))
	}
	return origins
}
