package hosting_test

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/hosting"
	"github.com/gatehouse-cdk/gatehouse/constructs/messaging"
	"github.com/gatehouse-cdk/gatehouse/constructs/storage"
)

// A managed Amplify app whose SSR runtime may publish feedback, whose builds (from the
// repository's web/ folder) may read the outputs of the stack "web-config", and whose branches
// may upload to the bucket (its CORS rule allows https://<branch>.<app domain>).
func ExampleNewApp() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Web"), nil)
	ssr := hosting.NewComputeRole(stack, jsii.String("ComputeRole"), nil)
	feedback := messaging.NewSecureTopic(stack, jsii.String("Feedback"), nil)
	feedback.GrantPublish(ssr.Role())
	build := hosting.NewBuildRole(stack, jsii.String("BuildRole"), &hosting.BuildRoleProps{ReadsOutputsOf: []string{"web-config"}})
	web := hosting.NewApp(stack, jsii.String("App"), &hosting.AppProps{
		Name: "web", ComputeRole: ssr.Role(), BuildRole: build.Role(), AppRoot: "web",
		EnvironmentVariables: map[string]string{"STAGE": "dev"},
		Branches:             []hosting.BranchProps{{Name: "main"}, {Name: "beta", Stage: "BETA"}},
	})
	storage.NewUploadBucket(stack, jsii.String("Uploads"), &storage.UploadBucketProps{
		HostedOrigins: web.BranchOrigins(),
	})
}
