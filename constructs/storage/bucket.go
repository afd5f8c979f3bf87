// Package storage builds the upload bucket of a Next.js app that signs in with Cognito: a private,
// CORS-enabled S3 bucket whose access is described as data (path -> who -> what, in the spirit of
// Amplify Gen 2's defineStorage) and turned into IAM policies on the identity-pool roles.
//
// Why each default is safe:
//   - All public access is blocked and ACLs are disabled (bucket owner enforced): objects are
//     reachable only through IAM, never through a public URL or an object ACL.
//   - The bucket policy denies every request without TLS, or with TLS older than 1.2.
//   - Objects are encrypted at rest (S3-managed keys by default; a rotating KMS key optionally).
//   - Versioning keeps overwritten and deleted uploads for NoncurrentVersionExpirationDays, so a
//     mistaken or malicious overwrite can be undone; incomplete multipart uploads are aborted
//     after one day so abandoned parts do not accumulate cost.
//   - Server access logs go to a dedicated, equally locked-down log bucket that expires them.
//   - Both buckets are retained when the stack is deleted, and no auto-delete custom resource is
//     added, so no deploy or destroy can erase uploads.
//   - Access rules (package accessrules) are validated (paths, principals, overlaps) before
//     anything is created, and each becomes only the S3 actions it names, scoped to its prefix:
//     Owner rules name the caller's owner key as a policy variable, the identity id
//     (${cognito-identity.amazonaws.com:sub}) or the user pool's sub as a session tag Cognito
//     sets (${aws:PrincipalTag/sub}; a session without it matches nothing), so an identity
//     reaches only its own folder, and listing is allowed only with an s3:prefix inside the
//     rule's folder. The statements go into each role's own policy, in the role's stack.
//   - Grants to other principals (GrantRead, GrantReadWrite, GrantAccess) are the same narrow
//     statements, and record their own reasoned cdk-nag suppression for the prefix wildcard.
package storage

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/accessrules"
	"github.com/gatehouse-cdk/gatehouse/internal/guard"
	"github.com/gatehouse-cdk/gatehouse/internal/nag"
	"github.com/gatehouse-cdk/gatehouse/internal/stateful"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// The access rules' types, under the names this package has always used (package accessrules
// defines them, with no CDK dependency).
type (
	// AccessRule allows Who the Actions on the objects under Path.
	AccessRule = accessrules.AccessRule
	// Who is the principal of a rule: Owner, Authenticated, Guest or Group(name).
	Who = accessrules.Who
	// Action is what a rule allows: Get, List, Write or Delete.
	Action = accessrules.Action
)

// Actions, principals and path parts of access rules (see package accessrules).
const (
	Get              = accessrules.Get
	List             = accessrules.List
	Write            = accessrules.Write
	Delete           = accessrules.Delete
	EntityID         = accessrules.EntityID
	IdentityVariable = accessrules.IdentityVariable
	PathRule         = accessrules.PathRule
)

// Principals of access rules.
var (
	Owner         = accessrules.Owner
	Authenticated = accessrules.Authenticated
	Guest         = accessrules.Guest
)

// Group is the principal of a rule for the members of a user pool group.
func Group(name string) Who { return accessrules.Group(name) }

// OwnerProtectedRule is each signed-in identity's own protected/<owner key>/ folder.
func OwnerProtectedRule() AccessRule { return accessrules.OwnerProtectedRule() }

var regexpPolicyVariable = regexp.MustCompile(`\$\{([^}]+)\}`)

// pinnedFeatureFlags are the aws-cdk-lib feature flags UploadBucket sets on its own subtree:
// log delivery through a bucket policy, so ACLs stay disabled.
var pinnedFeatureFlags = []string{
	"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy",
}

// CorsExposedHeaders are the response headers browsers may read: Amplify Storage needs ETag to
// complete multipart uploads, and the request ids help support cases.
var CorsExposedHeaders = []string{"x-amz-server-side-encryption", "x-amz-request-id", "x-amz-id-2", "ETag"}

// SignIn is what the bucket needs of the sign-in construct: the identity pool's roles and the
// key that names an owner's folder in their sessions. *auth.UserAuth satisfies it.
type SignIn interface {
	AuthenticatedRole() awsiam.IRole
	// GuestRole is nil when guests are off.
	GuestRole() awsiam.IRole
	GroupRoles() map[string]awsiam.IRole
	// OwnerKey is limits.OwnerKeyIdentityID or limits.OwnerKeySub.
	OwnerKey() string
}

// AccessRoles are the identity-pool roles access rules are granted to, given by hand.
type AccessRoles struct {
	// Authenticated is the identity pool's authenticated role. Required when any rule is for
	// Owner or Authenticated.
	Authenticated awsiam.IRole
	// Guest is the unauthenticated role. Nil: guests have no role and Guest rules are refused.
	Guest awsiam.IRole
	// Groups maps user pool group names to their roles. Owner and Authenticated rules are granted
	// to every group role too, since a group member signs in with the group's role.
	Groups map[string]awsiam.IRole
	// OwnerKey is what names an owner's folder in these roles' sessions. Default
	// limits.OwnerKeyIdentityID: the identity id (${cognito-identity.amazonaws.com:sub}). With
	// limits.OwnerKeySub the sessions must carry the user pool's sub as the principal tag
	// limits.OwnerTag (the identity pool maps it; the roles' trust allows sts:TagSession).
	OwnerKey string
}

// UploadBucketProps configure NewUploadBucket.
type UploadBucketProps struct {
	// AllowedOrigins are the web origins allowed by CORS, e.g. "https://app.example.com"; "*"
	// and origins with a path are refused. Default none: no CORS rule, for a bucket only
	// server-side clients use.
	AllowedOrigins []string
	// HostedOrigins are origins other constructs of the app make, known only at deploy time, e.g.
	// hosting.App.BranchOrigins (https://<branch>.<app id>.amplifyapp.com). The CORS rule allows
	// them as well as AllowedOrigins. A literal string here is checked like AllowedOrigins.
	// Default none.
	HostedOrigins []*string
	// AccessRules decide who may do what under which path. Default: none (no identity has access).
	AccessRules []AccessRule
	// SignIn gives the access rules their roles: the sign-in construct's (an *auth.UserAuth).
	// Set SignIn or Roles, not both. Default none: Roles.
	SignIn SignIn
	// Roles gives the access rules their roles by hand, e.g. those of an identity pool made
	// elsewhere. Default none: SignIn's.
	Roles AccessRoles
	// KMSEncryption encrypts with a new customer managed KMS key (rotation on, retained) instead of
	// S3-managed keys, and grants rule principals use of the key through S3 only. Default false.
	KMSEncryption bool
	// NoncurrentVersionExpirationDays: how long overwritten/deleted versions are kept. Default
	// 30; 1 to 3650 (limits.NoncurrentVersionExpirationDays).
	NoncurrentVersionExpirationDays int
	// AccessLogExpirationDays: how long server access logs are kept. Default 365; 1 to 3650
	// (limits.AccessLogExpirationDays).
	AccessLogExpirationDays int
	// CorsMaxAgeSeconds: how long browsers may cache a preflight. Default 3000 (nil); 0 to
	// 86400 (limits.CorsMaxAgeSeconds).
	CorsMaxAgeSeconds *int
}

// UploadBucket is the upload bucket, its log bucket and the policies of its access rules.
type UploadBucket struct {
	constructs.Construct
	bucket    awss3.Bucket
	logBucket awss3.Bucket
	key       awskms.Key
	rules     []AccessRule
	// ownerVariable is the policy variable of the owner key in force (Owner rules' {entity_id}).
	ownerVariable string
}

// NewUploadBucket validates props and builds the bucket. Invalid props panic with a
// *limits.Error that lists every problem, scoped to the construct's path.
func NewUploadBucket(scope constructs.Construct, id *string, props *UploadBucketProps) *UploadBucket {
	p := props.withDefaults()
	guard.Check(scope, id, p.check())
	roles := p.accessRoles()
	u := &UploadBucket{rules: append([]AccessRule(nil), p.AccessRules...), ownerVariable: accessrules.OwnerVariable(roles.OwnerKey)}
	constructs.NewConstruct_Override(u, scope, id)
	// The buckets' safety must not depend on the consuming app's cdk.json: pin the feature flags
	// it relies on for everything below (context is read up the tree, and must be set before
	// children exist).
	for _, flag := range pinnedFeatureFlags {
		u.Node().SetContext(jsii.String(flag), true)
	}

	// Server access logs can only be delivered to SSE-S3 buckets.
	u.logBucket = stateful.LogBucket(u, "AccessLogs", p.AccessLogExpirationDays, awss3.TargetObjectKeyFormat_SimplePrefix(), "server access log")

	encryption := u.encryption(p.KMSEncryption)
	u.bucket = awss3.NewBucket(u, jsii.String("Resource"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Encryption:        encryption.Encryption,
		EncryptionKey:     encryption.EncryptionKey,
		BucketKeyEnabled:  encryption.BucketKeyEnabled,
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		Versioned:         jsii.Bool(true),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("AbortIncompleteUploadsAndExpireOldVersions"),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(float64(p.NoncurrentVersionExpirationDays))),
		}},
		ServerAccessLogsBucket: u.logBucket,
		ServerAccessLogsPrefix: jsii.String("uploads/"),
		Cors:                   corsRules(p),
		RemovalPolicy:          awscdk.RemovalPolicy_RETAIN,
		AutoDeleteObjects:      jsii.Bool(false),
	})

	u.attachRules(roles)
	return u
}

// encryption is the bucket's one decision on keys: S3-managed keys, or with kms a new customer
// managed key (rotation on, retained: the objects cannot be read without it), which becomes
// u.key, with an S3 bucket key (one data key per bucket, not per object: fewer KMS calls).
func (u *UploadBucket) encryption(kms bool) awss3.BucketProps {
	if !kms {
		return awss3.BucketProps{Encryption: awss3.BucketEncryption_S3_MANAGED}
	}
	u.key = awskms.NewKey(u, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the objects of " + *u.Node().Path()),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	return awss3.BucketProps{Encryption: awss3.BucketEncryption_KMS, EncryptionKey: u.key, BucketKeyEnabled: jsii.Bool(true)}
}

func corsRules(p UploadBucketProps) *[]*awss3.CorsRule {
	origins := append(*jsii.Strings(p.AllowedOrigins...), p.HostedOrigins...)
	if len(origins) == 0 {
		return nil
	}
	return &[]*awss3.CorsRule{{
		AllowedOrigins: &origins,
		AllowedMethods: &[]awss3.HttpMethods{awss3.HttpMethods_GET, awss3.HttpMethods_PUT, awss3.HttpMethods_POST, awss3.HttpMethods_DELETE, awss3.HttpMethods_HEAD},
		AllowedHeaders: jsii.Strings("*"),
		ExposedHeaders: jsii.Strings(CorsExposedHeaders...),
		MaxAge:         jsii.Number(float64(*p.CorsMaxAgeSeconds)),
	}}
}

// withDefaults is a copy of p (nil: every default) with the defaults filled in.
func (p *UploadBucketProps) withDefaults() UploadBucketProps {
	q := guard.Copy(p)
	q.NoncurrentVersionExpirationDays = limits.NoncurrentVersionExpirationDays.Or(q.NoncurrentVersionExpirationDays)
	q.AccessLogExpirationDays = limits.AccessLogExpirationDays.Or(q.AccessLogExpirationDays)
	q.CorsMaxAgeSeconds = limits.CorsMaxAgeSeconds.OrNil(q.CorsMaxAgeSeconds)
	return q
}

// PropsScope names UploadBucketProps in errors of Validate.
const PropsScope = "storage.UploadBucketProps"

// Validate reports every problem of p (nil: the defaults) as a *limits.Error.
func (p *UploadBucketProps) Validate() error {
	q := p.withDefaults()
	return q.check()
}

// accessRoles are the roles the rules go to: SignIn's, or Roles.
func (p UploadBucketProps) accessRoles() AccessRoles {
	if p.SignIn == nil {
		return p.Roles
	}
	return AccessRoles{Authenticated: p.SignIn.AuthenticatedRole(), Guest: p.SignIn.GuestRole(), Groups: p.SignIn.GroupRoles(), OwnerKey: p.SignIn.OwnerKey()}
}

func (p UploadBucketProps) check() error {
	ps := limits.NewProblems(PropsScope)
	if len(p.AllowedOrigins) > 0 {
		limits.Origins(ps, "AllowedOrigins", p.AllowedOrigins)
	}
	for i, o := range p.HostedOrigins {
		f := fmt.Sprintf("HostedOrigins[%d]", i)
		switch {
		case o == nil:
			ps.Add(f, nil, "must not be nil")
		case !*awscdk.Token_IsUnresolved(o):
			if why := limits.Origin(*o); why != "" {
				ps.Add(f, *o, why)
			}
		}
	}
	limits.NoncurrentVersionExpirationDays.Check(ps, "NoncurrentVersionExpirationDays", p.NoncurrentVersionExpirationDays)
	limits.AccessLogExpirationDays.Check(ps, "AccessLogExpirationDays", p.AccessLogExpirationDays)
	limits.CorsMaxAgeSeconds.Check(ps, "CorsMaxAgeSeconds", *p.CorsMaxAgeSeconds)
	if p.SignIn != nil && (p.Roles.Authenticated != nil || p.Roles.Guest != nil || len(p.Roles.Groups) > 0) {
		ps.Add("Roles", nil, "is set together with SignIn: give the roles one way, SignIn (the sign-in construct) or Roles (by hand)")
	}
	roles := p.accessRoles()
	if roles.OwnerKey != "" {
		limits.OwnerKeys.Check(ps, "Roles.OwnerKey", roles.OwnerKey)
	}
	groups := map[string]bool{}
	for name, role := range roles.Groups {
		groups[name] = role != nil
	}
	accessrules.Check(ps, "AccessRules", p.AccessRules, roles.Guest != nil, groups)
	for i, r := range p.AccessRules {
		if (r.Who == Owner || r.Who == Authenticated) && roles.Authenticated == nil {
			ps.Add(fmt.Sprintf("AccessRules[%d].Who", i), r.Who.String(), "needs SignIn or Roles.Authenticated (the identity pool's authenticated role)")
		}
	}
	return ps.Err()
}

// roleRules pairs each role with the rules granted to it, in a stable order.
type roleRules struct {
	name  string // construct id part: Authenticated, Guest, Group<name>
	role  awsiam.IRole
	rules []AccessRule
}

func grantees(roles AccessRoles, rules []AccessRule) []roleRules {
	var out []roleRules
	add := func(name string, role awsiam.IRole, match func(Who) bool) {
		rr := roleRules{name: name, role: role}
		for _, r := range rules {
			if match(r.Who) {
				rr.rules = append(rr.rules, r)
			}
		}
		if role != nil && len(rr.rules) > 0 {
			out = append(out, rr)
		}
	}
	signedIn := func(w Who) bool { return w == Owner || w == Authenticated }
	add("Authenticated", roles.Authenticated, signedIn)
	add("Guest", roles.Guest, func(w Who) bool { return w == Guest })
	names := make([]string, 0, len(roles.Groups))
	for name := range roles.Groups {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		group := Group(name)
		add("Group"+accessrules.Sid(name), roles.Groups[name], func(w Who) bool { return signedIn(w) || w == group })
	}
	return out
}

// attachRules adds the statements of each role's rules to that role's own policy, in the role's
// stack (as every CDK grant does): deleting a role (a removed group, guests turned off) then
// deletes its policy with it, and never meets a policy from the bucket's stack still attached.
func (u *UploadBucket) attachRules(roles AccessRoles) {
	for _, g := range grantees(roles, u.rules) {
		var statements []accessrules.Statement
		for _, r := range g.rules {
			statements = append(statements, r.Statements(u.ownerVariable)...)
		}
		for _, s := range append(statements, u.keyStatements(g.rules)...) {
			if added := g.role.AddToPrincipalPolicy(u.policyStatement(s)); !*added.StatementAdded {
				guard.Refuse(*u.Node().Path(), "Roles."+g.name, *g.role.Node().Path(), "cannot take policy statements (an immutable imported role); pass a role this app can add policies to")
			}
		}
		owner := "identity id"
		if u.ownerVariable == accessrules.SubVariable {
			owner = "user-pool sub (a session tag only Cognito sets)"
		}
		u.suppressPrefixWildcards(g.role, g.rules, "Object actions on one access rule's key prefix: the wildcard is the prefix itself "+
			"(and for Owner rules it sits under the caller's own "+owner+"), never the whole bucket.")
	}
}

func (u *UploadBucket) resourceOf(s accessrules.Statement) *string {
	switch {
	case s.Resource != nil:
		return s.Resource
	case s.OnBucket:
		return u.bucket.BucketArn()
	}
	return u.bucket.ArnForObjects(jsii.String(s.Prefix + "*"))
}

func (u *UploadBucket) policyStatement(s accessrules.Statement) awsiam.PolicyStatement {
	props := &awsiam.PolicyStatementProps{
		Sid:       jsii.String(s.Sid),
		Effect:    awsiam.Effect_ALLOW,
		Actions:   jsii.Strings(s.Actions...),
		Resources: &[]*string{u.resourceOf(s)},
	}
	if s.Conditions != nil {
		conditions := map[string]any{}
		for op, v := range s.Conditions {
			conditions[op] = v
		}
		props.Conditions = &conditions
	}
	return awsiam.NewPolicyStatement(props)
}

// keyStatements lets rule principals use the bucket's KMS key, only through S3 in this region.
func (u *UploadBucket) keyStatements(rules []AccessRule) []accessrules.Statement {
	if u.key == nil {
		return nil
	}
	needs := map[string]bool{}
	for _, r := range rules {
		for _, a := range r.Actions {
			switch a {
			case Get:
				needs["kms:Decrypt"] = true
			case Write:
				needs["kms:Decrypt"], needs["kms:GenerateDataKey"] = true, true
			}
		}
	}
	var actions []string
	for _, a := range []string{"kms:Decrypt", "kms:GenerateDataKey"} {
		if needs[a] {
			actions = append(actions, a)
		}
	}
	if len(actions) == 0 {
		return nil
	}
	viaS3 := "s3." + *awscdk.Stack_Of(u).Region() + ".amazonaws.com"
	return []accessrules.Statement{{
		Sid: "UseUploadKeyThroughS3", Actions: actions, Resource: u.key.KeyArn(),
		Conditions: map[string]map[string]any{"StringEquals": {"kms:ViaService": viaS3}},
	}}
}

// suppressPrefixWildcards records, on grantee's own policy, the reasoned AwsSolutions-IAM5
// suppression of exactly the object wildcards the rules produce: each is confined to one rule's
// prefix, which is the point of a prefix rule. A grantee whose policy cannot be found (not a
// role, nor something with a Role()) keeps the finding, for its owner to judge.
func (u *UploadBucket) suppressPrefixWildcards(grantee awsiam.IGrantable, rules []AccessRule, reason string) {
	policy := principalPolicy(grantee)
	if policy == nil {
		return
	}
	bucketID := *awscdk.Stack_Of(u).GetLogicalId(u.bucket.Node().DefaultChild().(awss3.CfnBucket))
	var appliesTo []string
	seen := map[string]bool{}
	for _, r := range rules {
		for _, s := range accessrules.StatementsFor("", r.Path, r.Entity(u.ownerVariable), r.Actions) {
			if s.OnBucket {
				continue
			}
			finding := fmt.Sprintf("Resource::<%s.Arn>/%s*", bucketID, nagVariables(s.Prefix))
			if !seen[finding] {
				seen[finding] = true
				appliesTo = append(appliesTo, finding)
			}
		}
	}
	if len(appliesTo) == 0 {
		return
	}
	nag.Suppress(policy, nag.Suppression{ID: "AwsSolutions-IAM5", Reason: reason, AppliesTo: appliesTo})
}

// principalPolicy is the construct of the policy grants to grantee go to: a role's default
// policy ("Policy" on an imported role), also for a grantee with a role (a Lambda function).
func principalPolicy(grantee awsiam.IGrantable) constructs.IConstruct {
	var role awsiam.IRole
	switch g := grantee.(type) {
	case awsiam.IRole:
		role = g
	case interface{ Role() awsiam.IRole }:
		role = g.Role()
	}
	if role == nil {
		return nil
	}
	for _, id := range []string{"DefaultPolicy", "Policy"} {
		if child := role.Node().TryFindChild(jsii.String(id)); child != nil {
			return child
		}
	}
	return nil
}

// nagVariables writes policy variables the way cdk-nag prints them: ${x} becomes <x>.
func nagVariables(s string) string {
	return regexpPolicyVariable.ReplaceAllString(s, "<$1>")
}

// Bucket is the upload bucket.
func (u *UploadBucket) Bucket() awss3.IBucket { return u.bucket }

// LogBucket is the bucket receiving the upload bucket's server access logs.
func (u *UploadBucket) LogBucket() awss3.IBucket { return u.logBucket }

// EncryptionKey is the KMS key of the bucket, or nil with S3-managed encryption.
func (u *UploadBucket) EncryptionKey() awskms.IKey {
	if u.key == nil {
		return nil
	}
	return u.key
}

// AccessRules returns a copy of the rules the bucket's policies were generated from.
func (u *UploadBucket) AccessRules() []AccessRule { return append([]AccessRule(nil), u.rules...) }

// GrantAccess allows grantee (e.g. a server-side role) the actions under path, exactly as an access
// rule for a non-owner principal would ({entity_id} matches any identity). path follows PathRule.
// With KMS encryption the grantee may also use the key through S3. The statements go into the
// grantee's own policy, in its stack, with the reasoned cdk-nag suppression of the prefix
// wildcard (for a role, or anything with a Role()): the caller writes none.
func (u *UploadBucket) GrantAccess(grantee awsiam.IGrantable, path string, actions ...Action) awsiam.Grant {
	rule := AccessRule{Path: path, Who: Authenticated, Actions: actions}
	ps := limits.NewProblems(*u.Node().Path() + ".GrantAccess")
	accessrules.Check(ps, "rule", []AccessRule{rule}, false, nil)
	guard.Problems(ps)
	var grant awsiam.Grant
	for _, s := range append(accessrules.StatementsFor("", path, accessrules.AnyEntity, actions), u.keyStatements([]AccessRule{rule})...) {
		options := &awsiam.GrantOnPrincipalOptions{
			Grantee: grantee, Actions: jsii.Strings(s.Actions...), ResourceArns: &[]*string{u.resourceOf(s)},
		}
		if s.Conditions != nil {
			conditions := map[string]*map[string]any{}
			for op, v := range s.Conditions {
				conditions[op] = &v
			}
			options.Conditions = &conditions
		}
		g := awsiam.Grant_AddToPrincipal(options)
		if grant == nil {
			grant = g
		} else {
			grant = grant.Combine(g)
		}
	}
	u.suppressPrefixWildcards(grantee, []AccessRule{rule}, "Object actions under the one prefix this grant names ("+path+"): the wildcard is that prefix, never the whole bucket.")
	return grant
}

// GrantRead allows grantee to get and list objects under path.
func (u *UploadBucket) GrantRead(grantee awsiam.IGrantable, path string) awsiam.Grant {
	return u.GrantAccess(grantee, path, Get, List)
}

// GrantReadWrite allows grantee to get, list, write and delete objects under path.
func (u *UploadBucket) GrantReadWrite(grantee awsiam.IGrantable, path string) awsiam.Grant {
	return u.GrantAccess(grantee, path, Get, List, Write, Delete)
}
