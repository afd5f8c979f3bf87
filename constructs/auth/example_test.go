package auth_test

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/auth"
)

// Sign-in with every default: email sign-in, TOTP required, the Plus plan with threat protection
// enforced, a secret-less web client (SRP only) and an identity pool without guests.
func ExampleNewUserAuth() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PhotoApp"), nil)
	auth.NewUserAuth(stack, jsii.String("Auth"), nil)
}

// Sign-in for production mail and two groups, each with its own identity-pool role.
func ExampleNewUserAuth_production() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("PhotoApp"), &awscdk.StackProps{
		Env: &awscdk.Environment{Region: jsii.String("eu-west-1")},
	})
	signIn := auth.NewUserAuth(stack, jsii.String("Auth"), &auth.UserAuthProps{
		Groups: []auth.Group{{Name: "admins", Precedence: 0}, {Name: "editors", Precedence: 10}},
		Email:  &auth.Email{From: "no-reply@example.com", FromName: "Photo App", SESIdentity: "example.com"},
	})
	_ = signIn.GroupRoles()["editors"] // the role editors sign in with
}
