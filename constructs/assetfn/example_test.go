package assetfn_test

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/assetfn"
)

// An asset function (a linux/arm64 `bootstrap` built by `go build`) whose own role alone may
// read and write one table's items: no Scan, no table management.
func ExampleNewAssetFunction() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Server"), nil)
	table := awsdynamodb.NewTableV2(stack, jsii.String("Items"), &awsdynamodb.TablePropsV2{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("owner"), Type: awsdynamodb.AttributeType_STRING},
	})
	fn := assetfn.NewAssetFunction(stack, jsii.String("ItemsFunction"), &assetfn.AssetFunctionProps{
		Code:        awslambda.Code_FromAsset(jsii.String("build/functions/items"), nil),
		Environment: map[string]string{"TABLE_NAME": *table.TableName()},
	})
	fn.GrantTableReadWrite(table)
}
