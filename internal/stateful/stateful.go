// Package stateful builds the stateful resources the constructs share the way gatehouse keeps
// data: retained when their stack is deleted, and protected where the service allows it.
//   - Table: a DynamoDB table billed on demand, with point-in-time recovery, deletion
//     protection and AWS-managed encryption, retained.
//   - LogBucket: a log destination bucket with no public access and no ACLs, SSE-S3 (what log
//     delivery can write to), TLS 1.2 only, retained, its logs expiring after a set time.
//
// Construct ids are the caller's: they decide the logical ids, which tests pin.
package stateful

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/nag"
)

// Table builds a table with props' keys, indexes and TTL, and the data-safety settings above
// (they replace any of props').
func Table(scope constructs.Construct, id string, props awsdynamodb.TablePropsV2) awsdynamodb.TableV2 {
	props.Billing = awsdynamodb.Billing_OnDemand(nil)
	props.PointInTimeRecoverySpecification = &awsdynamodb.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: jsii.Bool(true)}
	props.DeletionProtection = jsii.Bool(true)
	props.Encryption = awsdynamodb.TableEncryptionV2_AwsManagedKey()
	props.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	return awsdynamodb.NewTableV2(scope, jsii.String(id), &props)
}

// LogBucket builds a bucket that receives logs (destination says which, for cdk-nag's reason)
// and expires them after expirationDays; keyFormat is the server access logs' key format (nil
// for other log delivery).
func LogBucket(scope constructs.Construct, id string, expirationDays int, keyFormat awss3.TargetObjectKeyFormat, destination string) awss3.Bucket {
	bucket := awss3.NewBucket(scope, jsii.String(id), &awss3.BucketProps{
		BlockPublicAccess:     awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:       awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Encryption:            awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:            jsii.Bool(true),
		MinimumTLSVersion:     jsii.Number(1.2),
		RemovalPolicy:         awscdk.RemovalPolicy_RETAIN,
		AutoDeleteObjects:     jsii.Bool(false),
		LifecycleRules:        &[]*awss3.LifecycleRule{{Id: jsii.String("ExpireAccessLogs"), Expiration: awscdk.Duration_Days(jsii.Number(float64(expirationDays)))}},
		TargetObjectKeyFormat: keyFormat,
	})
	nag.Suppress(bucket.Node().DefaultChild(), nag.Suppression{
		ID:     "AwsSolutions-S1",
		Reason: "This is the " + destination + " destination; logging it to itself would loop and logging it elsewhere only moves the finding.",
	})
	return bucket
}
