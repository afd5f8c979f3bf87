package storage_test

import (
	"errors"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/auth"
	"github.com/gatehouse-cdk/gatehouse/constructs/storage"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// An upload bucket whose signed-in users each own protected/<their identity id>/, wired to the
// sign-in construct in one line, and a server role that may read reports/ (the grant records
// its own reasoned cdk-nag suppression).
func ExampleNewUploadBucket() {
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
}

// Rules as data: a public read-only folder for everyone signed in, and a folder for one group.
func ExampleAccessRule() {
	_ = []storage.AccessRule{
		storage.OwnerProtectedRule(),
		{Path: "public/*", Who: storage.Authenticated, Actions: []storage.Action{storage.Get, storage.List}},
		{Path: "shared/*", Who: storage.Group("editors"), Actions: []storage.Action{storage.Get, storage.List, storage.Write, storage.Delete}},
	}
}

// Invalid props are refused with every problem at once, as a *limits.Error: before anything is
// built with Validate, or as the constructor's panic (scoped to the construct's path).
func ExampleUploadBucketProps_Validate() {
	props := &storage.UploadBucketProps{AllowedOrigins: []string{"*"}, CorsMaxAgeSeconds: new(int(-1))}
	var problems *limits.Error
	if err := props.Validate(); errors.As(err, &problems) {
		for _, p := range problems.Problems {
			fmt.Println(p.Field, p.Allowed)
		}
	}
}
