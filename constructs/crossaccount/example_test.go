package crossaccount_test

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/constructs/crossaccount"
	"github.com/gatehouse-cdk/gatehouse/constructs/messaging"
	"github.com/gatehouse-cdk/gatehouse/constructs/storage"
)

// A role account 444455556666 assumes with an external id; it may read the exchange bucket's
// outbox/ and publish to one topic, through those resources' grants.
func ExampleNewCrossAccountRole() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Partner"), nil)
	partner := crossaccount.NewCrossAccountRole(stack, jsii.String("PartnerRole"), &crossaccount.CrossAccountRoleProps{
		TrustedAccountID: "444455556666",
		ExternalID:       "partner-7f3a9c",
		TrustedRoleName:  "partner-reader",
	})
	exchange := storage.NewUploadBucket(stack, jsii.String("Exchange"), nil)
	exchange.GrantRead(partner.Role(), "outbox/*")
	events := messaging.NewSecureTopic(stack, jsii.String("Events"), nil)
	events.GrantPublish(partner.Role())
}
