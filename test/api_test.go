package test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/internal/logicalids"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// Logical ids of the token API's resources (the token table is pinned in logical_ids_test.go).
const (
	restAPI          = "TokenApiAFB708A6"
	tokenAuthorizer  = "TokenApiTokenAuthorizer68D6E37B"
	apiStage         = "TokenApiDeploymentStagev1F22BC785"
	tokenTable       = logicalids.TokenTable
	authorizerFn     = "TokenApiAuthorizer4BBC4D37"
	authorizerRole   = "TokenApiAuthorizerRoleBAE8A173"
	tokenServiceFn   = "TokenApiTokenService6BEDC781"
	tokenServiceRole = "TokenApiTokenServiceRole56ED0B72"
	apiHandlerFn     = "TokenApiHandlerCE1DFC64"
	apiHandlerRole   = "TokenApiHandlerRoleB7DA9443"
	apiAccessLogs    = "TokenApiAccessLogs5B8C5833"
)

// apiSettings are each environment's API settings as its config gives them.
var apiSettings = map[string]struct {
	rate, burst, cacheTTL, maxTokens int
	logging, scopes                  string
	cors                             bool
}{
	"dev":  {50, 100, 60, 20, "OFF", "read,write", true},
	"prod": {20, 40, 60, 20, "OFF", "read,write", false},
	"full": {5, 10, 0, 5, "ERROR", "read,write,audit", true},
}

// apiAccessLogFormat: one JSON line per request, with the owner of the token that made it (the
// authorizer's principal id), never the token; no IAM caller or user fields.
const apiAccessLogFormat = `{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","requestTime":"$context.requestTime",` +
	`"httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol",` +
	`"responseLength":"$context.responseLength","owner":"$context.authorizer.principalId"}`

// TestTokenAPI: a regional REST API; a TOKEN authorizer on the Authorization header with the
// token pattern and the configured cache; every route behind it, no API keys; the stage
// throttled, JSON access logs to a retained log group, execution logging off unless configured.
func TestTokenAPI(t *testing.T) {
	r := referenceApp()
	for env, want := range apiSettings {
		tmpl := r.check(t, env+"/API")
		tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::RestApi"), M{"EndpointConfiguration": M{"Types": []any{"REGIONAL"}}})
		tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Authorizer"), M{
			"Type": "TOKEN", "IdentitySource": "method.request.header.Authorization",
			"IdentityValidationExpression": apitokens.HeaderPattern, "AuthorizerResultTtlInSeconds": want.cacheTTL,
			"RestApiId": M{"Ref": restAPI},
		})
		// Every route (all but CORS preflights) needs the authorizer; none takes an API key.
		routes := M{"AuthorizationType": "CUSTOM", "AuthorizerId": M{"Ref": tokenAuthorizer}, "ApiKeyRequired": assertions.Match_Absent(),
			"Integration": M{"Type": "AWS_PROXY"}}
		for _, method := range []string{"GET", "PUT"} {
			tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Method"), M{"HttpMethod": method, "AuthorizationType": "CUSTOM"})
		}
		tmpl.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), routes, jsii.Number(3))
		preflights := 0
		if want.cors {
			preflights = 3
		}
		tmpl.ResourcePropertiesCountIs(jsii.String("AWS::ApiGateway::Method"), M{"HttpMethod": "OPTIONS"}, jsii.Number(float64(preflights)))
		tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::Method"), jsii.Number(float64(3+preflights)))
		tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::ApiKey"), jsii.Number(0))
		tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::Stage"), M{
			"StageName": "v1",
			"MethodSettings": []any{M{"HttpMethod": "*", "ResourcePath": "/*", "DataTraceEnabled": false, "LoggingLevel": want.logging,
				"MetricsEnabled": true, "ThrottlingRateLimit": want.rate, "ThrottlingBurstLimit": want.burst}},
			"AccessLogSetting": M{"DestinationArn": arnOf(apiAccessLogs), "Format": apiAccessLogFormat},
		})
		tmpl.HasResource(jsii.String("AWS::Logs::LogGroup"), M{"DeletionPolicy": "Retain", "Properties": M{"RetentionInDays": 90}})
		tmpl.ResourcePropertiesCountIs(jsii.String("AWS::Logs::LogGroup"), M{"RetentionInDays": 90}, jsii.Number(4))
		for key, value := range map[string]any{contract.APIURL: assertions.Match_AnyValue(), contract.TokenServiceFunctionName: M{"Ref": tokenServiceFn},
			contract.TokenTableName: M{"Ref": tokenTable}} {
			tmpl.HasOutput(jsii.String(key), M{"Value": value})
		}
		// The token service: its table, its scopes, its cap, the stage whose authorizer cache a
		// revoke flushes (and that cache's time, which a revoke reports if the flush fails), and
		// the sign-in whose users it acts for (it verifies their ID tokens: the auth stack's user
		// pool, web client and identity pool, read through its outputs).
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), M{"Environment": M{"Variables": assertions.Match_ObjectEquals(withOwnerKey(env, M{
			"TOKEN_TABLE_NAME":               M{"Ref": tokenTable},
			"TOKEN_SCOPES":                   want.scopes,
			limits.EnvMaxActiveTokens:        strconv.Itoa(want.maxTokens),
			limits.EnvTokenAPIID:             M{"Ref": restAPI},
			limits.EnvTokenAPIStage:          "v1",
			limits.EnvAuthorizerCacheSeconds: strconv.Itoa(want.cacheTTL),
			limits.EnvUserPoolID:             authOutput(env, "PublishOutputRefSignInUserPoolA2C003D1709FDFED"),
			limits.EnvUserPoolClientID:       authOutput(env, "PublishOutputRefSignInUserPoolWebClient9BA5B3B3E3D74A23"),
			limits.EnvIdentityPoolID:         authOutput(env, "PublishOutputRefSignInIdentityPool9123F5A75987E121"),
		}))}, "Role": arnOf(tokenServiceRole)})
	}
}

// TestTokenTable: the hash is the key; an owner index with what listing shows; expiry as TTL;
// on-demand, point-in-time recovery, deletion protection, retained.
func TestTokenTable(t *testing.T) {
	r := referenceApp()
	for env := range apiSettings {
		r.check(t, env+"/API").HasResource(jsii.String("AWS::DynamoDB::GlobalTable"), M{
			"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
			"Properties": M{
				"KeySchema":               []any{M{"AttributeName": "tokenHash", "KeyType": "HASH"}},
				"BillingMode":             "PAY_PER_REQUEST",
				"TimeToLiveSpecification": M{"AttributeName": "expiresAt", "Enabled": true},
				"SSESpecification":        M{"SSEEnabled": true, "SSEType": "KMS"},
				"GlobalSecondaryIndexes": []any{M{"IndexName": "byOwner",
					"KeySchema":  []any{M{"AttributeName": "owner", "KeyType": "HASH"}, M{"AttributeName": "created", "KeyType": "RANGE"}},
					"Projection": M{"ProjectionType": "INCLUDE", "NonKeyAttributes": []any{"scopes", "expiresAt", "revoked"}}}},
				"Replicas": []any{M{"Region": regionOf[env], "DeletionProtectionEnabled": true,
					"PointInTimeRecoverySpecification": M{"PointInTimeRecoveryEnabled": true},
					"GlobalSecondaryIndexes":           assertions.Match_AnyValue(), "Tags": assertions.Match_AnyValue()}},
			},
		})
	}
}

// TestTokenAPIRoles: each function's role holds exactly what its code needs, and its own log
// group; the Lambda permissions name this API, and only the trust role may invoke the token
// service.
func TestTokenAPIRoles(t *testing.T) {
	r := referenceApp()
	for env := range apiSettings {
		tmpl := r.check(t, env+"/API")
		for role, statements := range map[string][]any{
			authorizerRole: {M{"Sid": "ReadOneToken", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": arnOf(tokenTable)}},
			tokenServiceRole: {
				M{"Sid": "WriteTokens", "Effect": "Allow", "Action": []any{"dynamodb:PutItem", "dynamodb:UpdateItem"}, "Resource": arnOf(tokenTable)},
				M{"Sid": "FlushAuthorizerCache", "Effect": "Allow", "Action": "apigateway:DELETE",
					"Resource": M{"Fn::Join": []any{"", []any{"arn:aws:apigateway:" + regionOf[env] + "::/restapis/", M{"Ref": restAPI}, "/stages/v1/cache/authorizers"}}}},
				M{"Sid": "ListOwnersTokens", "Effect": "Allow", "Action": "dynamodb:Query", "Resource": M{"Fn::Join": []any{"", []any{arnOf(tokenTable), "/index/byOwner"}}}},
			},
			apiHandlerRole: {M{"Effect": "Allow", "Action": []any{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"},
				"Resource": M{"Fn::GetStackOutput": M{"StackName": "gatehouse-" + env + "-server", "Region": regionOf[env], "OutputName": "PublishOutputFnGetAttItems5C12978BArn3282FA1F"}}}},
		} {
			tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), M{"PolicyDocument": policyOf(statements...), "Roles": []any{M{"Ref": role}}})
		}
		// Per function: its data policy and its log policy; the logging role has only AWS's policy.
		tmpl.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(6))
		tmpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(4))
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), M{
			"AssumeRolePolicyDocument": policyOf(M{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": M{"Service": "apigateway.amazonaws.com"}}),
			"ManagedPolicyArns":        []any{M{"Fn::Join": []any{"", []any{"arn:", M{"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"}}}},
		})
		api := M{"Ref": restAPI}
		executeAPI := func(rest ...any) M {
			return M{"Fn::Join": []any{"", append([]any{"arn:aws:execute-api:" + regionOf[env] + ":", accountOf[env], ":", api}, rest...)}}
		}
		if account, ok := accountOf[env].(string); ok {
			executeAPI = func(rest ...any) M {
				return M{"Fn::Join": []any{"", append([]any{"arn:aws:execute-api:" + regionOf[env] + ":" + account + ":", api}, rest...)}}
			}
		}
		permission := func(fn string, source M) M {
			return M{"Action": "lambda:InvokeFunction", "FunctionName": arnOf(fn), "Principal": "apigateway.amazonaws.com", "SourceArn": source}
		}
		stage := M{"Ref": apiStage}
		for _, p := range []M{
			permission(authorizerFn, executeAPI("/authorizers/", M{"Ref": tokenAuthorizer})),
			permission(apiHandlerFn, executeAPI("/", stage, "/GET/items")),
			permission(apiHandlerFn, executeAPI("/", stage, "/GET/items/*")),
			permission(apiHandlerFn, executeAPI("/", stage, "/PUT/items/*")),
			{"Action": "lambda:InvokeFunction", "FunctionName": arnOf(tokenServiceFn),
				"Principal": M{"Fn::GetStackOutput": M{"StackName": "gatehouse-" + env + "-server", "Region": regionOf[env], "OutputName": "PublishOutputFnGetAttTrustRole655E6A67ArnACD6F4D2"}}},
		} {
			tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), assertions.Match_ObjectEquals(&p))
		}
		// No test-invoke permissions, nothing else.
		tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Permission"), jsii.Number(5))
	}
}

// TestTokenValidationRegexIsTheTokenFormat: API Gateway's regex accepts what the token service
// issues and refuses what the authorizer would refuse as malformed.
func TestTokenValidationRegexIsTheTokenFormat(t *testing.T) {
	token := must(apitokens.New())
	for header, want := range map[string]bool{token: true, "Bearer " + token: true, token[:len(token)-1]: false, strings.ToUpper(token): false} {
		if _, ok := apitokens.FromHeader(header); ok != want {
			t.Errorf("%q: accepted = %v, want %v", header, ok, want)
		}
	}
}

// TestGatewayAnswersCarryCORS: with one allowed origin (dev, full), API Gateway's own 4xx and
// 5xx answers (the authorizer's 401 among them) name it, so a browser can read them; with none
// (prod), no CORS at all.
func TestGatewayAnswersCarryCORS(t *testing.T) {
	r := referenceApp()
	for env, origin := range map[string]string{"dev": "http://localhost:3000", "prod": "", "full": "https://app.example.com"} {
		tmpl := r.check(t, env+"/API")
		if origin == "" {
			tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::GatewayResponse"), jsii.Number(0))
			continue
		}
		tmpl.ResourceCountIs(jsii.String("AWS::ApiGateway::GatewayResponse"), jsii.Number(2))
		for _, kind := range []string{"DEFAULT_4XX", "DEFAULT_5XX"} {
			tmpl.HasResourceProperties(jsii.String("AWS::ApiGateway::GatewayResponse"), M{"ResponseType": kind, "ResponseParameters": M{
				"gatewayresponse.header.Access-Control-Allow-Origin": "'" + origin + "'", "gatewayresponse.header.Vary": "'Origin'"}})
		}
	}
}
