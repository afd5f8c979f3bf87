// Package stacks composes gatehouse's constructs into stacks, and the stacks into one Stage per
// environment (a sandbox's too); the delivery pipeline (NewPipeline) deploys those same stages,
// and the guardrails stack of each account (NewGuardrails) holds the permissions boundary every
// role of them carries and the deploy's execution policy. Stacks hold no logic of their own
// beyond wiring and outputs.
package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/accessrules"
	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/app/webconfig"
	"github.com/gatehouse-cdk/gatehouse/constructs/assetfn"
	"github.com/gatehouse-cdk/gatehouse/constructs/auth"
	"github.com/gatehouse-cdk/gatehouse/constructs/crossaccount"
	"github.com/gatehouse-cdk/gatehouse/constructs/delivery"
	"github.com/gatehouse-cdk/gatehouse/constructs/hosting"
	"github.com/gatehouse-cdk/gatehouse/constructs/messaging"
	"github.com/gatehouse-cdk/gatehouse/constructs/rolechain"
	"github.com/gatehouse-cdk/gatehouse/constructs/storage"
	"github.com/gatehouse-cdk/gatehouse/constructs/tokenapi"
	"github.com/gatehouse-cdk/gatehouse/internal/stateful"
)

// Options are what a stage is built from besides its configuration.
type Options struct {
	// ItemsFunctionDir holds the items function's linux/arm64 `bootstrap` (make build).
	ItemsFunctionDir string
	// SignerFunctionDir holds the signer function's (make build); used when delivery is on.
	SignerFunctionDir string
	// AuthorizerFunctionDir, TokenServiceFunctionDir and APIFunctionDir hold the token API's
	// functions (make build); used when the api is on.
	AuthorizerFunctionDir, TokenServiceFunctionDir, APIFunctionDir string
	// Built, when set, is called after each part of the stage is built, with its name (auth,
	// hosting, uploads, server, delivery, crossaccount): make bench times them.
	Built func(part string)
}

func (o Options) built(part string) {
	if o.Built != nil {
		o.Built(part)
	}
}

// Where `make build` puts the functions, relative to the repository.
const (
	ItemsFunctionDir        = "build/functions/items"
	SignerFunctionDir       = "build/functions/signer"
	AuthorizerFunctionDir   = "build/functions/authorizer"
	TokenServiceFunctionDir = "build/functions/tokens"
	APIFunctionDir          = "build/functions/api"
)

// The managed Amplify app's build: the repository folder holding the web app (amplify.yml's
// appRoot), and the variable naming the environment whose stacks' outputs the build reads.
const (
	WebAppRoot       = "web"
	BuildEnvVariable = "GATEHOUSE_ENV"
)

// Construct ids that decide the logical ids of stateful resources. Changing one replaces the
// resource (and loses its data); tests pin the resulting logical ids.
const (
	AuthStackID         = "Auth"
	UploadsStackID      = "Uploads"
	ServerStackID       = "Server"
	CrossAccountStackID = "CrossAccount"
	HostingStackID      = "Hosting"
	DeliveryStackID     = "Delivery"
	DeliveryLogsStackID = "DeliveryLogs"
	APIStackID          = "API"
	distributionID      = "Images"
	userAuthID          = "SignIn"
	uploadBucketID      = "Uploads"
)

// EnvironmentStage is one environment's stage and what callers reach into: its stacks (by
// construct id: Auth, Uploads, Server, Hosting, CrossAccount) and the constructs whose
// resources other stacks, outputs or tests name.
type EnvironmentStage struct {
	Stage awscdk.Stage
	// env is the configuration the stage was built from.
	env config.Environment
	// Stacks by construct id; Hosting, CrossAccount, Delivery and DeliveryLogs only when
	// configured.
	Stacks map[string]awscdk.Stack

	Auth    *auth.UserAuth
	Uploads *storage.UploadBucket
	Items   awsdynamodb.TableV2
	ItemsFn *assetfn.AssetFunction
	Webpage *rolechain.WebpageRole
	Trust   *rolechain.TrustRole
	// CrossAccount is nil unless configured.
	CrossAccount *crossaccount.CrossAccountRole
	// ComputeRole and Feedback are nil unless amplify is configured; AmplifyApp also in
	// role-only mode.
	ComputeRole *hosting.ComputeRole
	Feedback    *messaging.SecureTopic
	AmplifyApp  *hosting.App
	// otherServers are the roles besides the webpage role that the web app's server runs as and
	// that may assume the trust role: the app's compute role with amplify.assumeTrustRole, a
	// branch's own compute role with its assumeTrustRole, and the developer roles.
	otherServers []awsiam.IRole
	// API is nil unless the api is configured.
	API *tokenapi.TokenAPI
	// Images, Signer and DeliveryLogs are nil unless delivery is configured.
	Images       *delivery.ImageDistribution
	Signer       *delivery.Signer
	DeliveryLogs *delivery.AccessLogs
}

// newStack adds the stack <id> of the stage, named gatehouse-<env>-<what>.
func (s *EnvironmentStage) newStack(id, env, what, description string, stackEnv *awscdk.Environment) awscdk.Stack {
	stack := awscdk.NewStack(s.Stage, jsii.String(id), &awscdk.StackProps{
		StackName:   jsii.String(contract.StackName(env, what)),
		Description: jsii.String("gatehouse " + env + ": " + description),
		Env:         stackEnv,
	})
	s.Stacks[id] = stack
	return stack
}

// NewEnvironmentStage builds the stage of env (already validated by package config) under scope.
func NewEnvironmentStage(scope constructs.Construct, env config.Environment, options Options) *EnvironmentStage {
	var awsEnv awscdk.Environment
	awsEnv.Region = jsii.String(env.Region)
	if env.Account != "" {
		awsEnv.Account = jsii.String(env.Account)
	}
	// Every role of the stage carries the permissions boundary (package deploypolicy), which the
	// execution policy requires of every role it creates.
	stage := awscdk.NewStage(scope, jsii.String(env.Name), &awscdk.StageProps{Env: &awsEnv, PermissionsBoundary: boundary()})
	awscdk.Tags_Of(stage).Add(jsii.String("application"), jsii.String(contract.Application), nil)
	awscdk.Tags_Of(stage).Add(jsii.String("environment"), jsii.String(env.Name), nil)
	s := &EnvironmentStage{Stage: stage, Stacks: map[string]awscdk.Stack{}, env: env}

	authStack := s.newStack(AuthStackID, env.Name, contract.Auth, "Cognito user pool, web client and identity pool", nil)
	groups := make([]auth.Group, len(env.Groups))
	for i, g := range env.Groups {
		groups[i] = auth.Group{Name: g.Name, Precedence: g.Precedence}
	}
	s.Auth = auth.NewUserAuth(authStack, jsii.String(userAuthID), &auth.UserAuthProps{
		DisableSelfSignUp:          !env.SelfSignUp,
		FeaturePlan:                auth.FeaturePlan(env.FeaturePlan),
		MFA:                        auth.MFA(env.MFA),
		OwnerKey:                   env.OwnerKey,
		AllowGuests:                env.AllowGuests,
		AccessTokenValidityMinutes: env.AccessTokenValidityMinutes,
		IDTokenValidityMinutes:     env.IDTokenValidityMinutes,
		RefreshTokenValidityDays:   env.RefreshTokenValidityDays,
		Groups:                     groups,
		Email:                      (*auth.Email)(env.Email),
	})
	output(authStack, contract.Region, authStack.Region(), "AWS region of the deployment")
	output(authStack, contract.UserPoolID, s.Auth.UserPool().UserPoolId(), "Cognito user pool id (auth.user_pool_id)")
	output(authStack, contract.UserPoolClientID, s.Auth.WebClient().UserPoolClientId(), "Web app client id (auth.user_pool_client_id)")
	output(authStack, contract.IdentityPoolID, s.Auth.IdentityPool().IdentityPoolId(), "Cognito identity pool id (auth.identity_pool_id)")
	output(authStack, contract.GuestsEnabled, jsii.String(fmt.Sprint(s.Auth.GuestsAllowed())), "Whether guests get identities (auth.unauthenticated_identities_enabled)")
	output(authStack, contract.SelfSignUp, jsii.String(fmt.Sprint(s.Auth.SelfSignUpAllowed())), "Whether visitors may create accounts (custom.self_sign_up_enabled: the sign-in page shows sign-up)")
	output(authStack, contract.MfaConfiguration, jsii.String(string(s.Auth.MFA())), "MFA: off, optional or required (auth.mfa_configuration)")
	output(authStack, contract.OwnerKey, jsii.String(s.Auth.OwnerKey()), "What names a user's folder, items and tokens: identityId or sub (custom.owner_key)")
	options.built(contract.Auth)

	// Hosting first: the upload bucket's CORS rule allows the managed app's branch origins.
	if env.Amplify != nil {
		s.addHosting(env)
		options.built(contract.Hosting)
	}
	var hostedOrigins []*string
	if s.AmplifyApp != nil {
		hostedOrigins = s.AmplifyApp.BranchOrigins()
	}

	uploadsStack := s.newStack(UploadsStackID, env.Name, contract.Uploads, "upload bucket with per-identity folders, and its access-log bucket", nil)
	maxAge := env.CorsMaxAgeSeconds
	s.Uploads = storage.NewUploadBucket(uploadsStack, jsii.String(uploadBucketID), &storage.UploadBucketProps{
		AllowedOrigins:                  env.AllowedOrigins,
		HostedOrigins:                   hostedOrigins,
		AccessRules:                     accessrules.Reference(),
		SignIn:                          s.Auth,
		KMSEncryption:                   env.UploadEncryption == "kms",
		NoncurrentVersionExpirationDays: env.NoncurrentVersionExpirationDays,
		AccessLogExpirationDays:         env.AccessLogExpirationDays,
		CorsMaxAgeSeconds:               &maxAge,
	})
	output(uploadsStack, contract.UploadBucketName, s.Uploads.Bucket().BucketName(), "Upload bucket name (storage.bucket_name)")
	options.built(contract.Uploads)

	s.addServer(env, options)
	options.built(contract.Server)
	if env.Delivery != nil {
		s.addDelivery(env, options)
		options.built(contract.Delivery)
	}
	if env.API != nil {
		s.addAPI(env, options)
		options.built(contract.API)
	}
	if env.CrossAccount != nil {
		s.addCrossAccount(env)
		options.built(contract.CrossAccount)
	}
	if env.DestroyData {
		destroyData(stage)
	}
	return s
}

// addHosting builds the Amplify Hosting SSR compute role(s), the feedback topic the app role
// publishes to, and the managed app with its branches unless roleOnly.
func (s *EnvironmentStage) addHosting(env config.Environment) {
	a := env.Amplify
	st := s.newStack(HostingStackID, env.Name, contract.Hosting, "Amplify Hosting SSR compute roles and the feedback topic", nil)
	s.Feedback = messaging.NewSecureTopic(st, jsii.String("Feedback"), &messaging.SecureTopicProps{DisplayName: "gatehouse feedback"})
	s.ComputeRole = hosting.NewComputeRole(st, jsii.String("ComputeRole"), &hosting.ComputeRoleProps{
		RestrictToApp: a.RestrictTrust, AppID: a.AppID,
	})
	s.Feedback.GrantPublish(s.ComputeRole.Role())
	if a.AssumeTrustRole {
		s.otherServers = append(s.otherServers, s.ComputeRole.Role())
	}
	output(st, contract.ComputeRoleArn, s.ComputeRole.Role().RoleArn(), "Amplify SSR compute role (app-wide; set it in the console in role-only mode)")
	output(st, contract.FeedbackTopicArn, s.Feedback.Topic().TopicArn(), "Feedback topic the SSR runtime publishes to (FEEDBACK_TOPIC_ARN)")
	build := hosting.NewBuildRole(st, jsii.String("BuildRole"), &hosting.BuildRoleProps{ReadsOutputsOf: webconfig.SourceStacks(env.Name)})
	output(st, contract.BuildRoleArn, build.Role().RoleArn(), "Amplify build role: the app's service role (set it in the console in role-only mode)")
	if a.RoleOnly {
		return
	}
	var branches []hosting.BranchProps
	for _, b := range a.Branches {
		branch := hosting.BranchProps{Name: b.Name, Stage: b.Stage}
		if b.OwnRole {
			id := "ComputeRole" + contract.BranchID(b.Name)
			role := hosting.NewComputeRole(st, jsii.String(id), &hosting.ComputeRoleProps{
				Description:   "Amplify SSR compute role of branch " + b.Name,
				RestrictToApp: a.RestrictTrust, Branch: b.Name,
			}).Role()
			if b.PublishFeedback {
				s.Feedback.GrantPublish(role)
			}
			if b.AssumeTrustRole {
				s.otherServers = append(s.otherServers, role)
			}
			branch.ComputeRole = role
			output(st, contract.BranchComputeRoleArn(b.Name), role.RoleArn(), "SSR compute role of branch "+b.Name)
		}
		branches = append(branches, branch)
	}
	s.AmplifyApp = hosting.NewApp(st, jsii.String("App"), &hosting.AppProps{
		Name: a.AppName, ComputeRole: s.ComputeRole.Role(), Branches: branches,
		Repository: a.Repository, AccessTokenSecretName: a.AccessTokenSecret,
		BuildRole: build.Role(), AppRoot: WebAppRoot, EnvironmentVariables: map[string]string{BuildEnvVariable: env.Name},
	})
	output(st, contract.AmplifyAppID, s.AmplifyApp.AppID(), "Amplify app id")
	output(st, contract.AmplifyDefaultDomain, s.AmplifyApp.DefaultDomain(), "Amplify app default domain")
}

// addServer builds the server-side role chain: webpage role -> trust role -> items function
// -> items table.
func (s *EnvironmentStage) addServer(env config.Environment, options Options) {
	st := s.newStack(ServerStackID, env.Name, contract.Server, "webpage role -> trust role -> items function -> items table", nil)
	s.Items = stateful.Table(st, "Items", awsdynamodb.TablePropsV2{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("owner"), Type: awsdynamodb.AttributeType_STRING},
		SortKey:      &awsdynamodb.Attribute{Name: jsii.String("id"), Type: awsdynamodb.AttributeType_STRING},
	})
	s.ItemsFn = assetfn.NewAssetFunction(st, jsii.String("ItemsFunction"), &assetfn.AssetFunctionProps{
		Code:            awslambda.Code_FromAsset(jsii.String(options.ItemsFunctionDir), nil),
		Description:     "gatehouse items API: put, get and list a caller's items",
		Environment:     map[string]string{"TABLE_NAME": *s.Items.TableName()},
		VerifiesUsersOf: s.Auth,
	})
	// What functions/items calls, no more.
	s.ItemsFn.GrantTableCalls(s.Items, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query")
	s.Webpage = rolechain.NewWebpageRole(st, jsii.String("WebpageRole"), nil)
	// The web app's server publishes feedback with its runtime's own credentials: on ECS the
	// webpage role's, as on Amplify Hosting the compute role's (make test-calls proves each call
	// of the web server's unit tests against both).
	if s.Feedback != nil {
		s.Feedback.GrantPublish(s.Webpage.Role())
	}
	for i, arn := range env.DeveloperRoleArns {
		s.otherServers = append(s.otherServers, awsiam.Role_FromRoleArn(st, jsii.String(fmt.Sprintf("DeveloperRole%d", i)), jsii.String(arn),
			&awsiam.FromRoleArnOptions{Mutable: jsii.Bool(false)}))
	}
	s.Trust = rolechain.NewTrustRole(st, jsii.String("TrustRole"), &rolechain.TrustRoleProps{
		Webpage:                s.Webpage.Role(),
		OtherServers:           s.otherServers,
		SessionName:            env.SessionName,
		SessionDurationSeconds: env.SessionDurationSeconds,
	})
	s.Trust.GrantInvoke(s.ItemsFn.Function())

	output(st, contract.WebpageRoleArn, s.Webpage.Role().RoleArn(), "ECS task role of the Next.js page")
	output(st, contract.TrustRoleArn, s.Trust.Role().RoleArn(), "Role the Next.js server assumes (TRUST_ROLE_ARN)")
	output(st, contract.SessionName, jsii.String(env.SessionName), "Role session name it must use (ROLE_SESSION_NAME)")
	output(st, contract.SessionDurationSeconds, jsii.String(fmt.Sprint(env.SessionDurationSeconds)), "Session duration to request (SESSION_DURATION_SECONDS)")
	output(st, contract.AssetFunctionName, s.ItemsFn.Function().FunctionName(), "Items function name (ASSET_FUNCTION_NAME)")
	output(st, contract.AssetFunctionArn, s.ItemsFn.Function().FunctionArn(), "Items function ARN (ASSET_FUNCTION_ARN)")
	output(st, contract.ItemsTableName, s.Items.TableName(), "Items table name")
}

// addDelivery builds private image delivery: the distribution beside the upload bucket (whose
// policy names it), the signer and its key's secret in the delivery stack (invoked through the
// trust role), and the access logs in us-east-1.
func (s *EnvironmentStage) addDelivery(env config.Environment, options Options) {
	d := env.Delivery
	uploads := s.Stacks[UploadsStackID]
	s.Images = delivery.NewImageDistribution(uploads, jsii.String(distributionID), &delivery.ImageDistributionProps{
		Bucket:         s.Uploads.Bucket(),
		EncryptionKey:  s.Uploads.EncryptionKey(),
		PublicKeys:     d.PublicKeyPEMs,
		PriceClass:     d.PriceClass,
		DomainName:     d.DomainName,
		CertificateArn: d.CertificateArn,
	})
	output(uploads, contract.CdnDomain, s.Images.ViewerDomain(), "Domain the images are served from (CDN_DOMAIN)")
	output(uploads, contract.DistributionID, s.Images.Distribution().DistributionId(), "CloudFront distribution id")

	st := s.newStack(DeliveryStackID, env.Name, contract.Delivery, "signer function and the secret of the image distribution's signing key", nil)
	s.Signer = delivery.NewSigner(st, jsii.String("Signer"), &delivery.SignerProps{
		Code:                awslambda.Code_FromAsset(jsii.String(options.SignerFunctionDir), nil),
		Distribution:        s.Images,
		SignIn:              s.Auth,
		SignatureTTLSeconds: d.SignatureTTLSeconds,
	})
	s.Trust.GrantInvoke(s.Signer.Function())
	output(st, contract.SignerFunctionName, s.Signer.Function().FunctionName(), "Signer function name (SIGNER_FUNCTION_NAME)")
	output(st, contract.SignerFunctionArn, s.Signer.Function().FunctionArn(), "Signer function ARN")
	output(st, contract.SigningKeySecretArn, s.Signer.Secret().SecretArn(), "Secret to store the private signing key in (make cdn-key prints the command)")

	var logsEnv awscdk.Environment
	logsEnv.Region = jsii.String(delivery.LogsRegion)
	if env.Account != "" {
		logsEnv.Account = jsii.String(env.Account)
	}
	logs := s.newStack(DeliveryLogsStackID, env.Name, contract.DeliveryLogs, "access logs of the image distribution (CloudFront delivers them from us-east-1)", &logsEnv)
	s.DeliveryLogs = delivery.NewAccessLogs(logs, jsii.String("AccessLogs"), &delivery.AccessLogsProps{
		// Read from the uploads stack in another region: a weak reference (Fn::GetStackOutput).
		DistributionID: awscdk.Stack_ConsumeReference(s.Images.Distribution().DistributionId(), awscdk.ReferenceStrength_WEAK),
		ExpirationDays: d.LogExpirationDays,
	})
	output(logs, contract.DeliveryLogBucket, s.DeliveryLogs.Bucket().BucketName(), "Bucket of the image distribution's access logs")
}

// addAPI builds the token-authorized API over the items table; the trust role may invoke its
// token service.
func (s *EnvironmentStage) addAPI(env config.Environment, options Options) {
	a := env.API
	st := s.newStack(APIStackID, env.Name, contract.API, "token-authorized API over the items, its token table and token service", nil)
	code := func(dir string) awslambda.Code { return awslambda.Code_FromAsset(jsii.String(dir), nil) }
	s.API = tokenapi.NewTokenAPI(st, jsii.String("TokenApi"), &tokenapi.TokenAPIProps{
		AuthorizerCode:          code(options.AuthorizerFunctionDir),
		TokenServiceCode:        code(options.TokenServiceFunctionDir),
		HandlerCode:             code(options.APIFunctionDir),
		ItemsTable:              s.Items,
		SignIn:                  s.Auth,
		AllowedOrigins:          a.AllowedOrigins,
		Scopes:                  a.Scopes,
		ThrottleRateLimit:       a.ThrottleRateLimit,
		ThrottleBurstLimit:      a.ThrottleBurstLimit,
		AuthorizerCacheSeconds:  a.AuthorizerCacheSeconds,
		MaxActiveTokensPerOwner: a.MaxActiveTokensPerOwner,
		ExecutionLogging:        a.ExecutionLogging,
	})
	s.API.GrantIssue(s.Trust.Role())
	output(st, contract.APIURL, s.API.URL(), "The token API's URL (API_URL)")
	output(st, contract.TokenServiceFunctionName, s.API.TokenService().FunctionName(), "Token service function name (TOKEN_SERVICE_FUNCTION_NAME)")
	output(st, contract.TokenTableName, s.API.Table().TableName(), "Token table name")
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
	st := s.newStack(CrossAccountStackID, env.Name, contract.CrossAccount, "role account "+c.TrustedAccountID+" assumes with an external id, and what it may use", &stackEnv)
	exchange := storage.NewUploadBucket(st, jsii.String("Exchange"), &storage.UploadBucketProps{
		NoncurrentVersionExpirationDays: env.NoncurrentVersionExpirationDays,
		AccessLogExpirationDays:         env.AccessLogExpirationDays,
	})
	topic := messaging.NewSecureTopic(st, jsii.String("PartnerEvents"), &messaging.SecureTopicProps{DisplayName: "gatehouse partner events"})
	s.CrossAccount = crossaccount.NewCrossAccountRole(st, jsii.String("PartnerRole"), &crossaccount.CrossAccountRoleProps{
		TrustedAccountID:          c.TrustedAccountID,
		ExternalID:                c.ExternalID,
		TrustedRoleName:           c.TrustedRoleName,
		SessionName:               c.SessionName,
		MaxSessionDurationSeconds: c.MaxSessionDurationSeconds,
	})
	exchange.GrantRead(s.CrossAccount.Role(), ExchangePrefix+"*")
	topic.GrantPublish(s.CrossAccount.Role())
	output(st, contract.CrossAccountRoleArn, s.CrossAccount.Role().RoleArn(), "Role the other account assumes (CROSS_ACCOUNT_ROLE_ARN)")
	output(st, contract.ExchangeBucketName, exchange.Bucket().BucketName(), "Bucket whose "+ExchangePrefix+" the other account reads")
	output(st, contract.PartnerTopicArn, topic.Topic().TopicArn(), "Topic the other account publishes to")
}

// ExchangePrefix is the folder of the exchange bucket the other account may read.
const ExchangePrefix = "outbox/"

func output(stack awscdk.Stack, key string, value *string, description string) {
	awscdk.NewCfnOutput(stack, jsii.String(key), &awscdk.CfnOutputProps{
		Value:       value,
		Description: jsii.String(description),
	})
}
