package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/internal/logicalids"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

type M = map[string]any

// trustOf is the exact trust policy of an identity-pool role for amr (authenticated or
// unauthenticated) of the stack's identity pool.
func trustOf(amr string) M { return trustWith(amr, "sts:AssumeRoleWithWebIdentity") }

// taggingTrustOf is trustOf that also lets Cognito tag the session (the sub owner key): both
// actions in one statement, under the same conditions.
func taggingTrustOf(amr string) M {
	return trustWith(amr, []any{"sts:AssumeRoleWithWebIdentity", "sts:TagSession"})
}

func trustWith(amr string, action any) M {
	return M{
		"Version": "2012-10-17",
		"Statement": []any{M{
			"Action":    action,
			"Effect":    "Allow",
			"Principal": M{"Federated": "cognito-identity.amazonaws.com"},
			"Condition": M{
				"StringEquals":           M{"cognito-identity.amazonaws.com:aud": M{"Ref": logicalids.IdentityPool}},
				"ForAnyValue:StringLike": M{"cognito-identity.amazonaws.com:amr": amr},
			},
		}},
	}
}

func TestUserPoolSecurityDefaults(t *testing.T) {
	r := referenceApp()
	for _, env := range []string{"dev", "prod", "full"} {
		tmpl := r.check(t, env+"/Auth")
		tmpl.ResourceCountIs(jsii.String("AWS::Cognito::UserPool"), jsii.Number(1))
		tmpl.HasResource(jsii.String("AWS::Cognito::UserPool"), M{
			"DeletionPolicy":      "Retain",
			"UpdateReplacePolicy": "Retain",
			"Properties": M{
				"DeletionProtection": "ACTIVE",
				"Policies": M{"PasswordPolicy": assertions.Match_ObjectEquals(&M{
					"MinimumLength": 12, "RequireLowercase": true, "RequireUppercase": true,
					"RequireNumbers": true, "RequireSymbols": true, "TemporaryPasswordValidityDays": 3,
				})},
				"UsernameAttributes":     []any{"email"},
				"AutoVerifiedAttributes": []any{"email"},
				"UsernameConfiguration":  M{"CaseSensitive": false},
				"AccountRecoverySetting": assertions.Match_ObjectEquals(&M{
					"RecoveryMechanisms": []any{M{"Name": "verified_email", "Priority": 1}},
				}),
				"UserAttributeUpdateSettings": M{"AttributesRequireVerificationBeforeUpdate": []any{"email"}},
			},
		})
	}
}

func TestUserPoolPlanAndMFAFollowConfig(t *testing.T) {
	r := referenceApp()
	cases := []struct {
		env  string
		want M
	}{
		// prod: Plus with threat protection enforced, TOTP required.
		{"prod", M{"UserPoolTier": "PLUS", "UserPoolAddOns": M{"AdvancedSecurityMode": "ENFORCED"},
			"MfaConfiguration": "ON", "EnabledMfas": []any{"SOFTWARE_TOKEN_MFA"},
			"AdminCreateUserConfig": M{"AllowAdminCreateUserOnly": false}}},
		// dev: Essentials, TOTP optional, no threat protection add-on.
		{"dev", M{"UserPoolTier": "ESSENTIALS", "UserPoolAddOns": assertions.Match_Absent(),
			"MfaConfiguration": "OPTIONAL", "EnabledMfas": []any{"SOFTWARE_TOKEN_MFA"}}},
		// full: MFA off (no factors listed), self sign-up off.
		{"full", M{"MfaConfiguration": "OFF", "EnabledMfas": assertions.Match_Absent(),
			"AdminCreateUserConfig": M{"AllowAdminCreateUserOnly": true}}},
	}
	for _, c := range cases {
		r.check(t, c.env+"/Auth").HasResourceProperties(jsii.String("AWS::Cognito::UserPool"), c.want)
	}
}

// TestUserPoolEmail: dev and prod use Cognito's own sender (no EmailConfiguration); with email
// set, the pool sends through SES from the configured address and identity, in its region.
func TestUserPoolEmail(t *testing.T) {
	r := referenceApp()
	for _, env := range []string{"dev", "prod"} {
		r.check(t, env+"/Auth").HasResourceProperties(jsii.String("AWS::Cognito::UserPool"), M{"EmailConfiguration": assertions.Match_Absent()})
	}
	r.check(t, "full/Auth").HasResourceProperties(jsii.String("AWS::Cognito::UserPool"), M{
		"EmailConfiguration": assertions.Match_ObjectEquals(&M{
			"EmailSendingAccount": "DEVELOPER",
			"From":                "Example App <no-reply@mail.example.com>",
			"ReplyToEmailAddress": "support@example.com",
			"SourceArn":           "arn:aws:ses:us-east-1:111122223333:identity/mail.example.com",
		}),
	})
}

func TestWebClientIsPublicSRPOnly(t *testing.T) {
	r := referenceApp()
	for _, c := range []struct {
		env                 string
		access, id, refresh int
	}{{"dev", 60, 60, 30 * 24 * 60}, {"prod", 60, 60, 30 * 24 * 60}, {"full", 15, 15, 7 * 24 * 60}} {
		tmpl := r.check(t, c.env+"/Auth")
		tmpl.ResourceCountIs(jsii.String("AWS::Cognito::UserPoolClient"), jsii.Number(1))
		tmpl.HasResourceProperties(jsii.String("AWS::Cognito::UserPoolClient"), M{
			"GenerateSecret":                  false,
			"ExplicitAuthFlows":               []any{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
			"PreventUserExistenceErrors":      "ENABLED",
			"EnableTokenRevocation":           true,
			"AllowedOAuthFlowsUserPoolClient": false,
			"AllowedOAuthFlows":               assertions.Match_Absent(),
			"CallbackURLs":                    assertions.Match_Absent(),
			"AccessTokenValidity":             c.access,
			"IdTokenValidity":                 c.id,
			"RefreshTokenValidity":            c.refresh,
			"TokenValidityUnits":              M{"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "minutes"},
		})
	}
}

func TestIdentityPoolTrustAndGuests(t *testing.T) {
	r := referenceApp()
	for _, c := range []struct {
		env    string
		guests bool
	}{{"dev", false}, {"prod", false}, {"full", true}} {
		tmpl := r.check(t, c.env+"/Auth")
		tmpl.HasResource(jsii.String("AWS::Cognito::IdentityPool"), M{
			"DeletionPolicy": "Retain",
			"Properties": M{
				"AllowUnauthenticatedIdentities": c.guests,
				"AllowClassicFlow":               false,
				"CognitoIdentityProviders": []any{M{
					"ClientId":             M{"Ref": "SignInUserPoolWebClient9BA5B3B3"},
					"ProviderName":         assertions.Match_AnyValue(),
					"ServerSideTokenCheck": true,
				}},
			},
		})
		// Exactly these trusts: the authenticated role (amr authenticated), the guest role (amr
		// unauthenticated), and in full one role per group (amr authenticated).
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), M{
			"AssumeRolePolicyDocument": assertions.Match_ObjectEquals(&M{"Version": "2012-10-17", "Statement": trustOf("unauthenticated")["Statement"]}),
		})
		// With the sub owner key (dev) the pool tags sessions of the web client's tokens with their
		// sub, and only the signed-in roles may be tagged; otherwise no role may.
		signedInTrust := trustOf("authenticated")
		if r.envs[c.env].OwnerKey == limits.OwnerKeySub {
			signedInTrust = taggingTrustOf("authenticated")
			tmpl.ResourcePropertiesCountIs(jsii.String("AWS::Cognito::IdentityPoolPrincipalTag"), &M{
				"IdentityPoolId":       M{"Ref": logicalids.IdentityPool},
				"IdentityProviderName": M{"Fn::GetAtt": []any{logicalids.UserPool, "ProviderName"}},
				"PrincipalTags":        assertions.Match_ObjectEquals(&M{"sub": "sub"}),
				"UseDefaults":          false,
			}, jsii.Number(1))
			tmpl.ResourceCountIs(jsii.String("AWS::Cognito::IdentityPoolPrincipalTag"), jsii.Number(1))
		} else {
			tmpl.ResourceCountIs(jsii.String("AWS::Cognito::IdentityPoolPrincipalTag"), jsii.Number(0))
		}
		authenticated := 0
		for id, role := range resourcesOfType(r.json[c.env+"/Auth"], "AWS::IAM::Role") {
			trust := role["Properties"].(map[string]any)["AssumeRolePolicyDocument"]
			switch {
			case equalJSON(trust, signedInTrust):
				authenticated++
			case equalJSON(trust, trustOf("unauthenticated")):
			default:
				t.Errorf("%s/Auth: role %s has an unexpected trust policy: %v", c.env, id, trust)
			}
		}
		wantAuthenticated := 1
		if c.env == "full" {
			wantAuthenticated = 3 // authenticated role + admins + editors
		}
		if authenticated != wantAuthenticated {
			t.Errorf("%s/Auth: %d roles trust authenticated identities, want %d", c.env, authenticated, wantAuthenticated)
		}
		// Identity-pool roles hold only what the access rules give them (TestReferenceRulePolicies):
		// one policy per signed-in role, none for the guest role.
		tmpl.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(float64(wantAuthenticated)))
		tmpl.ResourceCountIs(jsii.String("AWS::IAM::ManagedPolicy"), jsii.Number(0))
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), M{"Policies": assertions.Match_Absent(), "ManagedPolicyArns": assertions.Match_Absent()})
	}
}

func TestGroupsHaveRolesAndTokenRoleMapping(t *testing.T) {
	r := referenceApp()
	full := r.check(t, "full/Auth")
	for _, g := range []struct {
		name, role string
		precedence int
	}{{"admins", "SignInGroupadminsRoleEE384522", 0}, {"editors", "SignInGroupeditorsRole6554BEDB", 10}} {
		full.HasResourceProperties(jsii.String("AWS::Cognito::UserPoolGroup"), M{
			"GroupName": g.name, "Precedence": g.precedence,
			"RoleArn":    M{"Fn::GetAtt": []any{g.role, "Arn"}},
			"UserPoolId": M{"Ref": logicalids.UserPool},
		})
	}
	// Role from the token (cognito:preferred_role); users in no group get the authenticated role.
	full.HasResourceProperties(jsii.String("AWS::Cognito::IdentityPoolRoleAttachment"), M{
		"RoleMappings": M{"userpool": M{"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}},
		"Roles": M{
			"authenticated":   M{"Fn::GetAtt": []any{"SignInIdentityPoolAuthenticatedRoleC65421B5", "Arn"}},
			"unauthenticated": M{"Fn::GetAtt": []any{"SignInIdentityPoolUnauthenticatedRole03172E12", "Arn"}},
		},
	})
	// Without groups there is no role mapping: everyone signed in gets the authenticated role.
	r.check(t, "dev/Auth").HasResourceProperties(jsii.String("AWS::Cognito::IdentityPoolRoleAttachment"), M{
		"RoleMappings": assertions.Match_Absent(),
	})
	r.check(t, "dev/Auth").ResourceCountIs(jsii.String("AWS::Cognito::UserPoolGroup"), jsii.Number(0))
}

func TestAuthOutputs(t *testing.T) {
	r := referenceApp()
	tmpl := r.check(t, "dev/Auth")
	for key, value := range map[string]any{
		contract.Region:           "ap-southeast-1",
		contract.UserPoolID:       M{"Ref": logicalids.UserPool},
		contract.UserPoolClientID: M{"Ref": "SignInUserPoolWebClient9BA5B3B3"},
		contract.IdentityPoolID:   M{"Ref": logicalids.IdentityPool},
	} {
		tmpl.HasOutput(jsii.String(key), M{"Value": value})
	}
	r.check(t, "dev/Uploads").HasOutput(jsii.String(contract.UploadBucketName), M{"Value": M{"Ref": logicalids.UploadBucket}})
	// Whether the sign-in page offers sign-up follows the user pool.
	for env, want := range map[string]string{"dev": "true", "prod": "true", "full": "false"} {
		r.check(t, env+"/Auth").HasOutput(jsii.String(contract.SelfSignUp), M{"Value": want})
	}
}
