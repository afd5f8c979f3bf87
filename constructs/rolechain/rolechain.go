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
//   - Role chaining caps sessions at one hour; the role's maximum is set to exactly that (also
//     IAM's minimum), and the duration clients request is validated to 900..3600 seconds.
//   - The trust role's only permissions are lambda:InvokeFunction on functions added with
//     AllowInvoke (the function ARN and its version/alias ARNs): it cannot change a function,
//     read its code or configuration, or pass its role.
package rolechain

import (
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/gatehouse-cdk/gatehouse/internal/validate"
)

// Defaults of TrustRoleProps.
const (
	DefaultSessionName            = "webApplication-NextJS"
	DefaultSessionDurationSeconds = 1800
	// ChainedSessionSeconds is the longest session a chained AssumeRole can get.
	ChainedSessionSeconds = 3600
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

// NewWebpageRole builds the webpage role: trusted by ECS tasks of this account, with no
// permission until NewTrustRole lets it assume the trust role.
func NewWebpageRole(scope constructs.Construct, id *string, props *WebpageRoleProps) *WebpageRole {
	var p WebpageRoleProps
	if props != nil {
		p = *props
	}
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
		ps := validate.NewProblems(*w.Node().Path() + ".AttachTo")
		ps.Add("taskDefinition", *taskDefinition.Node().Path(), "must be an awsecs.TaskDefinition")
		panic(ps.Err())
	}
	cfn.AddPropertyOverride(jsii.String("TaskRoleArn"), w.role.RoleArn())
}

// TrustRoleProps configure NewTrustRole.
type TrustRoleProps struct {
	// Webpage is the only role that may assume the trust role. Required.
	Webpage *WebpageRole
	// SessionName the webpage must use (sts:RoleSessionName). Default "webApplication-NextJS".
	SessionName string
	// SessionDurationSeconds is the duration clients should request, 900..3600. Default 1800.
	// (The role's maximum is 3600: role chaining caps sessions at one hour.)
	SessionDurationSeconds int
}

// TrustRole is the intermediary role between the web page and the asset functions.
type TrustRole struct {
	constructs.Construct
	role         awsiam.Role
	sessionName  string
	duration     int
	invokePolicy awsiam.Policy
}

// PropsScope names TrustRoleProps in error messages.
const PropsScope = "rolechain.TrustRoleProps"

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// SessionNameRule describes valid role session names.
const SessionNameRule = "must be 2 to 64 characters of letters, digits and _+=,.@-"

// ValidSessionName reports whether name is a valid role session name.
func ValidSessionName(name string) bool { return sessionNamePattern.MatchString(name) }

// NewTrustRole builds the trust role and gives the webpage role its one permission: to assume it.
func NewTrustRole(scope constructs.Construct, id *string, props *TrustRoleProps) *TrustRole {
	var p TrustRoleProps
	if props != nil {
		p = *props
	}
	if p.SessionName == "" {
		p.SessionName = DefaultSessionName
	}
	if p.SessionDurationSeconds == 0 {
		p.SessionDurationSeconds = DefaultSessionDurationSeconds
	}
	ps := validate.NewProblems(PropsScope)
	if p.Webpage == nil {
		ps.Add("Webpage", nil, "is required: the webpage role that may assume the trust role")
	}
	if !ValidSessionName(p.SessionName) {
		ps.Add("SessionName", p.SessionName, SessionNameRule)
	}
	validate.IntRange(ps, "SessionDurationSeconds", p.SessionDurationSeconds, 900, ChainedSessionSeconds, "seconds")
	if err := ps.Err(); err != nil {
		panic(err)
	}
	t := &TrustRole{sessionName: p.SessionName, duration: p.SessionDurationSeconds}
	constructs.NewConstruct_Override(t, scope, id)
	t.role = awsiam.NewRole(t, jsii.String("Resource"), &awsiam.RoleProps{
		Description: jsii.String("Trust role between the Next.js page and its asset functions: may only invoke them"),
		AssumedBy: awsiam.NewArnPrincipal(p.Webpage.role.RoleArn()).WithConditions(&map[string]any{
			"StringEquals": map[string]any{"sts:RoleSessionName": p.SessionName},
		}),
		MaxSessionDuration: awscdk.Duration_Seconds(jsii.Number(ChainedSessionSeconds)),
	})
	// The webpage role's only permission, in a policy of its own next to the trust it matches.
	awsiam.NewPolicy(t, jsii.String("WebpageMayAssume"), &awsiam.PolicyProps{
		Roles: &[]awsiam.IRole{p.Webpage.role},
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("AssumeTrustRole"),
			Actions:   jsii.Strings("sts:AssumeRole"),
			Resources: &[]*string{t.role.RoleArn()},
		})},
	})
	return t
}

// Role is the trust role.
func (t *TrustRole) Role() awsiam.IRole { return t.role }

// SessionName is the role session name the webpage must use.
func (t *TrustRole) SessionName() string { return t.sessionName }

// SessionDurationSeconds is the session duration clients should request.
func (t *TrustRole) SessionDurationSeconds() int { return t.duration }

// AllowInvoke lets the trust role invoke fn (its unqualified ARN and its versions and aliases),
// and nothing else on it.
func (t *TrustRole) AllowInvoke(fn awslambda.IFunction) {
	statement := awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("lambda:InvokeFunction"),
		Resources: &[]*string{fn.FunctionArn(), jsii.String(*fn.FunctionArn() + ":*")},
	})
	if t.invokePolicy == nil {
		t.invokePolicy = awsiam.NewPolicy(t, jsii.String("InvokeAssets"), &awsiam.PolicyProps{
			Roles: &[]awsiam.IRole{t.role},
		})
	}
	t.invokePolicy.AddStatements(statement)
	stack := awscdk.Stack_Of(t)
	fnID := *stack.GetLogicalId(fn.Node().DefaultChild().(awscdk.CfnElement))
	cdknag.NagSuppressions_AddResourceSuppressions(t.invokePolicy, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("Invoking the registered function's versions and aliases (ARN:*) is invoking that one function; nothing else is reachable."),
		AppliesTo: &[]any{"Resource::<" + fnID + ".Arn>:*"},
	}}, jsii.Bool(false))
}
