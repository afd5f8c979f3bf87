// Package auth builds sign-in for a Next.js web app: a Cognito user pool with email sign-in, a
// public web client for Amplify JS / Amplify UI's withAuthenticator, and an identity pool that
// exchanges user pool tokens for AWS credentials of an authenticated (or optional guest) role.
//
// Why each default is safe:
//   - Passwords need at least 12 characters with upper and lower case, a digit and a symbol.
//   - MFA is TOTP only (no SMS: no SIM-swap exposure, no SMS role); required by default.
//   - Account recovery is by verified email only; a changed email takes effect only once verified
//     (keepOriginal), so a hijacked session cannot silently redirect recovery mail.
//   - The Plus plan is the default and enforces threat protection (compromised credentials,
//     adaptive authentication); Essentials is allowed for cost, as a deliberate choice.
//   - The user pool has deletion protection and is retained if its stack is deleted; the identity
//     pool is retained too, since its identity ids name the users' upload folders.
//   - The web client has no secret (it runs in browsers), allows only SRP and refresh-token
//     sign-in (no plain-password flow), hides whether a user exists, revokes tokens on sign-out
//     and has OAuth/hosted UI off, so no redirect URL can leak a code or token.
//   - The identity pool uses the enhanced flow only; its roles are assumable only through
//     cognito-identity.amazonaws.com with aud = this pool and amr = authenticated (or
//     unauthenticated for the guest role). Guests are off by default; when off, the pool refuses
//     unauthenticated identities, so the (policy-less) guest role cannot be obtained.
//   - Groups get roles of their own with the same trust; the pool takes the role from the token
//     (cognito:preferred_role) and falls back to the authenticated role for users in no group.
//   - Owner folders are keyed on the identity id by default. With OwnerKey "sub" the identity
//     pool sets the session tag "sub" from the web client's verified ID token (never from the
//     caller), and only the authenticated and group roles' trust allows sts:TagSession, under the
//     same aud/amr conditions as the sign-in itself; a session without the tag reaches no folder.
package auth

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognitoidentitypool"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/cfndeps"
	"github.com/gatehouse-cdk/gatehouse/internal/guard"
	"github.com/gatehouse-cdk/gatehouse/internal/nag"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// FeaturePlan is the Cognito user pool feature plan.
type FeaturePlan string

// Feature plans.
const (
	Essentials FeaturePlan = "essentials"
	Plus       FeaturePlan = "plus"
)

// MFA is the multi-factor requirement (TOTP).
type MFA string

// MFA settings.
const (
	MFAOff      MFA = "off"
	MFAOptional MFA = "optional"
	MFARequired MFA = "required"
)

// Group is a user pool group with its own identity-pool role.
type Group struct {
	// Name of the group.
	Name string
	// Precedence: a user in several groups gets the role of the lowest; must be unique.
	Precedence int
}

// UserAuthProps configure NewUserAuth. The zero value (or nil) gives every default.
type UserAuthProps struct {
	// DisableSelfSignUp stops visitors from creating accounts (admins create them). Default false.
	DisableSelfSignUp bool
	// FeaturePlan: Plus (default, limits.DefaultFeaturePlan) enforces threat protection;
	// Essentials costs less.
	FeaturePlan FeaturePlan
	// MFA: required (default, limits.DefaultMFA), optional or off. TOTP only.
	MFA MFA
	// AllowGuests lets the identity pool give unauthenticated identities the guest role.
	// Default false.
	AllowGuests bool
	// AccessTokenValidityMinutes is the access token's lifetime. Default 60; 5 to 1440
	// (limits.AccessTokenValidityMinutes).
	AccessTokenValidityMinutes int
	// IDTokenValidityMinutes is the ID token's lifetime. Default 60; 5 to 1440
	// (limits.IDTokenValidityMinutes).
	IDTokenValidityMinutes int
	// RefreshTokenValidityDays is the refresh token's lifetime. Default 30; 1 to 3650
	// (limits.RefreshTokenValidityDays).
	RefreshTokenValidityDays int
	// Groups to create, each with a role. Default none.
	Groups []Group
	// OwnerKey names each user's folder, items and API tokens. Default limits.OwnerKeyIdentityID:
	// the identity pool's identity id, Amplify's convention. Or limits.OwnerKeySub (the user pool's
	// sub, the id the rest of an app already knows: the identity pool maps the ID token's sub claim
	// to the session tag limits.OwnerTag, and the roles' trust allows sts:TagSession). Changing it
	// on a deployed app moves no folder: users see empty folders until their objects are copied.
	OwnerKey string
	// Email sends the user pool's mail (sign-up and verification codes, password recovery)
	// through Amazon SES from your own address. Default nil: Cognito's own sender, which AWS
	// limits to a few dozen messages a day: fine for development, not for production.
	Email *Email
}

// Email sends a user pool's mail through Amazon SES.
type Email struct {
	// From is the sender address, e.g. "no-reply@example.com". Required; it must be SESIdentity
	// or an address at that domain.
	From string
	// FromName is the sender's name shown with the address, e.g. "Example App". Default none.
	FromName string
	// ReplyTo is where replies go. Default: From.
	ReplyTo string
	// SESIdentity is the verified SES identity that sends: a domain ("example.com") or an email
	// address. Required.
	SESIdentity string
	// SESRegion is where that identity is verified. Default: the stack's region. A user pool may
	// use SES in its own region, and in some regions also us-east-1, us-west-2 or eu-west-1.
	SESRegion string
}

// EmailFields are Email's field names, for messages.
var EmailFields = limits.EmailFieldNames{From: "From", FromName: "FromName", ReplyTo: "ReplyTo", SESIdentity: "SESIdentity", SESRegion: "SESRegion"}

// PropsScope names UserAuthProps in error messages.
const PropsScope = "auth.UserAuthProps"

// UserAuth is the user pool, its web client, the identity pool and the identity-pool roles.
type UserAuth struct {
	constructs.Construct
	userPool     awscognito.UserPool
	client       awscognito.UserPoolClient
	identityPool awscognitoidentitypool.IdentityPool
	groupRoles   map[string]awsiam.Role
	allowGuests  bool
	selfSignUp   bool
	mfa          MFA
	ownerKey     string
}

// OwnerKey is what names a user's folder, items and tokens: limits.OwnerKeyIdentityID or
// limits.OwnerKeySub.
func (a *UserAuth) OwnerKey() string { return a.ownerKey }

// GuestsAllowed reports whether the identity pool gives out guest identities.
func (a *UserAuth) GuestsAllowed() bool { return a.allowGuests }

// SelfSignUpAllowed reports whether visitors may create their own accounts.
func (a *UserAuth) SelfSignUpAllowed() bool { return a.selfSignUp }

// MFA is the user pool's MFA setting.
func (a *UserAuth) MFA() MFA { return a.mfa }

// NewUserAuth validates props and builds sign-in. Invalid props panic with a *limits.Error
// listing every problem, scoped to the construct's path.
func NewUserAuth(scope constructs.Construct, id *string, props *UserAuthProps) *UserAuth {
	p := props.withDefaults()
	region := ""
	if r := awscdk.Stack_Of(scope).Region(); !*awscdk.Token_IsUnresolved(r) {
		region = *r
	}
	guard.Check(scope, id, p.check(region))
	a := &UserAuth{groupRoles: map[string]awsiam.Role{}, allowGuests: p.AllowGuests, selfSignUp: !p.DisableSelfSignUp, mfa: p.MFA, ownerKey: p.OwnerKey}
	constructs.NewConstruct_Override(a, scope, id)

	mfa := map[MFA]awscognito.Mfa{MFAOff: awscognito.Mfa_OFF, MFAOptional: awscognito.Mfa_OPTIONAL, MFARequired: awscognito.Mfa_REQUIRED}[p.MFA]
	poolProps := &awscognito.UserPoolProps{
		SignInAliases:       &awscognito.SignInAliases{Email: jsii.Bool(true)},
		SignInCaseSensitive: jsii.Bool(false),
		AutoVerify:          &awscognito.AutoVerifiedAttrs{Email: jsii.Bool(true)},
		KeepOriginal:        &awscognito.KeepOriginalAttrs{Email: jsii.Bool(true)},
		StandardAttributes: &awscognito.StandardAttributes{
			Email: &awscognito.StandardAttribute{Required: jsii.Bool(true), Mutable: jsii.Bool(true)},
		},
		SelfSignUpEnabled: jsii.Bool(!p.DisableSelfSignUp),
		PasswordPolicy: &awscognito.PasswordPolicy{
			MinLength:            jsii.Number(limits.PasswordMinLength),
			RequireLowercase:     jsii.Bool(true),
			RequireUppercase:     jsii.Bool(true),
			RequireDigits:        jsii.Bool(true),
			RequireSymbols:       jsii.Bool(true),
			TempPasswordValidity: awscdk.Duration_Days(jsii.Number(3)),
		},
		Mfa:                mfa,
		AccountRecovery:    awscognito.AccountRecovery_EMAIL_ONLY,
		DeletionProtection: jsii.Bool(true),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN,
	}
	if p.MFA != MFAOff {
		poolProps.MfaSecondFactor = &awscognito.MfaSecondFactor{Otp: jsii.Bool(true), Sms: jsii.Bool(false)}
	}
	if e := p.Email; e != nil {
		ses := &awscognito.UserPoolSESOptions{FromEmail: jsii.String(e.From)}
		if e.FromName != "" {
			ses.FromName = jsii.String(e.FromName)
		}
		if e.ReplyTo != "" {
			ses.ReplyTo = jsii.String(e.ReplyTo)
		}
		if e.SESRegion != "" {
			ses.SesRegion = jsii.String(e.SESRegion)
		}
		if limits.DomainName.Match(e.SESIdentity) {
			ses.SesVerifiedDomain = jsii.String(e.SESIdentity)
		}
		poolProps.Email = awscognito.UserPoolEmail_WithSES(ses)
	}
	if p.FeaturePlan == Plus {
		poolProps.FeaturePlan = awscognito.FeaturePlan_PLUS
		poolProps.StandardThreatProtectionMode = awscognito.StandardThreatProtectionMode_FULL_FUNCTION
	} else {
		poolProps.FeaturePlan = awscognito.FeaturePlan_ESSENTIALS
	}
	a.userPool = awscognito.NewUserPool(a, jsii.String("UserPool"), poolProps)

	a.client = a.userPool.AddClient(jsii.String("WebClient"), &awscognito.UserPoolClientOptions{
		GenerateSecret:             jsii.Bool(false),
		AuthFlows:                  &awscognito.AuthFlow{UserSrp: jsii.Bool(true)},
		PreventUserExistenceErrors: jsii.Bool(true),
		EnableTokenRevocation:      jsii.Bool(true),
		DisableOAuth:               jsii.Bool(true),
		AccessTokenValidity:        awscdk.Duration_Minutes(jsii.Number(float64(p.AccessTokenValidityMinutes))),
		IdTokenValidity:            awscdk.Duration_Minutes(jsii.Number(float64(p.IDTokenValidityMinutes))),
		RefreshTokenValidity:       awscdk.Duration_Days(jsii.Number(float64(p.RefreshTokenValidityDays))),
	})

	var roleMappings *[]*awscognitoidentitypool.IdentityPoolRoleMapping
	if len(p.Groups) > 0 {
		roleMappings = &[]*awscognitoidentitypool.IdentityPoolRoleMapping{{
			MappingKey:            jsii.String("userpool"),
			ProviderUrl:           awscognitoidentitypool.IdentityPoolProviderUrl_UserPool(a.userPool, a.client),
			UseToken:              jsii.Bool(true),
			ResolveAmbiguousRoles: jsii.Bool(true),
		}}
	}
	a.identityPool = awscognitoidentitypool.NewIdentityPool(a, jsii.String("IdentityPool"), &awscognitoidentitypool.IdentityPoolProps{
		AllowUnauthenticatedIdentities: jsii.Bool(p.AllowGuests),
		AllowClassicFlow:               jsii.Bool(false),
		AuthenticationProviders: &awscognitoidentitypool.IdentityPoolAuthenticationProviders{
			UserPools: &[]awscognitoidentitypool.IUserPoolAuthenticationProvider{
				awscognitoidentitypool.NewUserPoolAuthenticationProvider(&awscognitoidentitypool.UserPoolAuthenticationProviderProps{
					UserPool:       a.userPool,
					UserPoolClient: a.client,
				}),
			},
		},
		RoleMappings: roleMappings,
	})
	// Identity ids name the users' upload folders: a replaced pool would orphan every folder.
	a.identityPool.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
	// The pool references the user pool and client it trusts, which orders it after them.
	userPool, client := a.userPool.Node().DefaultChild().(awscdk.CfnResource), a.client.Node().DefaultChild().(awscdk.CfnResource)
	cfndeps.DropReferenced(a.identityPool.Node().DefaultChild().(awscdk.CfnResource), userPool, client)
	if roleMappings != nil {
		// So does the role attachment, through its token role mapping's identity provider.
		attachment := a.identityPool.Node().FindChild(jsii.String("DefaultRoleAttachment"))
		cfndeps.DropReferenced(attachment.Node().DefaultChild().(awscdk.CfnResource), userPool, client)
	}

	if p.OwnerKey == limits.OwnerKeySub {
		a.tagSessionsWithSub()
	}

	for _, g := range p.Groups {
		role := awsiam.NewRole(a, jsii.String("Group"+g.Name+"Role"), &awsiam.RoleProps{
			Description: jsii.String(fmt.Sprintf("Identity pool role of user pool group %s", g.Name)),
			AssumedBy:   a.identityPrincipal("authenticated"),
		})
		awscognito.NewUserPoolGroup(a, jsii.String("Group"+g.Name), &awscognito.UserPoolGroupProps{
			UserPool:   a.userPool,
			GroupName:  jsii.String(g.Name),
			Precedence: jsii.Number(float64(g.Precedence)),
			Role:       role,
		})
		a.groupRoles[g.Name] = role
	}

	a.suppress(p)
	return a
}

// identityPrincipal is the web-identity principal of this identity pool for amr (authenticated
// or unauthenticated); with the sub owner key, an authenticated one may also tag the session.
func (a *UserAuth) identityPrincipal(amr string) awsiam.IPrincipal {
	p := awsiam.NewFederatedPrincipal(jsii.String("cognito-identity.amazonaws.com"), &map[string]any{
		"StringEquals":           map[string]any{"cognito-identity.amazonaws.com:aud": a.identityPool.IdentityPoolId()},
		"ForAnyValue:StringLike": map[string]any{"cognito-identity.amazonaws.com:amr": amr},
	}, jsii.String("sts:AssumeRoleWithWebIdentity"))
	if a.ownerKey == limits.OwnerKeySub && amr == "authenticated" {
		return awsiam.NewSessionTagsPrincipal(p)
	}
	return p
}

// tagSessionsWithSub maps the web client's ID token claim sub to the session tag limits.OwnerTag
// and lets the pool's authenticated role take it (sts:TagSession beside
// sts:AssumeRoleWithWebIdentity in its one trust statement, under the same conditions). The
// CDK's identity pool has no option for it (aws-cdk#30919): its role's trust is built before the
// pool's id exists, so the action is added to that statement's L1. Group roles get it from
// identityPrincipal.
func (a *UserAuth) tagSessionsWithSub() {
	awscognito.NewCfnIdentityPoolPrincipalTag(a, jsii.String("OwnerTag"), &awscognito.CfnIdentityPoolPrincipalTagProps{
		IdentityPoolId:       a.identityPool.IdentityPoolId(),
		IdentityProviderName: a.userPool.UserPoolProviderName(),
		PrincipalTags:        map[string]string{limits.OwnerTag: "sub"},
		UseDefaults:          jsii.Bool(false),
	})
	role := a.identityPool.Node().FindChild(jsii.String("AuthenticatedRole")).Node().DefaultChild().(awsiam.CfnRole)
	role.AddPropertyOverride(jsii.String("AssumeRolePolicyDocument.Statement.0.Action"),
		[]string{"sts:AssumeRoleWithWebIdentity", "sts:TagSession"})
}

// suppress records the cdk-nag findings that follow from deliberate settings.
func (a *UserAuth) suppress(p UserAuthProps) {
	var s []nag.Suppression
	if p.MFA != MFARequired {
		s = append(s, nag.Suppression{ID: "AwsSolutions-COG2", Reason: fmt.Sprintf(
			"MFA is %q by this environment's configuration (mfa); TOTP stays available to every user, and prod requires it.", p.MFA)})
	}
	if p.FeaturePlan != Plus {
		s = append(s, nag.Suppression{ID: "AwsSolutions-COG8", Reason: "The Essentials plan is this environment's configured choice (featurePlan) to avoid Plus per-user cost; prod uses Plus with threat protection enforced."},
			nag.Suppression{ID: "AwsSolutions-COG3", Reason: "Threat protection needs the Plus plan, which this environment does not use by configuration (featurePlan); prod enforces it."})
	}
	if len(s) > 0 {
		nag.Suppress(a.userPool.Node().DefaultChild(), s...)
	}
	if p.AllowGuests {
		nag.Suppress(a.identityPool.Node().DefaultChild(), nag.Suppression{
			ID:     "AwsSolutions-COG7",
			Reason: "Guest identities are enabled by configuration (allowGuests); the guest role holds only what access rules grant guests.",
		})
	}
}

// UserPool is the Cognito user pool.
func (a *UserAuth) UserPool() awscognito.UserPool { return a.userPool }

// WebClient is the public (secret-less) app client for the web app.
func (a *UserAuth) WebClient() awscognito.UserPoolClient { return a.client }

// IdentityPool is the Cognito identity pool.
func (a *UserAuth) IdentityPool() awscognitoidentitypool.IdentityPool { return a.identityPool }

// AuthenticatedRole is the role of signed-in identities that are in no group.
func (a *UserAuth) AuthenticatedRole() awsiam.IRole { return a.identityPool.AuthenticatedRole() }

// GuestRole is the role of unauthenticated identities, or nil when guests are off (the pool then
// still attaches a permission-less role, which it never hands out).
func (a *UserAuth) GuestRole() awsiam.IRole {
	if !a.allowGuests {
		return nil
	}
	return a.identityPool.UnauthenticatedRole()
}

// GroupRoles maps group names to their roles.
func (a *UserAuth) GroupRoles() map[string]awsiam.IRole {
	out := make(map[string]awsiam.IRole, len(a.groupRoles))
	for name, role := range a.groupRoles {
		out[name] = role
	}
	return out
}

// GroupNames lists the groups in name order.
func (a *UserAuth) GroupNames() []string {
	names := make([]string, 0, len(a.groupRoles))
	for name := range a.groupRoles {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// withDefaults is a copy of p (nil: every default) with the defaults filled in.
func (p *UserAuthProps) withDefaults() UserAuthProps {
	q := guard.Copy(p)
	if q.FeaturePlan == "" {
		q.FeaturePlan = limits.DefaultFeaturePlan
	}
	if q.MFA == "" {
		q.MFA = limits.DefaultMFA
	}
	if q.OwnerKey == "" {
		q.OwnerKey = limits.DefaultOwnerKey
	}
	q.AccessTokenValidityMinutes = limits.AccessTokenValidityMinutes.Or(q.AccessTokenValidityMinutes)
	q.IDTokenValidityMinutes = limits.IDTokenValidityMinutes.Or(q.IDTokenValidityMinutes)
	q.RefreshTokenValidityDays = limits.RefreshTokenValidityDays.Or(q.RefreshTokenValidityDays)
	return q
}

// Validate reports every problem of p (nil: the defaults) as a *limits.Error. The SES region
// is checked against the user pool's region only by NewUserAuth, which knows the stack's.
func (p *UserAuthProps) Validate() error {
	q := p.withDefaults()
	return q.check("")
}

// check checks p for a user pool in region ("" when the stack's region is not known).
func (p UserAuthProps) check(region string) error {
	ps := limits.NewProblems(PropsScope)
	if e := p.Email; e != nil {
		limits.Email(ps, "Email", limits.EmailSettings(*e), EmailFields, region)
	}
	limits.FeaturePlans.Check(ps, "FeaturePlan", string(p.FeaturePlan))
	limits.MFASettings.Check(ps, "MFA", string(p.MFA))
	limits.OwnerKeys.Check(ps, "OwnerKey", p.OwnerKey)
	limits.AccessTokenValidityMinutes.Check(ps, "AccessTokenValidityMinutes", p.AccessTokenValidityMinutes)
	limits.IDTokenValidityMinutes.Check(ps, "IDTokenValidityMinutes", p.IDTokenValidityMinutes)
	limits.RefreshTokenValidityDays.Check(ps, "RefreshTokenValidityDays", p.RefreshTokenValidityDays)
	var names []string
	var precedences []int
	for _, g := range p.Groups {
		names, precedences = append(names, g.Name), append(precedences, g.Precedence)
	}
	limits.Groups(ps, "Groups", names, precedences, "Name", "Precedence")
	return ps.Err()
}
