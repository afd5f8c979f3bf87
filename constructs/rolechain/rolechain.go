// Package rolechain builds the server-side role chain of a Next.js page running on ECS: the
// page's task role (the webpage role) can do nothing but assume an intermediary trust role, and
// the trust role can do nothing but invoke the asset Lambda functions registered with it. The
// web page reaches data only through code the team wrote.
//
// Why each default is safe:
//   - The webpage role trusts only ecs-tasks.amazonaws.com, and only for tasks of this account
//     (aws:SourceAccount), so another account's ECS cannot borrow it. Its one permission is
//     sts:AssumeRole on the trust role.
//   - The trust role trusts exactly the webpage role, by its ARN as principal, and only with the
//     configured role session name (sts:RoleSessionName). The trade-off: IAM stores a role ARN
//     principal as the role's unique id, so if the webpage role is deleted and recreated the
//     trust fails closed until this stack is deployed again; the alternative (the account as
//     principal with ArnEquals aws:PrincipalArn) survives recreation but would also trust any
//     future role given the same name, and needs every caller to hold an identity policy. Failing
//     closed is the safer default. The trust is written explicitly: grantAssumeRole silently
//     does nothing for some principals (aws-cdk#24507).
//   - Other roles the web app's server runs as (Amplify Hosting SSR compute roles, a developer's
//     role for local runs) may be trusted too, each by its ARN and with the same session name,
//     only when given (OtherServers). They get no identity statement from here: in the same
//     account a trust policy naming the role's ARN grants it alone, and a statement in the
//     compute role's stack naming the trust role would make the two stacks need each other.
//   - Role chaining caps sessions at one hour; the role's maximum is set to exactly that (also
//     IAM's minimum), and the duration clients request is validated (limits.SessionDurationSeconds).
//   - The trust role's only permissions are lambda:InvokeFunction on functions granted with
//     GrantInvoke (the function ARN and its version/alias ARNs): it cannot change a function,
//     read its code or configuration, or pass its role.
//   - Every statement goes into its role's own policy, in the role's stack.
package rolechain

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/guard"
	"github.com/gatehouse-cdk/gatehouse/internal/nag"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// WebpageRoleProps configure NewWebpageRole. All optional.
type WebpageRoleProps struct {
	// Description of the role. Default: says what it is for.
	Description string
}

// WebpageRole is the ECS task role of the Next.js page.
type WebpageRole struct {
	constructs.Construct
	role awsiam.Role
}

// Validate reports every problem of p (nil: the defaults) as a *limits.Error; every
// WebpageRoleProps is valid.
func (p *WebpageRoleProps) Validate() error { return nil }

// NewWebpageRole builds the webpage role: trusted by ECS tasks of this account, with no
// permission until NewTrustRole lets it assume the trust role.
func NewWebpageRole(scope constructs.Construct, id *string, props *WebpageRoleProps) *WebpageRole {
	guard.Check(scope, id, props.Validate())
	p := guard.Copy(props)
	if p.Description == "" {
		p.Description = "ECS task role of the Next.js page: may only assume the trust role"
	}
	w := &WebpageRole{}
	constructs.NewConstruct_Override(w, scope, id)
	w.role = awsiam.NewRole(w, jsii.String("Resource"), &awsiam.RoleProps{
		Description: jsii.String(p.Description),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ecs-tasks.amazonaws.com"), nil).WithConditions(&map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Stack_Of(w).Account()},
		}),
	})
	return w
}

// Role is the webpage role, to pass as a task definition's task role.
func (w *WebpageRole) Role() awsiam.IRole { return w.role }

// AttachTo makes the webpage role the task role of an existing awsecs.TaskDefinition, through
// its CloudFormation TaskRoleArn (a task definition takes its task role at creation; prefer
// passing Role() as TaskRole then). It takes the construct, not the ECS type, so that this
// package does not pull the ECS bindings (and their start-up cost) into every app.
func (w *WebpageRole) AttachTo(taskDefinition constructs.IConstruct) {
	cfn, ok := taskDefinition.Node().DefaultChild().(awscdk.CfnResource)
	if !ok || *cfn.CfnResourceType() != "AWS::ECS::TaskDefinition" {
		guard.Refuse(*w.Node().Path()+".AttachTo", "taskDefinition", *taskDefinition.Node().Path(), "must be an awsecs.TaskDefinition")
	}
	cfn.AddPropertyOverride(jsii.String("TaskRoleArn"), w.role.RoleArn())
}

// TrustRoleProps configure NewTrustRole.
type TrustRoleProps struct {
	// Webpage is the only role that may assume the trust role (the WebpageRole's Role()).
	// Required.
	Webpage awsiam.IRole
	// OtherServers are further roles the web app's server runs as that may assume the trust role,
	// with the same session name: Amplify Hosting SSR compute roles, developers' roles for local
	// runs. Roles of the trust role's account: the trust names each ARN, which grants it there
	// without an identity statement. Default none: only the webpage role.
	OtherServers []awsiam.IRole
	// SessionName the webpage must use (sts:RoleSessionName). Default limits.DefaultSessionName.
	SessionName string
	// SessionDurationSeconds is the duration clients should request. Default 1800; 900 to 3600
	// (limits.SessionDurationSeconds). The role's own maximum is limits.ChainedSessionSeconds.
	SessionDurationSeconds int
}

// TrustRole is the intermediary role between the web page and the asset functions.
type TrustRole struct {
	constructs.Construct
	role        awsiam.Role
	sessionName string
	duration    int
}

// PropsScope names TrustRoleProps in errors of Validate.
const PropsScope = "rolechain.TrustRoleProps"

// withDefaults is a copy of p (nil: every default) with the defaults filled in.
func (p *TrustRoleProps) withDefaults() TrustRoleProps {
	q := guard.Copy(p)
	if q.SessionName == "" {
		q.SessionName = limits.DefaultSessionName
	}
	q.SessionDurationSeconds = limits.SessionDurationSeconds.Or(q.SessionDurationSeconds)
	return q
}

// Validate reports every problem of p (nil: the defaults) as a *limits.Error.
func (p *TrustRoleProps) Validate() error {
	q := p.withDefaults()
	ps := limits.NewProblems(PropsScope)
	if q.Webpage == nil {
		ps.Add("Webpage", nil, "is required: the webpage role that may assume the trust role")
	}
	for i, r := range q.OtherServers {
		if r == nil {
			ps.Add(fmt.Sprintf("OtherServers[%d]", i), nil, "is nil: give the role the server runs as")
		}
	}
	limits.SessionName.Check(ps, "SessionName", q.SessionName)
	limits.SessionDurationSeconds.Check(ps, "SessionDurationSeconds", q.SessionDurationSeconds)
	return ps.Err()
}

// NewTrustRole builds the trust role and gives the webpage role its one permission: to assume it.
func NewTrustRole(scope constructs.Construct, id *string, props *TrustRoleProps) *TrustRole {
	guard.Check(scope, id, props.Validate())
	p := props.withDefaults()
	t := &TrustRole{sessionName: p.SessionName, duration: p.SessionDurationSeconds}
	constructs.NewConstruct_Override(t, scope, id)
	withSessionName := &map[string]any{"StringEquals": map[string]any{"sts:RoleSessionName": p.SessionName}}
	t.role = awsiam.NewRole(t, jsii.String("Resource"), &awsiam.RoleProps{
		Description:        jsii.String("Trust role between the Next.js page and its asset functions: may only invoke them"),
		AssumedBy:          awsiam.NewArnPrincipal(p.Webpage.RoleArn()).WithConditions(withSessionName),
		MaxSessionDuration: awscdk.Duration_Seconds(jsii.Number(limits.ChainedSessionSeconds)),
	})
	for _, server := range p.OtherServers {
		t.role.AssumeRolePolicy().AddStatements(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:    jsii.Strings("sts:AssumeRole"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewArnPrincipal(server.RoleArn())},
			Conditions: withSessionName,
		}))
	}
	// The webpage role's only permission, in its own policy (in its stack).
	p.Webpage.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("AssumeTrustRole"),
		Actions:   jsii.Strings("sts:AssumeRole"),
		Resources: &[]*string{t.role.RoleArn()},
	}))
	return t
}

// Role is the trust role.
func (t *TrustRole) Role() awsiam.IRole { return t.role }

// SessionName is the role session name the webpage must use.
func (t *TrustRole) SessionName() string { return t.sessionName }

// SessionDurationSeconds is the session duration clients should request.
func (t *TrustRole) SessionDurationSeconds() int { return t.duration }

// GrantInvoke lets the trust role invoke fn (its unqualified ARN and its versions and aliases),
// and nothing else on it; the statement goes into the trust role's own policy, with the reasoned
// cdk-nag suppression of the ARN:* that versions and aliases need.
func (t *TrustRole) GrantInvoke(fn awslambda.IFunction) awsiam.Grant {
	grant := fn.GrantInvoke(t.role)
	if cfn, ok := fn.Node().DefaultChild().(awscdk.CfnElement); ok {
		fnID := *awscdk.Stack_Of(fn).GetLogicalId(cfn)
		nag.Suppress(t.role.Node().FindChild(jsii.String("DefaultPolicy")), nag.Suppression{
			ID:        "AwsSolutions-IAM5",
			Reason:    "Invoking the granted function's versions and aliases (ARN:*) is invoking that one function; nothing else is reachable.",
			AppliesTo: []string{"Resource::<" + fnID + ".Arn>:*"},
		})
	}
	return grant
}
