package rolechain_test

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/assetfn"
	"github.com/gatehouse-cdk/gatehouse/constructs/rolechain"
)

// The server-side role chain: the page's ECS task role may only assume the trust role, which may
// only invoke the asset function; only the function's own role reaches data.
func ExampleNewTrustRole() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Server"), nil)
	webpage := rolechain.NewWebpageRole(stack, jsii.String("WebpageRole"), nil)
	trust := rolechain.NewTrustRole(stack, jsii.String("TrustRole"), &rolechain.TrustRoleProps{
		Webpage: webpage.Role(),
	})
	items := assetfn.NewAssetFunction(stack, jsii.String("Items"), &assetfn.AssetFunctionProps{
		Code: awslambda.Code_FromAsset(jsii.String("build/functions/items"), nil),
	})
	trust.GrantInvoke(items.Function())
	// webpage.Role() is the task role of the page's ECS task definition.
}
