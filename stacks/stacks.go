// Package stacks composes gatehouse's constructs into stacks, and the stacks into one Stage per
// environment. Stacks hold no logic of their own beyond wiring and outputs.
package stacks

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/gatehouse-cdk/gatehouse/config"
	"github.com/gatehouse-cdk/gatehouse/constructs/assetfn"
	"github.com/gatehouse-cdk/gatehouse/constructs/auth"
	"github.com/gatehouse-cdk/gatehouse/constructs/crossaccount"
	"github.com/gatehouse-cdk/gatehouse/constructs/hosting"
	"github.com/gatehouse-cdk/gatehouse/constructs/messaging"
	"github.com/gatehouse-cdk/gatehouse/constructs/rolechain"
	"github.com/gatehouse-cdk/gatehouse/constructs/storage"
)

// Application is the value of the `application` tag and the prefix of stack names.
const Application = "gatehouse"

// Output keys: the CloudFormation output names the web app's configuration is read from
// (`cdk deploy --outputs-file`). They are a public contract; do not rename them.
const (
	OutputRegion           = "Region"
	OutputUserPoolID       = "UserPoolId"
	OutputUserPoolClientID = "UserPoolClientId"
	OutputIdentityPoolID   = "IdentityPoolId"
	OutputUploadBucketName = "UploadBucketName"
	OutputGuestsEnabled    = "GuestsEnabled"
	OutputMfaConfiguration = "MfaConfiguration"

	OutputWebpageRoleArn         = "WebpageRoleArn"
	OutputTrustRoleArn           = "TrustRoleArn"
	OutputSessionName            = "RoleSessionName"
	OutputSessionDurationSeconds = "SessionDurationSeconds"
	OutputAssetFunctionName      = "AssetFunctionName"
	OutputAssetFunctionArn       = "AssetFunctionArn"
	OutputItemsTableName         = "ItemsTableName"
	OutputCrossAccountRoleArn    = "CrossAccountRoleArn"
	OutputExchangeBucketName     = "ExchangeBucketName"
	OutputPartnerTopicArn        = "PartnerTopicArn"
)

// Output keys of the hosting stack.
const (
	OutputComputeRoleArn       = "ComputeRoleArn"
	OutputFeedbackTopicArn     = "FeedbackTopicArn"
	OutputAmplifyAppID         = "AmplifyAppId"
	OutputAmplifyDefaultDomain = "AmplifyDefaultDomain"
)

// OutputBranchComputeRoleArn is the output key of a branch's own compute role.
func OutputBranchComputeRoleArn(branch string) string {
	return "ComputeRoleArn" + regexp.MustCompile(`[^A-Za-z0-9]`).ReplaceAllString(branch, "")
}

// Assets are the built artefacts the stacks deploy.
type Assets struct {
	// ItemsFunctionDir holds the items function's linux/arm64 `bootstrap` (make build).
	ItemsFunctionDir string
}

// ItemsFunctionDir is where `make build` puts the items function, relative to the repository.
const ItemsFunctionDir = "build/functions/items"

// Construct ids that decide the logical ids of stateful resources. Changing one replaces the
// resource (and loses its data); tests pin the resulting logical ids.
const (
	AuthStackID         = "Auth"
	UploadsStackID      = "Uploads"
	ServerStackID       = "Server"
	CrossAccountStackID = "CrossAccount"
	HostingStackID      = "Hosting"
	userAuthID          = "SignIn"
	uploadBucketID      = "Uploads"
)

// EnvironmentStage is one environment's stacks.
type EnvironmentStage struct {
	Stage        awscdk.Stage
	AuthStack    awscdk.Stack
	UploadsStack awscdk.Stack
	Auth         *auth.UserAuth
	Uploads      *storage.UploadBucket
	ServerStack  awscdk.Stack
	Items        awsdynamodb.TableV2
	ItemsFn      *assetfn.AssetFunction
	Webpage      *rolechain.WebpageRole
	Trust        *rolechain.TrustRole
	// CrossAccountStack and CrossAccount are nil unless configured.
	CrossAccountStack awscdk.Stack
	CrossAccount      *crossaccount.CrossAccountRole
	// HostingStack and its parts are nil unless amplify is configured.
	HostingStack awscdk.Stack
	ComputeRole  *hosting.ComputeRole
	Feedback     *messaging.SecureTopic
	AmplifyApp   *hosting.App
}

// StackName is the CloudFormation stack name of a stack of env: gatehouse-<env>-<what>.
func StackName(env, what string) string { return Application + "-" + env + "-" + what }

// NewEnvironmentStage builds the stage of env (already validated by package config) under scope.
func NewEnvironmentStage(scope constructs.Construct, env config.Environment, assets Assets) *EnvironmentStage {
	var awsEnv awscdk.Environment
	awsEnv.Region = jsii.String(env.Region)
	if env.Account != "" {
		awsEnv.Account = jsii.String(env.Account)
	}
	stage := awscdk.NewStage(scope, jsii.String(env.Name), &awscdk.StageProps{Env: &awsEnv})
	awscdk.Tags_Of(stage).Add(jsii.String("application"), jsii.String(Application), nil)
	awscdk.Tags_Of(stage).Add(jsii.String("environment"), jsii.String(env.Name), nil)
	s := &EnvironmentStage{Stage: stage}

	s.AuthStack = awscdk.NewStack(stage, jsii.String(AuthStackID), &awscdk.StackProps{
		StackName:   jsii.String(StackName(env.Name, "auth")),
		Description: jsii.String("gatehouse " + env.Name + ": Cognito user pool, web client and identity pool"),
	})
	groups := make([]auth.Group, len(env.Groups))
	for i, g := range env.Groups {
		groups[i] = auth.Group{Name: g.Name, Precedence: g.Precedence}
	}
	s.Auth = auth.NewUserAuth(s.AuthStack, jsii.String(userAuthID), &auth.UserAuthProps{
		DisableSelfSignUp:          !env.SelfSignUp,
		FeaturePlan:                auth.FeaturePlan(env.FeaturePlan),
		MFA:                        auth.MFA(env.MFA),
		AllowGuests:                env.AllowGuests,
		AccessTokenValidityMinutes: env.AccessTokenValidityMinutes,
		IDTokenValidityMinutes:     env.IDTokenValidityMinutes,
		RefreshTokenValidityDays:   env.RefreshTokenValidityDays,
		Groups:                     groups,
		Email:                      (*auth.Email)(env.Email),
	})
	output(s.AuthStack, OutputRegion, s.AuthStack.Region(), "AWS region of the deployment")
	output(s.AuthStack, OutputUserPoolID, s.Auth.UserPool().UserPoolId(), "Cognito user pool id (auth.user_pool_id)")
	output(s.AuthStack, OutputUserPoolClientID, s.Auth.WebClient().UserPoolClientId(), "Web app client id (auth.user_pool_client_id)")
	output(s.AuthStack, OutputIdentityPoolID, s.Auth.IdentityPool().IdentityPoolId(), "Cognito identity pool id (auth.identity_pool_id)")
	output(s.AuthStack, OutputGuestsEnabled, jsii.String(fmt.Sprint(s.Auth.GuestsAllowed())), "Whether guests get identities (auth.unauthenticated_identities_enabled)")
	output(s.AuthStack, OutputMfaConfiguration, jsii.String(string(s.Auth.MFA())), "MFA: off, optional or required (auth.mfa_configuration)")

	// Hosting first: the upload bucket's CORS rule allows the managed app's branch origins.
	if env.Amplify != nil {
		s.addHosting(env)
	}
	var hostedOrigins []*string
	if s.AmplifyApp != nil {
		hostedOrigins = s.AmplifyApp.BranchOrigins()
	}

	s.UploadsStack = awscdk.NewStack(stage, jsii.String(UploadsStackID), &awscdk.StackProps{
		StackName:   jsii.String(StackName(env.Name, "uploads")),
		Description: jsii.String("gatehouse " + env.Name + ": upload bucket with per-identity folders, and its access-log bucket"),
	})
	maxAge := env.CorsMaxAgeSeconds
	s.Uploads = storage.NewUploadBucket(s.UploadsStack, jsii.String(uploadBucketID), &storage.UploadBucketProps{
		AllowedOrigins: env.AllowedOrigins,
		HostedOrigins:  hostedOrigins,
		AccessRules:    ReferenceAccessRules(),
		Roles: storage.AccessRoles{
			Authenticated: s.Auth.AuthenticatedRole(),
			Guest:         s.Auth.GuestRole(),
			Groups:        s.Auth.GroupRoles(),
		},
		KMSEncryption:                   env.UploadEncryption == "kms",
		NoncurrentVersionExpirationDays: env.NoncurrentVersionExpirationDays,
		AccessLogExpirationDays:         env.AccessLogExpirationDays,
		CorsMaxAgeSeconds:               &maxAge,
	})
	output(s.UploadsStack, OutputUploadBucketName, s.Uploads.Bucket().BucketName(), "Upload bucket name (storage.bucket_name)")

	s.addServer(env, assets)
	if env.CrossAccount != nil {
		s.addCrossAccount(env)
	}
	return s
}

// addHosting builds the Amplify Hosting SSR compute role(s), the feedback topic the app role
// publishes to, and the managed app with its branches unless roleOnly.
func (s *EnvironmentStage) addHosting(env config.Environment) {
	a := env.Amplify
	s.HostingStack = awscdk.NewStack(s.Stage, jsii.String(HostingStackID), &awscdk.StackProps{
		StackName:   jsii.String(StackName(env.Name, "hosting")),
		Description: jsii.String("gatehouse " + env.Name + ": Amplify Hosting SSR compute roles and the feedback topic"),
	})
	st := s.HostingStack
	s.Feedback = messaging.NewSecureTopic(st, jsii.String("Feedback"), &messaging.SecureTopicProps{DisplayName: "gatehouse feedback"})
	s.ComputeRole = hosting.NewComputeRole(st, jsii.String("ComputeRole"), &hosting.ComputeRoleProps{
		RestrictToApp: a.RestrictTrust, AppID: a.AppID,
	})
	s.ComputeRole.GrantPublish(s.Feedback.Topic())
	output(st, OutputComputeRoleArn, s.ComputeRole.Role().RoleArn(), "Amplify SSR compute role (app-wide; set it in the console in role-only mode)")
	output(st, OutputFeedbackTopicArn, s.Feedback.Topic().TopicArn(), "Feedback topic the SSR runtime publishes to (FEEDBACK_TOPIC_ARN)")
	if a.RoleOnly {
		return
	}
	var branches []hosting.BranchProps
	for _, b := range a.Branches {
		branch := hosting.BranchProps{Name: b.Name, Stage: b.Stage}
		if b.OwnRole {
			id := "ComputeRole" + regexp.MustCompile(`[^A-Za-z0-9]`).ReplaceAllString(b.Name, "")
			branch.ComputeRole = hosting.NewComputeRole(st, jsii.String(id), &hosting.ComputeRoleProps{
				Description:   "Amplify SSR compute role of branch " + b.Name,
				RestrictToApp: a.RestrictTrust, Branch: b.Name,
			})
			if b.PublishFeedback {
				branch.ComputeRole.GrantPublish(s.Feedback.Topic())
			}
			output(st, OutputBranchComputeRoleArn(b.Name), branch.ComputeRole.Role().RoleArn(), "SSR compute role of branch "+b.Name)
		}
		branches = append(branches, branch)
	}
	s.AmplifyApp = hosting.NewApp(st, jsii.String("App"), &hosting.AppProps{
		Name: a.AppName, ComputeRole: s.ComputeRole, Branches: branches,
		Repository: a.Repository, AccessTokenSecretName: a.AccessTokenSecret,
	})
	output(st, OutputAmplifyAppID, s.AmplifyApp.AppID(), "Amplify app id")
	output(st, OutputAmplifyDefaultDomain, s.AmplifyApp.DefaultDomain(), "Amplify app default domain")
}

// addServer builds the server-side role chain: webpage role -> trust role -> items function
// -> items table.
func (s *EnvironmentStage) addServer(env config.Environment, assets Assets) {
	s.ServerStack = awscdk.NewStack(s.Stage, jsii.String(ServerStackID), &awscdk.StackProps{
		StackName:   jsii.String(StackName(env.Name, "server")),
		Description: jsii.String("gatehouse " + env.Name + ": webpage role -> trust role -> items function -> items table"),
	})
	s.Items = awsdynamodb.NewTableV2(s.ServerStack, jsii.String("Items"), &awsdynamodb.TablePropsV2{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("owner"), Type: awsdynamodb.AttributeType_STRING},
		SortKey:      &awsdynamodb.Attribute{Name: jsii.String("id"), Type: awsdynamodb.AttributeType_STRING},
		Billing:      awsdynamodb.Billing_OnDemand(nil),
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection: jsii.Bool(true),
		Encryption:         awsdynamodb.TableEncryptionV2_AwsManagedKey(),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN,
	})
	s.ItemsFn = assetfn.NewAssetFunction(s.ServerStack, jsii.String("ItemsFunction"), &assetfn.AssetFunctionProps{
		Code:        awslambda.Code_FromAsset(jsii.String(assets.ItemsFunctionDir), nil),
		Description: "gatehouse items API: put, get and list a caller's items",
		Environment: map[string]string{"TABLE_NAME": *s.Items.TableName()},
	})
	s.ItemsFn.GrantTableReadWrite(s.Items)
	s.Webpage = rolechain.NewWebpageRole(s.ServerStack, jsii.String("WebpageRole"), nil)
	s.Trust = rolechain.NewTrustRole(s.ServerStack, jsii.String("TrustRole"), &rolechain.TrustRoleProps{
		Webpage:                s.Webpage,
		SessionName:            env.SessionName,
		SessionDurationSeconds: env.SessionDurationSeconds,
	})
	s.Trust.AllowInvoke(s.ItemsFn.Function())

	st := s.ServerStack
	output(st, OutputWebpageRoleArn, s.Webpage.Role().RoleArn(), "ECS task role of the Next.js page")
	output(st, OutputTrustRoleArn, s.Trust.Role().RoleArn(), "Role the Next.js server assumes (TRUST_ROLE_ARN)")
	output(st, OutputSessionName, jsii.String(env.SessionName), "Role session name it must use (ROLE_SESSION_NAME)")
	output(st, OutputSessionDurationSeconds, jsii.String(fmt.Sprint(env.SessionDurationSeconds)), "Session duration to request (SESSION_DURATION_SECONDS)")
	output(st, OutputAssetFunctionName, s.ItemsFn.Function().FunctionName(), "Items function name (ASSET_FUNCTION_NAME)")
	output(st, OutputAssetFunctionArn, s.ItemsFn.Function().FunctionArn(), "Items function ARN (ASSET_FUNCTION_ARN)")
	output(st, OutputItemsTableName, s.Items.TableName(), "Items table name")
}

// addCrossAccount builds the stack another account uses through the cross-account role: an
// exchange bucket it reads outbox/ of, and a topic it publishes to.
func (s *EnvironmentStage) addCrossAccount(env config.Environment) {
	c := env.CrossAccount
	var stackEnv awscdk.Environment
	stackEnv.Region = jsii.String(env.Region)
	if c.Region != "" {
		stackEnv.Region = jsii.String(c.Region)
	}
	if c.Account != "" {
		stackEnv.Account = jsii.String(c.Account)
	} else if env.Account != "" {
		stackEnv.Account = jsii.String(env.Account)
	}
	s.CrossAccountStack = awscdk.NewStack(s.Stage, jsii.String(CrossAccountStackID), &awscdk.StackProps{
		StackName:   jsii.String(StackName(env.Name, "crossaccount")),
		Description: jsii.String("gatehouse " + env.Name + ": role account " + c.TrustedAccountID + " assumes with an external id, and what it may use"),
		Env:         &stackEnv,
	})
	exchange := storage.NewUploadBucket(s.CrossAccountStack, jsii.String("Exchange"), &storage.UploadBucketProps{
		NoncurrentVersionExpirationDays: env.NoncurrentVersionExpirationDays,
		AccessLogExpirationDays:         env.AccessLogExpirationDays,
	})
	topic := messaging.NewSecureTopic(s.CrossAccountStack, jsii.String("PartnerEvents"), &messaging.SecureTopicProps{DisplayName: "gatehouse partner events"})
	s.CrossAccount = crossaccount.NewCrossAccountRole(s.CrossAccountStack, jsii.String("PartnerRole"), &crossaccount.CrossAccountRoleProps{
		TrustedAccountID:          c.TrustedAccountID,
		ExternalID:                c.ExternalID,
		TrustedRoleName:           c.TrustedRoleName,
		SessionName:               c.SessionName,
		MaxSessionDurationSeconds: c.MaxSessionDurationSeconds,
	})
	s.CrossAccount.GrantReadPrefix(exchange.Bucket(), ExchangePrefix)
	topic.GrantPublish(s.CrossAccount.Role())
	st := s.CrossAccountStack
	output(st, OutputCrossAccountRoleArn, s.CrossAccount.Role().RoleArn(), "Role the other account assumes (CROSS_ACCOUNT_ROLE_ARN)")
	output(st, OutputExchangeBucketName, exchange.Bucket().BucketName(), "Bucket whose "+ExchangePrefix+" the other account reads")
	output(st, OutputPartnerTopicArn, topic.Topic().TopicArn(), "Topic the other account publishes to")
}

// ExchangePrefix is the folder of the exchange bucket the other account may read.
const ExchangePrefix = "outbox/"

// ReferenceAccessRules are the reference app's access rules: each signed-in identity owns
// protected/<identity id>/; nothing for other identities, nothing for guests.
func ReferenceAccessRules() []storage.AccessRule {
	return []storage.AccessRule{storage.OwnerProtectedRule()}
}

func output(stack awscdk.Stack, key string, value *string, description string) {
	awscdk.NewCfnOutput(stack, jsii.String(key), &awscdk.CfnOutputProps{
		Value:       value,
		Description: jsii.String(description),
	})
}

// ApplyChecks adds cdk-nag's AwsSolutions rules to everything under scope. Aspects do not cross
// Stage boundaries, so the checks are added to scope and to every Stage below it: call this after
// the stages are built.
func ApplyChecks(scope constructs.IConstruct) {
	// No CSV reports: findings are read back from the assembly (NagFindings); the report
	// logger costs time and memory on every rule of every resource.
	checks := cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(false)})
	awscdk.Aspects_Of(scope).Add(checks, nil)
	addToStages(scope, checks)
}

// addToStages adds the checks to every Stage below c. Stages sit above stacks, so the walk does
// not descend into stacks (it makes a jsii call per construct it looks at).
func addToStages(c constructs.IConstruct, checks awscdk.IAspect) {
	for _, child := range *c.Node().Children() {
		if *awscdk.Stack_IsStack(child) {
			continue
		}
		if *awscdk.Stage_IsStage(child) {
			awscdk.Aspects_Of(child).Add(checks, nil)
		}
		addToStages(child, checks)
	}
}

// NagFindings lists the unsuppressed cdk-nag findings (errors and warnings) of every stack in a
// synthesized assembly, nested stages included, one line each: "<stack>: <level> <finding>".
// The CDK CLI fails on errors only; gatehouse treats warnings as findings too.
func NagFindings(assembly cxapi.CloudAssembly) []string {
	var findings []string
	for _, stack := range *assembly.StacksRecursively() {
		for _, m := range *stack.Messages() {
			if m.Level != cxapi.SynthesisMessageLevel_ERROR && m.Level != cxapi.SynthesisMessageLevel_WARNING {
				continue
			}
			text := fmt.Sprint(m.Entry.Data)
			if strings.HasPrefix(text, "AwsSolutions-") {
				findings = append(findings, fmt.Sprintf("%s: %s %s %s", *stack.HierarchicalId(), m.Level, *m.Id, firstLine(text)))
			}
		}
	}
	sort.Strings(findings)
	return findings
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
