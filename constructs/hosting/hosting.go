// Package hosting builds what a server-rendered Next.js app on AWS Amplify Hosting needs to
// reach AWS at run time without access keys: SSR compute roles, and optionally the Amplify app
// (platform WEB_COMPUTE) and its branches wired to them.
//
// Why each default is safe:
//   - A compute role is the role Amplify's SSR runtime assumes (trusting amplify.amazonaws.com);
//     no access key is ever written into build-time environment variables or .env.production.
//   - It starts with no permission; the resources' grant methods add one capability each (e.g.
//     SecureTopic.GrantPublish(role.Role()); the bucket and table grants take it as a grantee
//     too). It is a different role from a build-time service role, which gatehouse does not create.
//   - Confused-deputy conditions (aws:SourceAccount, and aws:SourceArn on the app's branches) are
//     available behind RestrictToApp but off by default: AWS documents the compute-role trust
//     without conditions, and a condition on a key the service does not send makes the role
//     unassumable, which would break every SSR request. Turn it on once verified in your
//     account. When the app is managed here its id does not exist before the app, and the app
//     needs the role, so the condition then covers this account's apps (apps/*).
//   - Each branch can have its own role (e.g. production with more rights than beta).
//   - Without a repository the app takes manual deploys; with one, its access token comes from
//     Secrets Manager (a dynamic reference resolved by CloudFormation), never from plain config.
package hosting

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsamplify"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/guard"
	"github.com/gatehouse-cdk/gatehouse/rules"
)

// ComputeRoleProps configure NewComputeRole. All optional.
type ComputeRoleProps struct {
	// Description of the role.
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
	var q ComputeRoleProps
	if p != nil {
		q = *p
	}
	if q.AppID == "" {
		q.AppID = "*"
	}
	if q.Branch == "" {
		q.Branch = "*"
	}
	return q
}

// Validate reports every problem of p (nil: the defaults) as a *rules.Error.
func (p *ComputeRoleProps) Validate() error {
	q := p.withDefaults()
	ps := rules.NewProblems("hosting.ComputeRoleProps")
	if q.AppID != "*" {
		rules.AppID.Check(ps, "AppID", q.AppID)
	}
	if q.Branch != "*" {
		rules.BranchName.Check(ps, "Branch", q.Branch)
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

// BranchProps is one branch of a managed app.
type BranchProps struct {
	// Name of the (git) branch. Required.
	Name string
	// Stage: one of rules.BranchStages. Default PRODUCTION.
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
}

// App is a managed Amplify app (WEB_COMPUTE) and its branches.
type App struct {
	constructs.Construct
	app         awsamplify.CfnApp
	branches    map[string]awsamplify.CfnBranch
	branchNames []string
}

// Validate reports every problem of p as a *rules.Error.
func (p *AppProps) Validate() error {
	var q AppProps
	if p != nil {
		q = *p
	}
	ps := rules.NewProblems("hosting.AppProps")
	rules.AppName.Check(ps, "Name", q.Name)
	if q.ComputeRole == nil {
		ps.Add("ComputeRole", nil, "is required: the app-wide SSR compute role")
	}
	if q.Repository != "" && q.AccessTokenSecretName == "" {
		ps.Add("AccessTokenSecretName", "", "is required with Repository: the Secrets Manager secret holding the access token")
	}
	seen := map[string]bool{}
	for i, b := range q.Branches {
		f := fmt.Sprintf("Branches[%d]", i)
		if !rules.BranchName.Match(b.Name) {
			ps.Add(f+".Name", b.Name, rules.BranchName.Rule)
		} else if seen[b.Name] {
			ps.Add(f+".Name", b.Name, "is listed twice")
		}
		seen[b.Name] = true
		if b.Stage != "" {
			rules.BranchStages.Check(ps, f+".Stage", b.Stage)
		}
	}
	return ps.Err()
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
	}
	if p.Repository != "" {
		appProps.Repository = jsii.String(p.Repository)
		appProps.AccessToken = awscdk.SecretValue_SecretsManager(jsii.String(p.AccessTokenSecretName), nil).UnsafeUnwrap()
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
			stage = rules.BranchStages[0]
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
// https://<rules.BranchSubdomain(b)>.<DefaultDomain>.
func (a *App) DefaultDomain() *string { return a.app.AttrDefaultDomain() }

// BranchOrigins are the web origins the app's branches are served from,
// https://<branch subdomain>.<the app's default domain>, in the order the branches were given.
// They resolve at deploy time (the app id is AWS's); pass them to storage.UploadBucketProps's
// HostedOrigins so the hosted site can upload.
func (a *App) BranchOrigins() []*string {
	origins := make([]*string, len(a.branchNames))
	for i, name := range a.branchNames {
		origins[i] = awscdk.Fn_Join(jsii.String(""), jsii.Strings("https://"+rules.BranchSubdomain(name)+".", *a.DefaultDomain()))
	}
	return origins
}
