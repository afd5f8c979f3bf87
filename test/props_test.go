package test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/assetfn"
	"github.com/gatehouse-cdk/gatehouse/constructs/auth"
	"github.com/gatehouse-cdk/gatehouse/constructs/crossaccount"
	"github.com/gatehouse-cdk/gatehouse/constructs/delivery"
	"github.com/gatehouse-cdk/gatehouse/constructs/hosting"
	"github.com/gatehouse-cdk/gatehouse/constructs/messaging"
	"github.com/gatehouse-cdk/gatehouse/constructs/rolechain"
	"github.com/gatehouse-cdk/gatehouse/constructs/storage"
	"github.com/gatehouse-cdk/gatehouse/constructs/tokenapi"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// sesRegionList is how messages list the regions where SES sends email.
var sesRegionList = strings.Join(limits.SESRegions(), ", ")

// itemLevelCalls is what assetfn's GrantTableCalls allows, as its refusals list them.
const itemLevelCalls = `"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem", ` +
	`"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"`

// fakeFunctionCode is a function's code for constructs that are refused or never deployed: a
// directory holding a `bootstrap` file.
var fakeFunctionCode = sync.OnceValue(func() awslambda.Code {
	dir := must(os.MkdirTemp(scratchOutdir, "fake-function-"))
	must(0, os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("#!/bin/sh\n"), 0o755))
	return awslambda.Code_FromAsset(jsii.String(dir), nil)
})

// scratchSignIn is a sign-in construct in the scratch stack.
var scratchSignIn = sync.OnceValue(func() *auth.UserAuth {
	return auth.NewUserAuth(scratch(), jsii.String("ScratchSignIn"), nil)
})

// problemsOf runs build and returns the lines of the *limits.Error it panics with.
func problemsOf(t *testing.T, build func()) (lines []string) {
	t.Helper()
	defer func() {
		r := recover()
		var verr *limits.Error
		if err, ok := r.(error); ok && errors.As(err, &verr) {
			lines = strings.Split(verr.Error(), "\n")
			return
		}
		t.Fatalf("want a *limits.Error panic, got %v", r)
	}()
	build()
	return nil
}

// scratch is a stack for constructs whose props are refused before anything is created.
var scratch = func() func() awscdk.Stack {
	var stack awscdk.Stack
	return func() awscdk.Stack {
		if stack == nil {
			stack = awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Scratch"), nil)
		}
		return stack
	}
}()

func TestBadUploadBucketProps(t *testing.T) {
	role := awsiam.Role_FromRoleName(scratch(), jsii.String("Role"), jsii.String("authenticated"), nil)
	roles := storage.AccessRoles{Authenticated: role, Groups: map[string]awsiam.IRole{"editors": role}}
	origins := []string{"https://app.example.com"}
	rule := func(path string, who storage.Who, actions ...storage.Action) storage.AccessRule {
		return storage.AccessRule{Path: path, Who: who, Actions: actions}
	}
	get := storage.Get
	const p = "invalid Scratch/Bad: "
	type badProps struct {
		name  string
		props *storage.UploadBucketProps
		want  []string
	}
	// ownerPath: an Owner rule at path, which the path rule refuses.
	ownerPath := func(name, path string) badProps {
		return badProps{name, &storage.UploadBucketProps{AllowedOrigins: origins, Roles: roles,
			AccessRules: []storage.AccessRule{rule(path, storage.Owner, get)}}, []string{
			fmt.Sprintf("%sAccessRules[0].Path = %q: %s", p, path, storage.PathRule)}}
	}
	cases := []badProps{
		{"empty origin", &storage.UploadBucketProps{AllowedOrigins: []string{""}}, []string{p + `AllowedOrigins[0] = "": is empty: an origin is "scheme://host[:port]", e.g. "https://app.example.com" or "http://localhost:3000"`}},
		{"star origin", &storage.UploadBucketProps{AllowedOrigins: []string{"*"}}, []string{p + `AllowedOrigins[0] = "*": has a wildcard: list each origin instead (an origin is "scheme://host[:port]", e.g. "https://app.example.com" or "http://localhost:3000")`}},
		{"literal hosted origins", &storage.UploadBucketProps{HostedOrigins: []*string{jsii.String("https://*.amplifyapp.com"), nil}}, []string{
			p + `HostedOrigins[0] = "https://*.amplifyapp.com": has a wildcard: list each origin instead (an origin is "scheme://host[:port]", e.g. "https://app.example.com" or "http://localhost:3000")`,
			p + `HostedOrigins[1]: must not be nil`}},
		{"ranges", &storage.UploadBucketProps{AllowedOrigins: origins, NoncurrentVersionExpirationDays: 5000, AccessLogExpirationDays: -3, CorsMaxAgeSeconds: new(int(-1))}, []string{
			p + `NoncurrentVersionExpirationDays = 5000: must be a whole number of days from 1 to 3650`,
			p + `AccessLogExpirationDays = -3: must be a whole number of days from 1 to 3650`,
			p + `CorsMaxAgeSeconds = -1: must be a whole number of seconds from 0 to 86400`}},
		ownerPath("no trailing /*", "protected/{entity_id}"),
		ownerPath("entity id inside a segment", "protected/user-{entity_id}/*"),
		ownerPath("entity id first", "{entity_id}/*"),
		ownerPath("entity id not last", "protected/{entity_id}/docs/*"),
		{"inner wildcard, leading slash, empty segment, dot-dot", &storage.UploadBucketProps{AllowedOrigins: origins, Roles: roles,
			AccessRules: []storage.AccessRule{
				rule("pro*/x/*", storage.Authenticated, get), rule("/public/*", storage.Authenticated, get),
				rule("a//b/*", storage.Authenticated, get), rule("a/../b/*", storage.Authenticated, get)}}, []string{
			p + `AccessRules[0].Path = "pro*/x/*": ` + storage.PathRule,
			p + `AccessRules[1].Path = "/public/*": ` + storage.PathRule,
			p + `AccessRules[2].Path = "a//b/*": ` + storage.PathRule,
			p + `AccessRules[3].Path = "a/../b/*": ` + storage.PathRule}},
		{"owner without entity id", &storage.UploadBucketProps{AllowedOrigins: origins, Roles: roles,
			AccessRules: []storage.AccessRule{rule("public/*", storage.Owner, get)}}, []string{
			p + `AccessRules[0].Path = "public/*": an Owner rule needs the {entity_id} segment, e.g. "protected/{entity_id}/*"`}},
		{"guest without guest role", &storage.UploadBucketProps{AllowedOrigins: origins, Roles: roles,
			AccessRules: []storage.AccessRule{rule("public/*", storage.Guest, get)}}, []string{
			p + `AccessRules[0].Who = "guest": guest rules need a guest role: enable guests (allowGuests) or drop the rule`}},
		{"unknown owner key", &storage.UploadBucketProps{AllowedOrigins: origins,
			Roles: storage.AccessRoles{Authenticated: role, OwnerKey: "username"}, AccessRules: []storage.AccessRule{storage.OwnerProtectedRule()}}, []string{
			p + `Roles.OwnerKey = "username": must be one of "identityId", "sub"`}},
		{"unknown group", &storage.UploadBucketProps{AllowedOrigins: origins, Roles: roles,
			AccessRules: []storage.AccessRule{rule("shared/*", storage.Group("admins"), get)}}, []string{
			p + `AccessRules[0].Who = "group:admins": names no group with a role; define the group or fix the name`}},
		{"unset who", &storage.UploadBucketProps{AllowedOrigins: origins, Roles: roles,
			AccessRules: []storage.AccessRule{rule("shared/*", storage.Who{}, get)}}, []string{
			p + `AccessRules[0].Who = "(unset)": must be storage.Owner, storage.Authenticated, storage.Guest or storage.Group(name)`}},
		{"actions", &storage.UploadBucketProps{AllowedOrigins: origins, Roles: roles,
			AccessRules: []storage.AccessRule{rule("a/*", storage.Authenticated), rule("b/*", storage.Authenticated, "read", get, get)}}, []string{
			p + `AccessRules[0].Actions = "[]": must list at least one of "get", "list", "write", "delete"`,
			p + `AccessRules[1].Actions[0] = "read": must be one of "get", "list", "write", "delete"`,
			p + `AccessRules[1].Actions[2] = "get": is listed twice`}},
		{"duplicate rule", &storage.UploadBucketProps{AllowedOrigins: origins, Roles: roles,
			AccessRules: []storage.AccessRule{rule("a/*", storage.Authenticated, get), rule("a/*", storage.Authenticated, storage.List)}}, []string{
			p + `AccessRules[1] = "a/* for authenticated": duplicates an earlier rule for the same path and principal; merge their actions`}},
		{"nested paths", &storage.UploadBucketProps{AllowedOrigins: origins, Roles: roles,
			AccessRules: []storage.AccessRule{rule("media/*", storage.Authenticated, get), rule("media/{entity_id}/*", storage.Owner, get)}}, []string{
			p + `AccessRules[1].Path = "media/{entity_id}/*": overlaps "media/*": nested paths are ambiguous (which rule wins inside the inner one?); use disjoint paths`}},
		{"no authenticated role", &storage.UploadBucketProps{AllowedOrigins: origins,
			AccessRules: []storage.AccessRule{storage.OwnerProtectedRule()}}, []string{
			p + `AccessRules[0].Who = "owner": needs SignIn or Roles.Authenticated (the identity pool's authenticated role)`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := problemsOf(t, func() { storage.NewUploadBucket(scratch(), jsii.String("Bad"), c.props) })
			if !slices.Equal(got, c.want) {
				t.Errorf("\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
		})
	}
}

func TestBadUserAuthProps(t *testing.T) {
	const p = "invalid Scratch/Bad: "
	got := problemsOf(t, func() {
		auth.NewUserAuth(scratch(), jsii.String("Bad"), &auth.UserAuthProps{
			FeaturePlan: "gold", MFA: "sms", OwnerKey: "email", AccessTokenValidityMinutes: 2000, IDTokenValidityMinutes: 1,
			RefreshTokenValidityDays: 3651,
			Groups:                   []auth.Group{{Name: "a b", Precedence: 0}, {Name: "ok", Precedence: 0}},
			Email:                    &auth.Email{From: "App <no-reply@example.com>", ReplyTo: "support", SESIdentity: "https://example.com", SESRegion: "mars-1"},
		})
	})
	want := []string{
		p + `Email.From = "App <no-reply@example.com>": ` + limits.EmailAddressAllowed + `; required`,
		p + `Email.ReplyTo = "support": ` + limits.EmailAddressAllowed,
		p + `Email.SESIdentity = "https://example.com": ` + limits.SESIdentityAllowed + `; required`,
		p + `Email.SESRegion = "mars-1": must be a region where Amazon SES sends email: ` + sesRegionList,
		p + `FeaturePlan = "gold": must be one of "essentials", "plus"`,
		p + `MFA = "sms": must be one of "off", "optional", "required"`,
		p + `OwnerKey = "email": must be one of "identityId", "sub"`,
		p + `AccessTokenValidityMinutes = 2000: must be a whole number of minutes from 5 to 1440`,
		p + `IDTokenValidityMinutes = 1: must be a whole number of minutes from 5 to 1440`,
		p + `RefreshTokenValidityDays = 3651: must be a whole number of days from 1 to 3650`,
		p + `Groups[0].Name = "a b": must start with a letter and hold 1 to 128 letters, digits, '_' or '-'`,
		p + `Groups[1].Precedence = 0: is also group "a b"'s; precedences must differ, or Cognito cannot choose a role for a user in both groups`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestUserAuthEmailRegion: in a stack whose region is known, the SES region must be one its user
// pool can send through.
func TestUserAuthEmailRegion(t *testing.T) {
	app := awscdk.NewApp(nil)
	for _, c := range []struct {
		region string
		email  auth.Email
		want   string
	}{
		{"eu-north-1", auth.Email{From: "a@example.com", SESIdentity: "a@example.com", SESRegion: "us-east-1"},
			`Email.SESRegion = "us-east-1": a user pool in eu-north-1 can send through SES only in eu-north-1`},
		{"ap-east-1", auth.Email{From: "a@example.com", SESIdentity: "example.com"},
			`Email.SESRegion: is not set, so SES in the user pool's region would send: Amazon Cognito in ap-east-1 cannot send email through Amazon SES; leave the email settings out to use Cognito's own sender`},
	} {
		stack := awscdk.NewStack(app, jsii.String("In"+c.region), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String(c.region)}})
		got := problemsOf(t, func() { auth.NewUserAuth(stack, jsii.String("Bad"), &auth.UserAuthProps{Email: &c.email}) })
		if want := "invalid In" + c.region + "/Bad: " + c.want; !slices.Equal(got, []string{want}) {
			t.Errorf("%s:\n got:\n  %s\nwant:\n  %s", c.region, strings.Join(got, "\n  "), c.want)
		}
	}
}

func TestBadGrantPath(t *testing.T) {
	bucket := storage.NewUploadBucket(scratch(), jsii.String("Grants"), &storage.UploadBucketProps{AllowedOrigins: []string{"https://app.example.com"}})
	role := awsiam.Role_FromRoleName(scratch(), jsii.String("Server"), jsii.String("server"), nil)
	got := problemsOf(t, func() { bucket.GrantRead(role, "reports") })
	want := []string{`invalid Scratch/Grants.GrantAccess: rule[0].Path = "reports": ` + storage.PathRule}
	if !slices.Equal(got, want) {
		t.Errorf("\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestUploadBucketInAppWithoutFeatureFlags: another CDK app may not set the feature flags our
// cdk.json sets; the bucket pins the ones its safety needs, so logs still arrive through a bucket
// policy with ACLs disabled (the "flagless" stage of the reference app turns the flag off).
func TestUploadBucketInAppWithoutFeatureFlags(t *testing.T) {
	tmpl := referenceApp().check(t, "flagless/Flagless")
	tmpl.ResourcePropertiesCountIs(jsii.String("AWS::S3::Bucket"), M{"AccessControl": assertions.Match_Absent(),
		"OwnershipControls": M{"Rules": []any{M{"ObjectOwnership": "BucketOwnerEnforced"}}}}, jsii.Number(2))
	tmpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), M{
		"PolicyDocument": M{"Statement": assertions.Match_ArrayWith(&[]any{M{
			"Action": "s3:PutObject", "Effect": "Allow", "Principal": M{"Service": "logging.s3.amazonaws.com"},
			"Resource": assertions.Match_AnyValue(), "Condition": assertions.Match_AnyValue(),
		}})},
	})
}

func TestBadServerConstructProps(t *testing.T) {
	cases := []struct {
		name  string
		build func()
		want  []string
	}{
		{"trust role", func() {
			rolechain.NewTrustRole(scratch(), jsii.String("BadTrust"), &rolechain.TrustRoleProps{SessionName: "x", SessionDurationSeconds: 7200})
		}, []string{
			`invalid Scratch/BadTrust: Webpage: is required: the webpage role that may assume the trust role`,
			`invalid Scratch/BadTrust: SessionName = "x": must be 2 to 64 characters of letters, digits and _+=,.@-`,
			`invalid Scratch/BadTrust: SessionDurationSeconds = 7200: must be a whole number of seconds (role chaining caps sessions at one hour) from 900 to 3600`,
		}},
		{"asset function", func() {
			assetfn.NewAssetFunction(scratch(), jsii.String("BadFn"), &assetfn.AssetFunctionProps{MemoryMB: 64, TimeoutSeconds: 901, ReservedConcurrency: -1, LogRetentionDays: 42})
		}, []string{
			"invalid Scratch/BadFn: Code: is required: a directory with a linux/arm64 `bootstrap` executable (awslambda.Code_FromAsset)",
			`invalid Scratch/BadFn: MemoryMB = 64: must be a whole number of MB from 128 to 10240`,
			`invalid Scratch/BadFn: TimeoutSeconds = 901: must be a whole number of seconds from 1 to 900`,
			`invalid Scratch/BadFn: ReservedConcurrency = -1: must be 0 (no cap) or a positive number of executions`,
			`invalid Scratch/BadFn: LogRetentionDays = 42: must be one of CloudWatch's retention periods: [1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 1096 1827 2192 2557 2922 3288 3653]`,
		}},
		{"asset function setting the identity variables by hand", func() {
			assetfn.NewAssetFunction(scratch(), jsii.String("BadUsersFn"), &assetfn.AssetFunctionProps{Code: fakeFunctionCode(),
				VerifiesUsersOf: scratchSignIn(), Environment: map[string]string{limits.EnvUserPoolID: "ap-southeast-1_x", "TABLE_NAME": "items"}})
		}, []string{
			`invalid Scratch/BadUsersFn: Environment[USER_POOL_ID] = "ap-southeast-1_x": is set by VerifiesUsersOf (from the sign-in construct); leave it out of Environment`,
		}},
		{"asset function table calls", func() {
			table := awsdynamodb.NewTableV2(scratch(), jsii.String("CallsTable"), &awsdynamodb.TablePropsV2{
				PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("owner"), Type: awsdynamodb.AttributeType_STRING}})
			fn := assetfn.NewAssetFunction(scratch(), jsii.String("CallsFn"), &assetfn.AssetFunctionProps{Code: fakeFunctionCode()})
			fn.GrantTableCalls(table, "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:GetItem", "dynamodb:DescribeTable", "GetItem")
		}, []string{
			`invalid Scratch/CallsFn/GrantTableCalls: actions[1] = "dynamodb:Scan": must be one of ` + itemLevelCalls,
			`invalid Scratch/CallsFn/GrantTableCalls: actions[2] = "dynamodb:GetItem": is listed twice`,
			`invalid Scratch/CallsFn/GrantTableCalls: actions[3] = "dynamodb:DescribeTable": must be one of ` + itemLevelCalls,
			`invalid Scratch/CallsFn/GrantTableCalls: actions[4] = "GetItem": must be one of ` + itemLevelCalls,
		}},
		{"asset function without table calls", func() {
			table := awsdynamodb.TableV2_FromTableName(scratch(), jsii.String("NoCallsTable"), jsii.String("items"))
			fn := assetfn.NewAssetFunction(scratch(), jsii.String("NoCallsFn"), &assetfn.AssetFunctionProps{Code: fakeFunctionCode()})
			fn.GrantTableCalls(table)
		}, []string{
			`invalid Scratch/NoCallsFn/GrantTableCalls: actions: must name at least one item-level call the function makes (assetfn.TableReadActions, assetfn.TableWriteActions)`,
		}},
		{"cross-account role", func() {
			crossaccount.NewCrossAccountRole(scratch(), jsii.String("BadPartner"), &crossaccount.CrossAccountRoleProps{
				TrustedAccountID: "1234", ExternalID: "no spaces allowed", TrustedRoleName: "role/x", SessionName: "s", MaxSessionDurationSeconds: 100})
		}, []string{
			`invalid Scratch/BadPartner: TrustedAccountID = "1234": must be a 12-digit AWS account id as a string, e.g. "123456789012"`,
			`invalid Scratch/BadPartner: ExternalID = "no spaces allowed": must be 2 to 1224 characters of letters, digits and _+=,.@:/-`,
			`invalid Scratch/BadPartner: TrustedRoleName = "role/x": must be 1 to 64 characters of letters, digits and _+=,.@-`,
			`invalid Scratch/BadPartner: SessionName = "s": must be 2 to 64 characters of letters, digits and _+=,.@-`,
			`invalid Scratch/BadPartner: MaxSessionDurationSeconds = 100: must be a whole number of seconds from 3600 to 43200`,
		}},
		{"trust role", func() {
			rolechain.NewTrustRole(scratch(), jsii.String("BadTrust"), &rolechain.TrustRoleProps{OtherServers: []awsiam.IRole{nil}, SessionName: "x"})
		}, []string{
			`invalid Scratch/BadTrust: Webpage: is required: the webpage role that may assume the trust role`,
			`invalid Scratch/BadTrust: OtherServers[0]: is nil: give the role the server runs as`,
			`invalid Scratch/BadTrust: SessionName = "x": ` + limits.SessionName.Allowed,
		}},
		{"compute role", func() {
			hosting.NewComputeRole(scratch(), jsii.String("BadSSR"), &hosting.ComputeRoleProps{AppID: "D-1", Branch: "-x"})
		}, []string{
			`invalid Scratch/BadSSR: AppID = "D-1": ` + limits.AppID.Allowed,
			`invalid Scratch/BadSSR: Branch = "-x": ` + limits.BranchName.Allowed,
		}},
		{"amplify app", func() {
			hosting.NewApp(scratch(), jsii.String("BadApp"), &hosting.AppProps{Name: "web app", Repository: "https://github.com/x/y",
				Branches: []hosting.BranchProps{{Name: "main"}, {Name: "main", Stage: "PROD"}}})
		}, []string{
			`invalid Scratch/BadApp: Name = "web app": ` + limits.AppName.Allowed,
			`invalid Scratch/BadApp: ComputeRole: is required: the app-wide SSR compute role`,
			`invalid Scratch/BadApp: AccessTokenSecretName = "": is required with Repository: the Secrets Manager secret holding the access token`,
			`invalid Scratch/BadApp: Branches[1].Name = "main": is listed twice`,
			`invalid Scratch/BadApp: Branches[1].Stage = "PROD": must be one of "PRODUCTION", "BETA", "DEVELOPMENT", "EXPERIMENTAL", "PULL_REQUEST"`,
		}},
		{"amplify app build settings", func() {
			hosting.NewApp(scratch(), jsii.String("BadBuild"), &hosting.AppProps{Name: "web", AppRoot: "../web",
				EnvironmentVariables: map[string]string{"AMPLIFY_DIFF_DEPLOY": "false", "1ENV": "dev", "OK_NAME": "fine"}})
		}, []string{
			`invalid Scratch/BadBuild: ComputeRole: is required: the app-wide SSR compute role`,
			`invalid Scratch/BadBuild: AppRoot = "../web": ` + limits.AppRoot.Allowed,
			`invalid Scratch/BadBuild: EnvironmentVariables[1ENV] = "1ENV": ` + limits.EnvironmentVariable.Allowed,
			`invalid Scratch/BadBuild: EnvironmentVariables[AMPLIFY_DIFF_DEPLOY] = "AMPLIFY_DIFF_DEPLOY": starts with AMPLIFY_, which is Amplify's own (set the app root with AppRoot)`,
		}},
		{"build role", func() {
			hosting.NewBuildRole(scratch(), jsii.String("BadBuildRole"), &hosting.BuildRoleProps{ReadsOutputsOf: []string{"gatehouse-dev-auth", "arn:aws:cloudformation:x", ""}})
		}, []string{
			`invalid Scratch/BadBuildRole: ReadsOutputsOf[1] = "arn:aws:cloudformation:x": ` + limits.StackName.Allowed,
			`invalid Scratch/BadBuildRole: ReadsOutputsOf[2] = "": ` + limits.StackName.Allowed,
		}},
		{"build role without stacks", func() {
			hosting.NewBuildRole(scratch(), jsii.String("EmptyBuildRole"), &hosting.BuildRoleProps{})
		}, []string{
			`invalid Scratch/EmptyBuildRole: ReadsOutputsOf: is required: the stacks whose outputs the build reads (a build role with nothing to read is not needed)`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := problemsOf(t, c.build); !slices.Equal(got, c.want) {
				t.Errorf("\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
		})
	}
}

// TestPropsValidate: every props type checks itself without building anything; a nil or zero
// value is the defaults (valid where nothing is required); a bad one is a *limits.Error scoped to
// the props type, listing every problem.
func TestPropsValidate(t *testing.T) {
	valid := map[string]error{
		"auth":         (*auth.UserAuthProps)(nil).Validate(),
		"storage":      (*storage.UploadBucketProps)(nil).Validate(),
		"webpage":      (*rolechain.WebpageRoleProps)(nil).Validate(),
		"compute role": (*hosting.ComputeRoleProps)(nil).Validate(),
		"topic":        (*messaging.SecureTopicProps)(nil).Validate(),
	}
	for name, err := range valid {
		if err != nil {
			t.Errorf("%s: the defaults are refused: %v", name, err)
		}
	}
	for _, c := range []struct {
		err   error
		scope string
		lines int
	}{
		{(&storage.UploadBucketProps{AllowedOrigins: []string{"*"}, AccessLogExpirationDays: -1}).Validate(), storage.PropsScope, 2},
		{(&auth.UserAuthProps{MFA: "sms"}).Validate(), auth.PropsScope, 1},
		{(*rolechain.TrustRoleProps)(nil).Validate(), rolechain.PropsScope, 1},
		{(*assetfn.AssetFunctionProps)(nil).Validate(), assetfn.PropsScope, 1},
		{(*crossaccount.CrossAccountRoleProps)(nil).Validate(), crossaccount.PropsScope, 2},
		{(*hosting.AppProps)(nil).Validate(), "hosting.AppProps", 2},
		{(*delivery.ImageDistributionProps)(nil).Validate(), delivery.PropsScope, 2},
		{(*delivery.SignerProps)(nil).Validate(), delivery.SignerPropsScope, 3},
		{(*delivery.AccessLogsProps)(nil).Validate(), delivery.AccessLogsPropsScope, 1},
		{(*tokenapi.TokenAPIProps)(nil).Validate(), tokenapi.PropsScope, 5},
	} {
		var problems *limits.Error
		if !errors.As(c.err, &problems) || problems.Scope != c.scope || len(problems.Problems) != c.lines {
			t.Errorf("%s: Validate() = %v, want a *limits.Error of %s with %d problems", c.scope, c.err, c.scope, c.lines)
		}
	}
}

// TestGrantsRecordTheirOwnSuppressions: each grant of a prefix records, on the grantee's own
// policy, the suppression of exactly its wildcard, beside those already there.
func TestGrantsRecordTheirOwnSuppressions(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Grants"), nil)
	bucket := storage.NewUploadBucket(stack, jsii.String("Files"), nil)
	server := awsiam.NewRole(stack, jsii.String("Server"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	bucket.GrantRead(server, "reports/*")
	bucket.GrantReadWrite(server, "exports/*")
	policy := server.Node().FindChild(jsii.String("DefaultPolicy")).Node().DefaultChild().(awscdk.CfnResource)
	var got []string
	for _, r := range policy.GetMetadata(jsii.String("cdk_nag")).(map[string]any)["rules_to_suppress"].([]any) {
		rule := r.(map[string]any)
		got = append(got, fmt.Sprintf("%v %v", rule["id"], rule["applies_to"]))
	}
	want := []string{"AwsSolutions-IAM5 [Resource::<Files74647968.Arn>/reports/*]", "AwsSolutions-IAM5 [Resource::<Files74647968.Arn>/exports/*]"}
	if !slices.Equal(got, want) {
		t.Errorf("suppressions on the server's policy:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestBadDeliveryProps(t *testing.T) {
	pem := string(must(os.ReadFile(filepath.Join(repoRoot, "test/testdata/cdn-keys/key-1.pem"))))
	ec := string(must(os.ReadFile(filepath.Join(repoRoot, "test/testdata/cdn-keys/ec.pem"))))
	bucket := storage.NewUploadBucket(scratch(), jsii.String("Photos"), nil)
	// A bucket of another stack: its policy would name a distribution that needs the bucket.
	other := awscdk.NewStack(scratch().Node().Scope().(awscdk.App), jsii.String("Other"), nil)
	cases := []struct {
		name  string
		build func()
		want  []string
	}{
		{"distribution", func() {
			delivery.NewImageDistribution(scratch(), jsii.String("BadImages"), &delivery.ImageDistributionProps{
				Paths: []string{"protected", "a/*/"}, PublicKeys: []string{pem, ec, pem}, PriceClass: "cheap", DomainName: "images.example.com"})
		}, []string{
			`invalid Scratch/BadImages: Bucket: is required: the private bucket to serve (storage.UploadBucket.Bucket())`,
			`invalid Scratch/BadImages: Paths[0] = "protected": ` + limits.DeliveredPath.Allowed,
			`invalid Scratch/BadImages: Paths[1] = "a/*/": ` + limits.DeliveredPath.Allowed,
			`invalid Scratch/BadImages: PublicKeys = [3 keys]: must list 1 or 2 public keys: the one the signer uses first, and while rotating the other`,
			`invalid Scratch/BadImages: PublicKeys[1] = "<PEM text 1>": is a *ecdsa.PublicKey key; CloudFront takes only RSA keys`,
			`invalid Scratch/BadImages: PublicKeys[2] = "<PEM text 2>": is the same key as PublicKeys[0]; rotation needs two different keys`,
			`invalid Scratch/BadImages: PriceClass = "cheap": must be one of "PriceClass_100", "PriceClass_200", "PriceClass_All"`,
			`invalid Scratch/BadImages: CertificateArn: is required with DomainName (images.example.com): CloudFront serves a custom domain only with an ACM certificate for it in us-east-1`,
		}},
		{"a bucket of another stack", func() {
			delivery.NewImageDistribution(other, jsii.String("Images"), &delivery.ImageDistributionProps{Bucket: bucket.Bucket(), PublicKeys: []string{pem}})
		}, []string{
			`invalid Other/Images: Bucket = "Scratch/Photos/Resource": must be in this construct's stack: its policy names the distribution, which names the bucket (in two stacks, each would need the other deployed first)`,
		}},
		{"signer", func() {
			delivery.NewSigner(scratch(), jsii.String("BadSigner"), &delivery.SignerProps{SignatureTTLSeconds: 30})
		}, []string{
			"invalid Scratch/BadSigner: Code: is required: a directory with the signer's linux/arm64 `bootstrap` (make build puts it in build/functions/signer)",
			`invalid Scratch/BadSigner: Distribution: is required: the ImageDistribution whose keys sign`,
			`invalid Scratch/BadSigner: SignIn: is required: the sign-in construct (*auth.UserAuth) whose users get signatures`,
			`invalid Scratch/BadSigner: SignatureTTLSeconds = 30: must be a whole number of seconds from 60 to 3600`,
		}},
		{"token API", func() {
			tokenapi.NewTokenAPI(scratch(), jsii.String("BadAPI"), &tokenapi.TokenAPIProps{AllowedOrigins: []string{"*"}, Scopes: []string{"Read"},
				ThrottleRateLimit: 20000, ThrottleBurstLimit: 9000, AuthorizerCacheSeconds: new(int(-5)), LogRetentionDays: 42})
		}, []string{
			"invalid Scratch/BadAPI: AuthorizerCode: is required: a directory with the function's linux/arm64 `bootstrap` (make build)",
			"invalid Scratch/BadAPI: TokenServiceCode: is required: a directory with the function's linux/arm64 `bootstrap` (make build)",
			"invalid Scratch/BadAPI: HandlerCode: is required: a directory with the function's linux/arm64 `bootstrap` (make build)",
			`invalid Scratch/BadAPI: ItemsTable: is required: the items table the API serves`,
			`invalid Scratch/BadAPI: SignIn: is required: the sign-in construct (*auth.UserAuth) whose users the token service acts for`,
			`invalid Scratch/BadAPI: AllowedOrigins[0] = "*": has a wildcard: list each origin instead (an origin is "scheme://host[:port]", e.g. "https://app.example.com" or "http://localhost:3000")`,
			`invalid Scratch/BadAPI: Scopes[0] = "Read": ` + limits.Scope.Allowed,
			`invalid Scratch/BadAPI: ThrottleRateLimit = 20000: must be a whole number of requests per second from 1 to 10000`,
			`invalid Scratch/BadAPI: ThrottleBurstLimit = 9000: must be a whole number of requests from 1 to 5000`,
			`invalid Scratch/BadAPI: AuthorizerCacheSeconds = -5: must be a whole number of seconds (API Gateway caches an authorizer's answer at most an hour; 0 turns the cache off) from 0 to 3600`,
			`invalid Scratch/BadAPI: LogRetentionDays = 42: must be one of CloudWatch's retention periods: [1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 1096 1827 2192 2557 2922 3288 3653]`,
		}},
		{"access logs outside us-east-1", func() {
			logs := awscdk.NewStack(scratch().Node().Scope().(awscdk.App), jsii.String("Logs"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}})
			delivery.NewAccessLogs(logs, jsii.String("AccessLogs"), &delivery.AccessLogsProps{DistributionID: jsii.String("E123"), ExpirationDays: 5000})
		}, []string{
			`invalid Logs/AccessLogs: ExpirationDays = 5000: must be a whole number of days from 1 to 3650`,
		}},
		{"access logs in another region", func() {
			logs := awscdk.NewStack(scratch().Node().Scope().(awscdk.App), jsii.String("Logs2"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("eu-west-1")}})
			delivery.NewAccessLogs(logs, jsii.String("AccessLogs"), &delivery.AccessLogsProps{DistributionID: jsii.String("E123")})
		}, []string{
			`invalid Logs2/AccessLogs: stack region = "eu-west-1": must be us-east-1: CloudFront delivers access logs only from there (give the stack env.region us-east-1)`,
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := problemsOf(t, c.build); !slices.Equal(got, c.want) {
				t.Errorf("\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
		})
	}
}
