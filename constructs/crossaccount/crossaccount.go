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
//   - The role starts with no permission; grant methods add exactly one capability each
//     (read one bucket prefix, publish to one topic). It can never touch IAM.
package crossaccount

import (
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/gatehouse-cdk/gatehouse/constructs/messaging"
	"github.com/gatehouse-cdk/gatehouse/internal/validate"
)

// CrossAccountRoleProps configure NewCrossAccountRole.
type CrossAccountRoleProps struct {
	// TrustedAccountID is the 12-digit account whose principal assumes the role. Required.
	TrustedAccountID string
	// ExternalID the caller must present: 2..1224 characters of [\w+=,.@:/-]. Required.
	ExternalID string
	// TrustedRoleName narrows the trust to one role of the trusted account. Default: any
	// principal of that account its own policies allow.
	TrustedRoleName string
	// SessionName, when set, is the only role session name accepted.
	SessionName string
	// MaxSessionDurationSeconds, 3600..43200. Default 3600.
	MaxSessionDurationSeconds int
}

// PropsScope names CrossAccountRoleProps in error messages.
const PropsScope = "crossaccount.CrossAccountRoleProps"

var (
	externalIDPattern  = regexp.MustCompile(`^[\w+=,.@:/-]+$`) // length checked apart: RE2 caps repeats at 1000
	roleNamePattern    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
)

// Rules of the props, for messages.
const (
	ExternalIDRule  = `must be 2 to 1224 characters of letters, digits and _+=,.@:/-`
	RoleNameRule    = `must be 1 to 64 characters of letters, digits and _+=,.@-`
	SessionNameRule = `must be 2 to 64 characters of letters, digits and _+=,.@-`
)

// ValidExternalID, ValidRoleName and ValidSessionName check single values.
func ValidExternalID(v string) bool {
	return len(v) >= 2 && len(v) <= 1224 && externalIDPattern.MatchString(v)
}
func ValidRoleName(v string) bool    { return roleNamePattern.MatchString(v) }
func ValidSessionName(v string) bool { return sessionNamePattern.MatchString(v) }

// CrossAccountRole is the role another account assumes.
type CrossAccountRole struct {
	constructs.Construct
	role awsiam.Role
}

// NewCrossAccountRole validates props and builds the role.
func NewCrossAccountRole(scope constructs.Construct, id *string, props *CrossAccountRoleProps) *CrossAccountRole {
	var p CrossAccountRoleProps
	if props != nil {
		p = *props
	}
	if p.MaxSessionDurationSeconds == 0 {
		p.MaxSessionDurationSeconds = 3600
	}
	ps := validate.NewProblems(PropsScope)
	if !validate.Account(p.TrustedAccountID) {
		ps.Add("TrustedAccountID", p.TrustedAccountID, validate.AccountRule)
	}
	if !ValidExternalID(p.ExternalID) {
		ps.Add("ExternalID", p.ExternalID, ExternalIDRule)
	}
	if p.TrustedRoleName != "" && !ValidRoleName(p.TrustedRoleName) {
		ps.Add("TrustedRoleName", p.TrustedRoleName, RoleNameRule)
	}
	if p.SessionName != "" && !ValidSessionName(p.SessionName) {
		ps.Add("SessionName", p.SessionName, SessionNameRule)
	}
	validate.IntRange(ps, "MaxSessionDurationSeconds", p.MaxSessionDurationSeconds, 3600, 43200, "seconds")
	if err := ps.Err(); err != nil {
		panic(err)
	}

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

var prefixPattern = regexp.MustCompile(`^([A-Za-z0-9._-]+/)+$`)

// GrantReadPrefix lets the role get objects under prefix (e.g. "outbox/") of bucket and list
// only keys under it. prefix is one or more segments of letters, digits, '.', '_', '-', each
// ending in '/'.
func (c *CrossAccountRole) GrantReadPrefix(bucket awss3.IBucket, prefix string) awsiam.Grant {
	if !prefixPattern.MatchString(prefix) {
		ps := validate.NewProblems(*c.Node().Path() + ".GrantReadPrefix")
		ps.Add("prefix", prefix, `must be segments of letters, digits, '.', '_' or '-', each ending in "/" (e.g. "outbox/")`)
		panic(ps.Err())
	}
	objects := awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee: c.role, Actions: jsii.Strings("s3:GetObject"), ResourceArns: &[]*string{bucket.ArnForObjects(jsii.String(prefix + "*"))},
	})
	list := awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee: c.role, Actions: jsii.Strings("s3:ListBucket"), ResourceArns: &[]*string{bucket.BucketArn()},
		Conditions: &map[string]*map[string]any{"StringLike": {"s3:prefix": []string{prefix, prefix + "*"}}},
	})
	if bucket.EncryptionKey() != nil {
		bucket.EncryptionKey().GrantDecrypt(c.role)
	}
	if cfn, ok := bucket.Node().DefaultChild().(awss3.CfnBucket); ok {
		bucketID := *awscdk.Stack_Of(bucket).GetLogicalId(cfn)
		cdknag.NagSuppressions_AddResourceSuppressions(c.role, &[]*cdknag.NagPackSuppression{{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("Gets objects under the one prefix granted (" + prefix + "), not the bucket."),
			AppliesTo: &[]any{"Resource::<" + bucketID + ".Arn>/" + prefix + "*"},
		}}, jsii.Bool(true))
	}
	return objects.Combine(list)
}

// GrantPublish lets the role publish to topic, and nothing else on it. (A topic encrypted with
// a customer managed key also needs that key's use: grant it with key.GrantEncryptDecrypt.)
func (c *CrossAccountRole) GrantPublish(topic awssns.ITopic) awsiam.Grant {
	return messaging.GrantPublish(c.role, topic)
}
