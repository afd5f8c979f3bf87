package tokenapi_test

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/auth"
	"github.com/gatehouse-cdk/gatehouse/constructs/rolechain"
	"github.com/gatehouse-cdk/gatehouse/constructs/tokenapi"
)

// A token API over your items table, for scripts and partners that call with a token instead
// of AWS credentials: the three functions built by `make build`, the sign-in whose users the
// token service acts for, and the trust role as the only caller of the token service (the
// Next.js server reaches it through the role chain with the user's ID token).
func ExampleNewTokenAPI() {
	app := awscdk.NewApp(nil)
	env := &awscdk.Environment{Region: jsii.String("ap-southeast-1")}
	signIn := auth.NewUserAuth(awscdk.NewStack(app, jsii.String("Auth"), &awscdk.StackProps{Env: env}), jsii.String("SignIn"), nil)

	server := awscdk.NewStack(app, jsii.String("Server"), &awscdk.StackProps{Env: env})
	items := awsdynamodb.NewTableV2(server, jsii.String("Items"), &awsdynamodb.TablePropsV2{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("owner"), Type: awsdynamodb.AttributeType_STRING},
		SortKey:      &awsdynamodb.Attribute{Name: jsii.String("id"), Type: awsdynamodb.AttributeType_STRING},
	})
	webpage := rolechain.NewWebpageRole(server, jsii.String("WebpageRole"), nil)
	trust := rolechain.NewTrustRole(server, jsii.String("TrustRole"), &rolechain.TrustRoleProps{Webpage: webpage.Role()})

	code := func(dir string) awslambda.Code { return awslambda.Code_FromAsset(jsii.String(dir), nil) }
	api := tokenapi.NewTokenAPI(awscdk.NewStack(app, jsii.String("API"), &awscdk.StackProps{Env: env}), jsii.String("TokenApi"), &tokenapi.TokenAPIProps{
		AuthorizerCode:   code("build/functions/authorizer"),
		TokenServiceCode: code("build/functions/tokens"),
		HandlerCode:      code("build/functions/api"),
		ItemsTable:       items,
		SignIn:           signIn,
		AllowedOrigins:   []string{"https://app.example.com"},
	})
	api.GrantIssue(trust.Role())
	awscdk.NewCfnOutput(api.Api().Stack(), jsii.String("ApiUrl"), &awscdk.CfnOutputProps{Value: api.URL()})
}
