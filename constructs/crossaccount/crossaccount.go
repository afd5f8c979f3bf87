// Package crossaccount builds a role that a principal of another account assumes with STS
// AssumeRole and an external id, to use a few resources of this account with temporary
// credentials (the S3 and SNS clients of the pattern).
//
// Why each default is safe:
//   - Only the named account may assume the role, and only presenting the external id
//     (sts:ExternalId), which defends against the confused deputy: a third party that tricks
//     the trusted account into acting for it does not know the id.
//   - The trust can be narrowed to one role of that account and to one session name. The
//     account is the principal and the role is required with ArnEquals aws:PrincipalArn: a role
//     ARN as principal must exist when the trust is written, or the deployment fails, and would
//     break silently if that role were recreated.
//   - The role starts with no permission; the resources' grant methods add exactly one
//     capability each (e.g. UploadBucket.GrantRead of one prefix, SecureTopic.GrantPublish). It
//     can never touch IAM.
package crossaccount

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/guard"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// CrossAccountRoleProps configure NewCrossAccountRole.
type CrossAccountRoleProps struct {
	// TrustedAccountID is the 12-digit account whose principal assumes the role. Required.
	TrustedAccountID string
	// ExternalID the caller must present (limits.ExternalID). Required.
	ExternalID string
	// TrustedRoleName narrows the trust to one role of the trusted account. Default: any
	// principal of that account its own policies allow.
	TrustedRoleName string
	// SessionName, when set, is the only role session name accepted. Default any.
	SessionName string
	// MaxSessionDurationSeconds is the longest session it gives. Default 3600; 3600 to 43200
	// (limits.CrossAccountSessionSeconds).
	MaxSessionDurationSeconds int
}

// PropsScope names CrossAccountRoleProps in errors of Validate.
const PropsScope = "crossaccount.CrossAccountRoleProps"

// CrossAccountRole is the role another account assumes.
type CrossAccountRole struct {
	constructs.Construct
	role awsiam.Role
}

// withDefaults is a copy of p (nil: every default) with the defaults filled in.
func (p *CrossAccountRoleProps) withDefaults() CrossAccountRoleProps {
	q := guard.Copy(p)
	q.MaxSessionDurationSeconds = limits.CrossAccountSessionSeconds.Or(q.MaxSessionDurationSeconds)
	return q
}

// Validate reports every problem of p (nil: the defaults) as a *limits.Error.
func (p *CrossAccountRoleProps) Validate() error {
	q := p.withDefaults()
	ps := limits.NewProblems(PropsScope)
	limits.Account.Check(ps, "TrustedAccountID", q.TrustedAccountID)
	limits.ExternalID.Check(ps, "ExternalID", q.ExternalID)
	if q.TrustedRoleName != "" {
		limits.RoleName.Check(ps, "TrustedRoleName", q.TrustedRoleName)
	}
	if q.SessionName != "" {
		limits.SessionName.Check(ps, "SessionName", q.SessionName)
	}
	limits.CrossAccountSessionSeconds.Check(ps, "MaxSessionDurationSeconds", q.MaxSessionDurationSeconds)
	return ps.Err()
}

// NewCrossAccountRole validates props and builds the role. Give it access with the resources'
// grants, e.g. bucket.GrantRead(role.Role(), "outbox/*") and topic.GrantPublish(role.Role()).
func NewCrossAccountRole(scope constructs.Construct, id *string, props *CrossAccountRoleProps) *CrossAccountRole {
	guard.Check(scope, id, props.Validate())
	p := props.withDefaults()

	conditions := map[string]any{"StringEquals": map[string]any{"sts:ExternalId": p.ExternalID}}
	if p.SessionName != "" {
		conditions["StringEquals"].(map[string]any)["sts:RoleSessionName"] = p.SessionName
	}
	if p.TrustedRoleName != "" {
		conditions["ArnEquals"] = map[string]any{
			"aws:PrincipalArn": "arn:" + *awscdk.Aws_PARTITION() + ":iam::" + p.TrustedAccountID + ":role/" + p.TrustedRoleName,
		}
	}
	c := &CrossAccountRole{}
	constructs.NewConstruct_Override(c, scope, id)
	c.role = awsiam.NewRole(c, jsii.String("Resource"), &awsiam.RoleProps{
		Description:        jsii.String("Assumed by account " + p.TrustedAccountID + " with an external id"),
		AssumedBy:          awsiam.NewAccountPrincipal(jsii.String(p.TrustedAccountID)).WithConditions(&conditions),
		MaxSessionDuration: awscdk.Duration_Seconds(jsii.Number(float64(p.MaxSessionDurationSeconds))),
	})
	return c
}

// Role is the cross-account role.
func (c *CrossAccountRole) Role() awsiam.IRole { return c.role }
