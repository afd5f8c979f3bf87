package delivery_test

import (
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/auth"
	"github.com/gatehouse-cdk/gatehouse/constructs/delivery"
	"github.com/gatehouse-cdk/gatehouse/constructs/rolechain"
	"github.com/gatehouse-cdk/gatehouse/constructs/storage"
)

// Users' uploads served privately through CloudFront: the distribution beside the upload bucket
// (whose policy names it), the signer that signs for a user's own folder in a stack of its own
// (invoked only through the trust role), and the access logs in us-east-1.
func ExampleNewImageDistribution() {
	app := awscdk.NewApp(nil)
	env := &awscdk.Environment{Region: jsii.String("ap-southeast-1")}
	signIn := auth.NewUserAuth(awscdk.NewStack(app, jsii.String("Auth"), &awscdk.StackProps{Env: env}), jsii.String("SignIn"), nil)
	uploads := awscdk.NewStack(app, jsii.String("Uploads"), &awscdk.StackProps{Env: env})
	bucket := storage.NewUploadBucket(uploads, jsii.String("Photos"), &storage.UploadBucketProps{
		AllowedOrigins: []string{"https://app.example.com"},
		AccessRules:    []storage.AccessRule{storage.OwnerProtectedRule()},
		SignIn:         signIn,
	})
	publicKey, _ := os.ReadFile("app/keys/prod-cdn.pem") // make cdn-key writes it
	images := delivery.NewImageDistribution(uploads, jsii.String("Images"), &delivery.ImageDistributionProps{
		Bucket:        bucket.Bucket(),
		EncryptionKey: bucket.EncryptionKey(),
		PublicKeys:    []string{string(publicKey)},
	})

	server := awscdk.NewStack(app, jsii.String("Server"), &awscdk.StackProps{Env: env})
	webpage := rolechain.NewWebpageRole(server, jsii.String("WebpageRole"), nil)
	trust := rolechain.NewTrustRole(server, jsii.String("TrustRole"), &rolechain.TrustRoleProps{Webpage: webpage.Role()})
	signer := delivery.NewSigner(awscdk.NewStack(app, jsii.String("Delivery"), &awscdk.StackProps{Env: env}), jsii.String("Signer"), &delivery.SignerProps{
		Code:         awslambda.Code_FromAsset(jsii.String("build/functions/signer"), nil),
		Distribution: images,
		SignIn:       signIn,
	})
	trust.GrantInvoke(signer.Function())

	logs := awscdk.NewStack(app, jsii.String("DeliveryLogs"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String(delivery.LogsRegion)}})
	delivery.NewAccessLogs(logs, jsii.String("AccessLogs"), &delivery.AccessLogsProps{
		DistributionID: awscdk.Stack_ConsumeReference(images.Distribution().DistributionId(), awscdk.ReferenceStrength_WEAK),
	})
}
