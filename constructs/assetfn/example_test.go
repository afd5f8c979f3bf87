package assetfn_test

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/assetfn"
	"github.com/gatehouse-cdk/gatehouse/constructs/auth"
)

// An asset function (a linux/arm64 `bootstrap` built by `go build`) that acts for the users of
// a sign-in (it verifies their ID tokens, told the pools by VerifiesUsersOf), and whose own role
// alone may make the three calls its code makes on one table's items: no other item-level call,
// no Scan, no table management.
func ExampleNewAssetFunction() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Server"), nil)
	signIn := auth.NewUserAuth(stack, jsii.String("SignIn"), nil)
	table := awsdynamodb.NewTableV2(stack, jsii.String("Items"), &awsdynamodb.TablePropsV2{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("owner"), Type: awsdynamodb.AttributeType_STRING},
	})
	fn := assetfn.NewAssetFunction(stack, jsii.String("ItemsFunction"), &assetfn.AssetFunctionProps{
		Code:            awslambda.Code_FromAsset(jsii.String("build/functions/items"), nil),
		Environment:     map[string]string{"TABLE_NAME": *table.TableName()},
		VerifiesUsersOf: signIn,
	})
	fn.GrantTableCalls(table, "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query")
}
