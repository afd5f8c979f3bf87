// Package messaging builds SNS topics that are safe to publish to from application code.
//
// Why each default is safe:
//   - Messages are encrypted at rest with the account's AWS managed SNS key (alias/aws/sns): no
//     key to administer or pay for, and its key policy lets only principals of this account use
//     it, and only through SNS.
//   - The topic policy denies every request made without TLS (aws:SecureTransport false).
//   - The topic grants nothing by itself: publishers are added with GrantPublish, which allows
//     sns:Publish on this topic only (not subscribe, not delete, not set attributes).
package messaging

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/guard"
)

// AWSManagedKeyAlias is the AWS managed key SNS encrypts topics with.
const AWSManagedKeyAlias = "alias/aws/sns"

// SecureTopicProps configure NewSecureTopic. All optional.
type SecureTopicProps struct {
	// DisplayName of the topic. Default none.
	DisplayName string
}

// SecureTopic is an encrypted, TLS-only topic.
type SecureTopic struct {
	constructs.Construct
	topic awssns.Topic
}

// Validate reports every problem of p as a *limits.Error; every SecureTopicProps is valid.
func (p *SecureTopicProps) Validate() error { return nil }

// NewSecureTopic builds the topic.
func NewSecureTopic(scope constructs.Construct, id *string, props *SecureTopicProps) *SecureTopic {
	guard.Check(scope, id, props.Validate())
	p := guard.Copy(props)
	t := &SecureTopic{}
	constructs.NewConstruct_Override(t, scope, id)
	var displayName *string
	if p.DisplayName != "" {
		displayName = jsii.String(p.DisplayName)
	}
	t.topic = awssns.NewTopic(t, jsii.String("Resource"), &awssns.TopicProps{
		DisplayName: displayName,
		EnforceSSL:  jsii.Bool(true),
	})
	// The alias name, not an alias ARN: SNS resolves it in the topic's own account and region,
	// and the template names no account (an ARN would hard-code it where the account is known).
	t.topic.Node().DefaultChild().(awssns.CfnTopic).SetKmsMasterKeyId(jsii.String(AWSManagedKeyAlias))
	return t
}

// Topic is the SNS topic.
func (t *SecureTopic) Topic() awssns.ITopic { return t.topic }

// GrantPublish lets grantee publish to this topic, and nothing else on it (no subscribe, no
// delete), through grantee's own policy. No KMS grant is needed: the AWS managed SNS key lets
// this account's principals use it through SNS.
func (t *SecureTopic) GrantPublish(grantee awsiam.IGrantable) awsiam.Grant {
	return awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee: grantee, Actions: jsii.Strings("sns:Publish"), ResourceArns: &[]*string{t.topic.TopicArn()},
	})
}
