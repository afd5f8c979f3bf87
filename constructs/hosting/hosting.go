// Package hosting builds what a server-rendered Next.js app on AWS Amplify Hosting needs to
// reach AWS at run time without access keys: SSR compute roles, and optionally the Amplify app
// (platform WEB_COMPUTE) and its branches wired to them.
//
// Why each default is safe:
//   - A compute role is the role Amplify's SSR runtime assumes (trusting amplify.amazonaws.com);
//     no access key is ever written into build-time environment variables or .env.production.
//   - It starts with no permission; grant methods add one capability each (publish to one topic;
//     the bucket and table grants of the other constructs take it as a grantee too). It is a
//     different role from a build-time service role, which gatehouse does not create.
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
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsamplify"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/messaging"
	"github.com/gatehouse-cdk/gatehouse/internal/validate"
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

var appIDPattern = regexp.MustCompile(`^[a-z0-9]{1,20}$`)

// NewComputeRole builds a compute role with no permissions.
func NewComputeRole(scope constructs.Construct, id *string, props *ComputeRoleProps) *ComputeRole {
	var p ComputeRoleProps
	if props != nil {
		p = *props
	}
	if p.AppID == "" {
		p.AppID = "*"
	}
	if p.Branch == "" {
		p.Branch = "*"
	}
	ps := validate.NewProblems("hosting.ComputeRoleProps")
	if p.AppID != "*" && !appIDPattern.MatchString(p.AppID) {
		ps.Add("AppID", p.AppID, "must be an Amplify app id (lower-case letters and digits, e.g. \"d1a2b3c4d5e6f7\") or empty for any app")
	}
	if p.Branch != "*" && !ValidBranchName(p.Branch) {
		ps.Add("Branch", p.Branch, BranchNameRule)
	}
	if err := ps.Err(); err != nil {
		panic(err)
	}
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

// GrantPublish lets the SSR runtime publish to topic, and nothing else on it.
func (c *ComputeRole) GrantPublish(topic awssns.ITopic) awsiam.Grant {
	return messaging.GrantPublish(c.role, topic)
}

// Branch stages Amplify accepts.
var Stages = []string{"PRODUCTION", "BETA", "DEVELOPMENT", "EXPERIMENTAL", "PULL_REQUEST"}

// A branch is served at https://<subdomain>.<the app's default domain>, the subdomain being its
// name in lower case with every other character than a letter or digit as '-'; that must be one
// DNS label (at most 63 characters, a letter or digit at each end).
var branchPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._/-]{0,61}[A-Za-z0-9])?$`)

// BranchNameRule describes valid branch names.
const BranchNameRule = "must be 1 to 63 characters of letters, digits and ._/-, starting and ending with a letter or digit " +
	"(Amplify serves a branch at https://<branch>.<app domain>, and that name must make one DNS label)"

// ValidBranchName reports whether name is a valid branch name.
func ValidBranchName(name string) bool { return branchPattern.MatchString(name) }

var notSubdomainChar = regexp.MustCompile(`[^a-z0-9]`)

// BranchSubdomain is the subdomain Amplify serves a branch at: the name in lower case, every
// character other than a letter or digit replaced by '-' ("feature/Login" -> "feature-login").
func BranchSubdomain(name string) string {
	return notSubdomainChar.ReplaceAllString(strings.ToLower(name), "-")
}

// BranchProps is one branch of a managed app.
type BranchProps struct {
	// Name of the (git) branch. Required.
	Name string
	// Stage: PRODUCTION, BETA, DEVELOPMENT, EXPERIMENTAL or PULL_REQUEST. Default PRODUCTION.
	Stage string
	// ComputeRole of the branch. Default: the app's.
	ComputeRole *ComputeRole
}

// AppProps configure NewApp.
type AppProps struct {
	// Name of the Amplify app. Required.
	Name string
	// ComputeRole is the app-wide compute role. Required.
	ComputeRole *ComputeRole
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

var appNamePattern = regexp.MustCompile(`^[\w-]{1,255}$`)

// NewApp builds the app and its branches, each wired to its compute role.
func NewApp(scope constructs.Construct, id *string, props *AppProps) *App {
	var p AppProps
	if props != nil {
		p = *props
	}
	ps := validate.NewProblems("hosting.AppProps")
	if !appNamePattern.MatchString(p.Name) {
		ps.Add("Name", p.Name, "must be 1 to 255 letters, digits, '_' or '-'")
	}
	if p.ComputeRole == nil {
		ps.Add("ComputeRole", nil, "is required: the app-wide SSR compute role")
	}
	if p.Repository != "" && p.AccessTokenSecretName == "" {
		ps.Add("AccessTokenSecretName", "", "is required with Repository: the Secrets Manager secret holding the access token")
	}
	seen := map[string]bool{}
	for i, b := range p.Branches {
		f := fmt.Sprintf("Branches[%d]", i)
		if !ValidBranchName(b.Name) {
			ps.Add(f+".Name", b.Name, BranchNameRule)
		} else if seen[b.Name] {
			ps.Add(f+".Name", b.Name, "is listed twice")
		}
		seen[b.Name] = true
		if b.Stage != "" {
			validate.OneOf(ps, f+".Stage", b.Stage, Stages...)
		}
	}
	if err := ps.Err(); err != nil {
		panic(err)
	}
	a := &App{branches: map[string]awsamplify.CfnBranch{}}
	constructs.NewConstruct_Override(a, scope, id)
	appProps := &awsamplify.CfnAppProps{
		Name:           jsii.String(p.Name),
		Platform:       jsii.String("WEB_COMPUTE"),
		ComputeRoleArn: p.ComputeRole.role.RoleArn(),
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
			stage = "PRODUCTION"
		}
		a.branches[b.Name] = awsamplify.NewCfnBranch(a, jsii.String("Branch-"+b.Name), &awsamplify.CfnBranchProps{
			AppId:           a.app.AttrAppId(),
			BranchName:      jsii.String(b.Name),
			Stage:           jsii.String(stage),
			Framework:       jsii.String("Next.js - SSR"),
			ComputeRoleArn:  role.role.RoleArn(),
			EnableAutoBuild: jsii.Bool(p.Repository != ""),
		})
	}
	return a
}

// AppID is the Amplify app id.
func (a *App) AppID() *string { return a.app.AttrAppId() }

// DefaultDomain is the app's default domain (<app id>.amplifyapp.com); branch <b> is served at
// https://<BranchSubdomain(b)>.<DefaultDomain>.
func (a *App) DefaultDomain() *string { return a.app.AttrDefaultDomain() }

// BranchOrigins are the web origins the app's branches are served from,
// https://<branch subdomain>.<the app's default domain>, in the order the branches were given.
// They resolve at deploy time (the app id is AWS's); pass them to storage.UploadBucketProps's
// HostedOrigins so the hosted site can upload.
func (a *App) BranchOrigins() []*string {
	origins := make([]*string, len(a.branchNames))
	for i, name := range a.branchNames {
		origins[i] = awscdk.Fn_Join(jsii.String(""), jsii.Strings("https://"+BranchSubdomain(name)+".", *a.DefaultDomain()))
	}
	return origins
}
