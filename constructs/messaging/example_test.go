package messaging_test

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/messaging"
)

// An encrypted, TLS-only topic that one role may publish to, and nothing else.
func ExampleSecureTopic_GrantPublish() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Feedback"), nil)
	topic := messaging.NewSecureTopic(stack, jsii.String("Feedback"), &messaging.SecureTopicProps{DisplayName: "feedback"})
	publisher := awsiam.NewRole(stack, jsii.String("Publisher"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("amplify.amazonaws.com"), nil),
	})
	topic.GrantPublish(publisher)
}
