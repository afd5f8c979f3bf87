// Package tokenapi builds an API that scripts and partners call with a token instead of AWS
// credentials: a regional REST API whose Lambda TOKEN authorizer looks each request's token up
// in a token table, an integration over the items, and the token service that issues tokens,
// invoked only through the role chain.
//
// Why each default is safe:
//   - Only a token's SHA-256 is stored (the partition key); the token is returned once by the
//     token service and is never stored or logged. Tokens carry a recognisable prefix (secret
//     scanners find leaked ones) and 256 random bits (package apitokens).
//   - API Gateway refuses a malformed Authorization header (the validation regex) before the
//     authorizer runs. The authorizer checks expiry itself (DynamoDB's TTL deletes late) and the
//     revoked flag; every refusal is the same 401. Its answer is cached for
//     AuthorizerCacheSeconds (60 s by default) and covers the whole stage, so a cached answer for
//     one route never denies another (the cached-authorizer trap). A revoke flushes the stage's
//     cache, so a revoked token stops within seconds (at most the cache's time if the flush
//     fails); the handler refuses an expired token from the second it expires, cached or not.
//   - The authorizer's role may GetItem on the token table and nothing else; the token service's
//     may PutItem and UpdateItem on it, Query its owner index and flush this stage's authorizer
//     cache (apigateway:DELETE of that one path), no Scan, no DeleteItem, no table or API
//     changes; the API handler's may GetItem, Query and PutItem on the items table. Each
//     has its own log group. API Gateway may invoke the authorizer and the handler only for this
//     API (Lambda permissions on its ARN); only the role given to GrantIssue may invoke the
//     token service.
//   - The owner of an item is the token's owner, from the authorizer's context, never anything
//     in the request.
//   - The token service acts for signed-in users: it is told their sign-in
//     (assetfn.AssetFunctionProps.VerifiesUsersOf), verifies the caller's Cognito ID token
//     itself and derives the owner from it, so the tokens it issues, lists and revokes are the
//     token holder's own; it trusts no payload's claim about the user, and a holder of the
//     trust role cannot act for a user whose token it does not have.
//   - An owner holds at most MaxActiveTokensPerOwner current tokens (20 by default).
//   - The stage is throttled; JSON access logs, naming the owner of each request's token (never
//     the token), go to a retained log group with retention;
//     execution logging is off by default (it can record headers); no API keys; CORS only for
//     the origins given.
//   - The token table is on-demand with point-in-time recovery, deletion protection, retained,
//     AWS-managed encryption; expired tokens are removed by TTL.
package tokenapi

import (
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
	"github.com/gatehouse-cdk/gatehouse/constructs/assetfn"
	"github.com/gatehouse-cdk/gatehouse/internal/guard"
	"github.com/gatehouse-cdk/gatehouse/internal/nag"
	"github.com/gatehouse-cdk/gatehouse/internal/stateful"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// StageName is the API's one stage: its URL ends in /v1/.
const StageName = "v1"

// TokenAPIProps configure NewTokenAPI.
type TokenAPIProps struct {
	// AuthorizerCode is the authorizer's code (functions/authorizer built for linux/arm64).
	// Required.
	AuthorizerCode awslambda.Code
	// TokenServiceCode is the token service's code (functions/tokens). Required.
	TokenServiceCode awslambda.Code
	// HandlerCode is the API handler's code (functions/api). Required.
	HandlerCode awslambda.Code
	// ItemsTable is the items table the API serves (partition key owner, sort key id).
	// Required.
	ItemsTable awsdynamodb.ITableV2
	// SignIn is the sign-in whose users the token service acts for: it verifies their ID
	// tokens (the user pool, its web client) and names owners by its owner key (the identity
	// pool's identity id, or the sub) (*auth.UserAuth). Required.
	SignIn assetfn.SignIn
	// AllowedOrigins may call the API from browsers (CORS). Default none.
	AllowedOrigins []string
	// Scopes tokens may carry (limits.Scope each). Default apitokens.Scopes.
	Scopes []string
	// ThrottleRateLimit is the stage's steady requests per second. Default 50; 1 to 10000
	// (limits.APIThrottleRateLimit).
	ThrottleRateLimit int
	// ThrottleBurstLimit is the stage's burst, in requests. Default 100; 1 to 5000
	// (limits.APIThrottleBurstLimit).
	ThrottleBurstLimit int
	// AuthorizerCacheSeconds is how long API Gateway reuses the authorizer's answer for a token.
	// Default 60 (nil); 0 to 3600, 0 turning the cache off (limits.AuthorizerCacheSeconds). A
	// revoke flushes the cache, so this bounds only how long a revoked token works when the
	// flush fails; an expired token is refused by the handler from the second it expires.
	AuthorizerCacheSeconds *int
	// MaxActiveTokensPerOwner is how many current tokens one owner may hold; the token service
	// refuses to issue more. Default 20; 1 to 1000 (limits.MaxActiveTokens).
	MaxActiveTokensPerOwner int
	// ExecutionLogging turns on execution logs (errors only, no request or response data).
	// Default false.
	ExecutionLogging bool
	// LogRetentionDays of the access logs and the functions' logs (limits.LogRetentionDays).
	// Default limits.LogRetentionDays.Default (90).
	LogRetentionDays int
}

// PropsScope names TokenAPIProps in errors of Validate.
const PropsScope = "tokenapi.TokenAPIProps"

func (p *TokenAPIProps) withDefaults() TokenAPIProps {
	q := guard.Copy(p)
	if len(q.Scopes) == 0 {
		q.Scopes = apitokens.Scopes
	}
	q.ThrottleRateLimit = limits.APIThrottleRateLimit.Or(q.ThrottleRateLimit)
	q.ThrottleBurstLimit = limits.APIThrottleBurstLimit.Or(q.ThrottleBurstLimit)
	q.AuthorizerCacheSeconds = limits.AuthorizerCacheSeconds.OrNil(q.AuthorizerCacheSeconds)
	q.MaxActiveTokensPerOwner = limits.MaxActiveTokens.Or(q.MaxActiveTokensPerOwner)
	q.LogRetentionDays = limits.LogRetentionDays.Or(q.LogRetentionDays)
	return q
}

// Validate reports every problem of p as a *limits.Error.
func (p *TokenAPIProps) Validate() error {
	q := p.withDefaults()
	ps := limits.NewProblems(PropsScope)
	for _, c := range []struct {
		name string
		code awslambda.Code
	}{{"AuthorizerCode", q.AuthorizerCode}, {"TokenServiceCode", q.TokenServiceCode}, {"HandlerCode", q.HandlerCode}} {
		if c.code == nil {
			ps.Add(c.name, nil, "is required: a directory with the function's linux/arm64 `bootstrap` (make build)")
		}
	}
	if q.ItemsTable == nil {
		ps.Add("ItemsTable", nil, "is required: the items table the API serves")
	}
	if q.SignIn == nil {
		ps.Add("SignIn", nil, "is required: the sign-in construct (*auth.UserAuth) whose users the token service acts for")
	}
	if len(q.AllowedOrigins) > 0 {
		limits.Origins(ps, "AllowedOrigins", q.AllowedOrigins)
	}
	limits.Scopes(ps, "Scopes", q.Scopes)
	limits.APIThrottleRateLimit.Check(ps, "ThrottleRateLimit", q.ThrottleRateLimit)
	limits.APIThrottleBurstLimit.Check(ps, "ThrottleBurstLimit", q.ThrottleBurstLimit)
	limits.AuthorizerCacheSeconds.Check(ps, "AuthorizerCacheSeconds", *q.AuthorizerCacheSeconds)
	limits.MaxActiveTokens.Check(ps, "MaxActiveTokensPerOwner", q.MaxActiveTokensPerOwner)
	limits.LogRetentionDays.Check(ps, "LogRetentionDays", q.LogRetentionDays)
	return ps.Err()
}

// TokenAPI is the API, its token table and its three functions.
type TokenAPI struct {
	constructs.Construct
	api          awsapigateway.RestApi
	table        awsdynamodb.TableV2
	authorizer   *assetfn.AssetFunction
	tokenService *assetfn.AssetFunction
	handler      *assetfn.AssetFunction
	accessLogs   awslogs.LogGroup
}

// NewTokenAPI validates props and builds the API.
func NewTokenAPI(scope constructs.Construct, id *string, props *TokenAPIProps) *TokenAPI {
	guard.Check(scope, id, props.Validate())
	p := props.withDefaults()
	a := &TokenAPI{}
	constructs.NewConstruct_Override(a, scope, id)

	a.table = stateful.Table(a, "Tokens", awsdynamodb.TablePropsV2{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(apitokens.AttrHash), Type: awsdynamodb.AttributeType_STRING},
		GlobalSecondaryIndexes: &[]*awsdynamodb.GlobalSecondaryIndexPropsV2{{
			IndexName:        jsii.String(apitokens.OwnerIndex),
			PartitionKey:     &awsdynamodb.Attribute{Name: jsii.String(apitokens.AttrOwner), Type: awsdynamodb.AttributeType_STRING},
			SortKey:          &awsdynamodb.Attribute{Name: jsii.String(apitokens.AttrCreated), Type: awsdynamodb.AttributeType_NUMBER},
			ProjectionType:   awsdynamodb.ProjectionType_INCLUDE,
			NonKeyAttributes: jsii.Strings(apitokens.AttrScopes, apitokens.AttrExpiresAt, apitokens.AttrRevoked),
		}},
		TimeToLiveAttribute: jsii.String(apitokens.AttrExpiresAt),
	})
	tableName := *a.table.TableName()
	a.authorizer = assetfn.NewAssetFunction(a, jsii.String("Authorizer"), &assetfn.AssetFunctionProps{
		Code: p.AuthorizerCode, Description: "gatehouse token API authorizer: looks a token's hash up in the token table",
		Environment: map[string]string{"TOKEN_TABLE_NAME": tableName}, LogRetentionDays: p.LogRetentionDays,
	})
	a.authorizer.Role().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ReadOneToken"), Actions: jsii.Strings("dynamodb:GetItem"), Resources: &[]*string{a.table.TableArn()},
	}))
	a.handler = assetfn.NewAssetFunction(a, jsii.String("Handler"), &assetfn.AssetFunctionProps{
		Code: p.HandlerCode, Description: "gatehouse token API: the items of the token's owner",
		Environment:      map[string]string{"TABLE_NAME": *p.ItemsTable.TableName(), "ALLOWED_ORIGINS": strings.Join(p.AllowedOrigins, ",")},
		LogRetentionDays: p.LogRetentionDays,
	})
	// What the handler's routes do, no more: no Scan, no DeleteItem, no batches.
	a.handler.GrantTableCalls(p.ItemsTable, "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem")

	a.accessLogs = awslogs.NewLogGroup(a, jsii.String("AccessLogs"), &awslogs.LogGroupProps{RemovalPolicy: awscdk.RemovalPolicy_RETAIN})
	a.accessLogs.Node().DefaultChild().(awslogs.CfnLogGroup).SetRetentionInDays(jsii.Number(float64(p.LogRetentionDays)))
	logging := awsapigateway.MethodLoggingLevel_OFF
	if p.ExecutionLogging {
		logging = awsapigateway.MethodLoggingLevel_ERROR
	}
	apiProps := &awsapigateway.RestApiProps{
		Description:   jsii.String("gatehouse token API: " + *a.Node().Path()),
		EndpointTypes: &[]awsapigateway.EndpointType{awsapigateway.EndpointType_REGIONAL},
		// API Gateway writes logs only with an account-wide CloudWatch role; retained, as it is
		// the account's setting, not this API's.
		CloudWatchRole:              jsii.Bool(true),
		CloudWatchRoleRemovalPolicy: awscdk.RemovalPolicy_RETAIN,
		DeployOptions: &awsapigateway.StageOptions{
			StageName:            jsii.String(StageName),
			ThrottlingRateLimit:  jsii.Number(float64(p.ThrottleRateLimit)),
			ThrottlingBurstLimit: jsii.Number(float64(p.ThrottleBurstLimit)),
			AccessLogDestination: awsapigateway.NewLogGroupLogDestination(a.accessLogs),
			AccessLogFormat:      accessLogFormat(),
			LoggingLevel:         logging,
			DataTraceEnabled:     jsii.Bool(false),
			MetricsEnabled:       jsii.Bool(true),
		},
	}
	if len(p.AllowedOrigins) > 0 {
		apiProps.DefaultCorsPreflightOptions = &awsapigateway.CorsOptions{
			AllowOrigins: jsii.Strings(p.AllowedOrigins...),
			AllowMethods: jsii.Strings("GET", "PUT"),
			AllowHeaders: jsii.Strings("Authorization", "Content-Type"),
		}
	}
	a.api = awsapigateway.NewRestApi(a, jsii.String("Api"), apiProps)

	a.tokenService = assetfn.NewAssetFunction(a, jsii.String("TokenService"), &assetfn.AssetFunctionProps{
		Code: p.TokenServiceCode, Description: "gatehouse token service: issues, lists and revokes an owner's API tokens",
		Environment: map[string]string{
			"TOKEN_TABLE_NAME": tableName, "TOKEN_SCOPES": strings.Join(p.Scopes, ","),
			limits.EnvMaxActiveTokens:        strconv.Itoa(p.MaxActiveTokensPerOwner),
			limits.EnvTokenAPIID:             *a.api.RestApiId(),
			limits.EnvTokenAPIStage:          StageName,
			limits.EnvAuthorizerCacheSeconds: strconv.Itoa(*p.AuthorizerCacheSeconds),
		},
		VerifiesUsersOf:  p.SignIn,
		LogRetentionDays: p.LogRetentionDays,
	})
	a.tokenService.Role().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("WriteTokens"), Actions: jsii.Strings("dynamodb:PutItem", "dynamodb:UpdateItem"), Resources: &[]*string{a.table.TableArn()},
	}))
	// A revoke flushes this stage's authorizer cache (FlushStageAuthorizersCache is a DELETE of
	// exactly this path), so a revoked token stops working within seconds. Nothing else of API
	// Gateway: not the API, the stage, or another API's cache.
	stack := awscdk.Stack_Of(a)
	a.tokenService.Role().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("FlushAuthorizerCache"), Actions: jsii.Strings("apigateway:DELETE"),
		Resources: jsii.Strings("arn:" + *stack.Partition() + ":apigateway:" + *stack.Region() + "::/restapis/" + *a.api.RestApiId() + "/stages/" + StageName + "/cache/authorizers"),
	}))
	ownerIndex := *a.table.TableArn() + "/index/" + apitokens.OwnerIndex
	a.tokenService.Role().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ListOwnersTokens"), Actions: jsii.Strings("dynamodb:Query"), Resources: jsii.Strings(ownerIndex),
	}))

	authorizer := awsapigateway.NewTokenAuthorizer(a, jsii.String("TokenAuthorizer"), &awsapigateway.TokenAuthorizerProps{
		Handler:         a.authorizer.Function(),
		IdentitySource:  jsii.String("method.request.header.Authorization"),
		ValidationRegex: jsii.String(apitokens.HeaderPattern),
		ResultsCacheTtl: awscdk.Duration_Seconds(jsii.Number(float64(*p.AuthorizerCacheSeconds))),
	})
	integration := awsapigateway.NewLambdaIntegration(a.handler.Function(), &awsapigateway.LambdaIntegrationOptions{
		Proxy: jsii.Bool(true), AllowTestInvoke: jsii.Bool(false),
	})
	method := &awsapigateway.MethodOptions{AuthorizationType: awsapigateway.AuthorizationType_CUSTOM, Authorizer: authorizer}
	itemsResource := a.api.Root().AddResource(jsii.String("items"), nil)
	itemsResource.AddMethod(jsii.String("GET"), integration, method)
	item := itemsResource.AddResource(jsii.String("{id}"), nil)
	item.AddMethod(jsii.String("GET"), integration, method)
	item.AddMethod(jsii.String("PUT"), integration, method)

	// API Gateway's own answers (the authorizer's 401, a throttled 429) carry no CORS headers, so
	// a browser sees them as network errors. They can name one fixed origin: with exactly one,
	// they do; with several, a browser sees only the routes' own answers' status.
	if len(p.AllowedOrigins) == 1 {
		headers := map[string]*string{
			"Access-Control-Allow-Origin": jsii.String("'" + p.AllowedOrigins[0] + "'"),
			"Vary":                        jsii.String("'Origin'"),
		}
		// In a fixed order: the deployment's logical id hashes the API's content.
		a.api.AddGatewayResponse(jsii.String("Default4xx"), &awsapigateway.GatewayResponseOptions{Type: awsapigateway.ResponseType_DEFAULT_4XX(), ResponseHeaders: &headers})
		a.api.AddGatewayResponse(jsii.String("Default5xx"), &awsapigateway.GatewayResponseOptions{Type: awsapigateway.ResponseType_DEFAULT_5XX(), ResponseHeaders: &headers})
	}
	a.suppressFindings(len(p.AllowedOrigins) > 0)
	return a
}

// accessLogFormat is one JSON line per request: the standard fields, and the owner of the token
// that made it (the authorizer's principal id; empty when the authorizer refused), never the
// token. The IAM caller and user fields are left out: every request here comes with a token.
func accessLogFormat() awsapigateway.AccessLogFormat {
	fields := []struct {
		name  string
		value *string
	}{
		{"requestId", awsapigateway.AccessLogField_ContextRequestId()},
		{"ip", awsapigateway.AccessLogField_ContextIdentitySourceIp()},
		{"requestTime", awsapigateway.AccessLogField_ContextRequestTime()},
		{"httpMethod", awsapigateway.AccessLogField_ContextHttpMethod()},
		{"resourcePath", awsapigateway.AccessLogField_ContextResourcePath()},
		{"status", awsapigateway.AccessLogField_ContextStatus()},
		{"protocol", awsapigateway.AccessLogField_ContextProtocol()},
		{"responseLength", awsapigateway.AccessLogField_ContextResponseLength()},
		{"owner", awsapigateway.AccessLogField_ContextAuthorizerPrincipalId()},
	}
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = strconv.Quote(f.name) + ":" + strconv.Quote(*f.value)
	}
	return awsapigateway.AccessLogFormat_Custom(jsii.String("{" + strings.Join(parts, ",") + "}"))
}

func (a *TokenAPI) suppressFindings(cors bool) {
	nag.Suppress(a.api.DeploymentStage().Node().DefaultChild(), nag.Suppression{ID: "AwsSolutions-APIG6",
		Reason: "Execution logging is off by default because it can record request headers, tokens among them; JSON access logs record every request."},
		nag.Suppression{ID: "AwsSolutions-APIG3",
			Reason: "Every route needs a current token of the token table, and the stage is throttled; a WAF would filter requests the authorizer already refuses."})
	nag.Suppress(a.api.Node().DefaultChild(), nag.Suppression{ID: "AwsSolutions-APIG2",
		Reason: "The handler validates every body and answers 400 naming the bad field; an API Gateway model would answer first without naming it."})
	for _, child := range *a.api.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		cfn, ok := child.(awsapigateway.CfnMethod)
		if !ok {
			continue
		}
		suppressions := []nag.Suppression{{ID: "AwsSolutions-COG4",
			Reason: "The API authorizes tokens for scripts and partners (the token authorizer), on purpose not Cognito user pool sessions."}}
		if cors && *cfn.HttpMethod() == "OPTIONS" {
			suppressions = append(suppressions, nag.Suppression{ID: "AwsSolutions-APIG4",
				Reason: "A CORS preflight carries no credentials and reaches no integration (a mock answering with the allowed origins)."})
		}
		nag.Suppress(cfn, suppressions...)
	}
	if role := a.api.Node().TryFindChild(jsii.String("CloudWatchRole")); role != nil {
		nag.Suppress(role, nag.Suppression{ID: "AwsSolutions-IAM4", AppliesTo: []string{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"},
			Reason: "API Gateway's account-wide logging role, which it needs to write any log; AWS maintains this policy for exactly that service."})
	}
}

// GrantIssue lets role invoke the token service (e.g. the trust role of the role chain), through
// the function's own resource policy: the role's stack then needs nothing of the API's.
func (a *TokenAPI) GrantIssue(role awsiam.IRole) {
	a.tokenService.Function().AddPermission(jsii.String("InvokedBy"+*role.Node().Id()), &awslambda.Permission{
		Principal: awsiam.NewArnPrincipal(role.RoleArn()),
		Action:    jsii.String("lambda:InvokeFunction"),
	})
}

// Api is the REST API.
func (a *TokenAPI) Api() awsapigateway.RestApi { return a.api }

// URL is the stage's URL (https://<api id>.execute-api.<region>.amazonaws.com/v1/).
func (a *TokenAPI) URL() *string { return a.api.Url() }

// Table is the token table.
func (a *TokenAPI) Table() awsdynamodb.ITableV2 { return a.table }

// TokenService is the token service function.
func (a *TokenAPI) TokenService() awslambda.IFunction { return a.tokenService.Function() }

// AuthorizerRole, TokenServiceRole and HandlerRole are the functions' execution roles.
func (a *TokenAPI) AuthorizerRole() awsiam.IRole   { return a.authorizer.Role() }
func (a *TokenAPI) TokenServiceRole() awsiam.IRole { return a.tokenService.Role() }
func (a *TokenAPI) HandlerRole() awsiam.IRole      { return a.handler.Role() }
