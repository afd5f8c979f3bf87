package delivery

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/guard"
	"github.com/gatehouse-cdk/gatehouse/internal/stateful"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// LogsRegion is where CloudFront's log delivery must be set up, whatever the bucket's region.
const LogsRegion = "us-east-1"

// AccessLogsProps configure NewAccessLogs.
type AccessLogsProps struct {
	// DistributionID is the id of the distribution whose access logs to deliver
	// (ImageDistribution.Distribution().DistributionId(); from a stack in another region, read it
	// through awscdk.Stack_ConsumeReference(id, awscdk.ReferenceStrength_WEAK)). Required.
	DistributionID *string
	// ExpirationDays: how long logs are kept. Default 365; 1 to 3650
	// (limits.AccessLogExpirationDays).
	ExpirationDays int
}

// AccessLogsPropsScope names AccessLogsProps in errors of Validate.
const AccessLogsPropsScope = "delivery.AccessLogsProps"

// Validate reports every problem of p as a *limits.Error.
func (p *AccessLogsProps) Validate() error {
	var q AccessLogsProps
	if p != nil {
		q = *p
	}
	ps := limits.NewProblems(AccessLogsPropsScope)
	if q.DistributionID == nil {
		ps.Add("DistributionID", nil, "is required: the id of the distribution whose logs to deliver")
	}
	limits.AccessLogExpirationDays.Check(ps, "ExpirationDays", limits.AccessLogExpirationDays.Or(q.ExpirationDays))
	return ps.Err()
}

// AccessLogs delivers a distribution's access logs (CloudFront standard logging v2, through
// CloudWatch Logs' log delivery) to a bucket of its own. It must be in a stack in us-east-1,
// where CloudFront's log delivery sources live.
//
// Why each default is safe: the bucket is private, ACL-free (bucket owner enforced: log
// delivery v2 needs no ACL, unlike legacy logging), encrypted, TLS-only, retained, and expires
// logs after ExpirationDays; only log delivery may write, only under AWSLogs/<this account>/,
// only for delivery sources of this account in us-east-1.
type AccessLogs struct {
	constructs.Construct
	bucket awss3.Bucket
}

// NewAccessLogs validates props and builds the log bucket and the log delivery.
func NewAccessLogs(scope constructs.Construct, id *string, props *AccessLogsProps) *AccessLogs {
	guard.Check(scope, id, props.Validate())
	stack := awscdk.Stack_Of(scope)
	if region := stack.Region(); *awscdk.Token_IsUnresolved(region) || *region != LogsRegion {
		guard.Refuse(*scope.Node().Path()+"/"+*id, "stack region", *region, "must be "+LogsRegion+": CloudFront delivers access logs only from there (give the stack env.region us-east-1)")
	}
	l := &AccessLogs{}
	constructs.NewConstruct_Override(l, scope, id)
	days := limits.AccessLogExpirationDays.Or(props.ExpirationDays)
	l.bucket = stateful.LogBucket(l, "Bucket", days, nil, "access log")
	account := stack.Account()
	logDelivery := awsiam.NewServicePrincipal(jsii.String("delivery.logs.amazonaws.com"), nil)
	sources := "arn:" + *stack.Partition() + ":logs:" + LogsRegion + ":" + *account + ":delivery-source:*"
	// The two statements CloudWatch Logs' log delivery to S3 needs (what it adds itself when
	// set up through its API): write under AWSLogs/<account>/ with the bucket-owner ACL header
	// (accepted, and ignored, with ACLs disabled), and read the bucket's ACL.
	l.bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("LogDeliveryWrites"),
		Principals: &[]awsiam.IPrincipal{logDelivery},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  &[]*string{l.bucket.ArnForObjects(jsii.String("AWSLogs/" + *account + "/*"))},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control"},
			"ArnLike":      map[string]any{"aws:SourceArn": sources},
		},
	}))
	l.bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("LogDeliveryChecksAcl"),
		Principals: &[]awsiam.IPrincipal{logDelivery},
		Actions:    jsii.Strings("s3:GetBucketAcl"),
		Resources:  &[]*string{l.bucket.BucketArn()},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": account},
			"ArnLike":      map[string]any{"aws:SourceArn": sources},
		},
	}))

	name := awscdk.Names_UniqueResourceName(l, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(60), Separator: jsii.String("-")})
	source := awslogs.NewCfnDeliverySource(l, jsii.String("Source"), &awslogs.CfnDeliverySourceProps{
		Name:    name,
		LogType: jsii.String("ACCESS_LOGS"),
		ResourceArn: stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("cloudfront"), Region: jsii.String(""),
			Resource: jsii.String("distribution"), ResourceName: props.DistributionID}),
	})
	destination := awslogs.NewCfnDeliveryDestination(l, jsii.String("Destination"), &awslogs.CfnDeliveryDestinationProps{
		Name:                   name,
		DestinationResourceArn: l.bucket.BucketArn(),
		OutputFormat:           jsii.String("json"),
	})
	delivery := awslogs.NewCfnDelivery(l, jsii.String("Delivery"), &awslogs.CfnDeliveryProps{
		DeliverySourceName:     source.Ref(),
		DeliveryDestinationArn: destination.AttrArn(),
	})
	// The bucket's policy must let log delivery write before the delivery is made.
	delivery.Node().AddDependency(l.bucket.Policy())
	return l
}

// Bucket is the log bucket.
func (l *AccessLogs) Bucket() awss3.IBucket { return l.bucket }
