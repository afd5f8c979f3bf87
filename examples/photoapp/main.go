// Command photoapp is a CDK app of its own that uses gatehouse's constructs the way another
// team's app would: sign-in, an upload bucket wired to it in one line, a server role granted a
// folder (no cdk-nag suppression of its own: the grant records its reasoned one), and bad props
// caught as a *limits.Error. It is a separate Go module: `go list -deps` shows that importing the
// constructs brings no cdk-nag into its build (test/library_test.go checks it).
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/auth"
	"github.com/gatehouse-cdk/gatehouse/constructs/storage"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

func main() {
	defer closeJSII()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PhotoApp"), nil)

	signIn := auth.NewUserAuth(stack, jsii.String("Auth"), nil)
	photos := storage.NewUploadBucket(stack, jsii.String("Photos"), &storage.UploadBucketProps{
		AllowedOrigins: []string{"https://photos.example.net"},
		AccessRules:    []storage.AccessRule{storage.OwnerProtectedRule()},
		SignIn:         signIn,
	})
	server := awsiam.NewRole(stack, jsii.String("Server"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ecs-tasks.amazonaws.com"), nil),
	})
	photos.GrantRead(server, "reports/*")

	// Props can be checked before anything is built; a constructor panics with the same error,
	// scoped to the construct's path.
	bad := &storage.UploadBucketProps{AllowedOrigins: []string{"*"}}
	var problems *limits.Error
	if err := bad.Validate(); errors.As(err, &problems) {
		for _, p := range problems.Problems {
			fmt.Fprintln(os.Stderr, "refused:", p)
		}
	}

	app.Synth(nil)
}

// closeJSII stops the jsii kernel. jsii-runtime-go waits for its Node child twice, concurrently,
// and the loser prints "Runtime process exited abnormally: waitid: no child processes" although
// nothing failed: stderr is silenced first (call it last).
func closeJSII() {
	if devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stderr = devNull
	}
	jsii.Close()
}
