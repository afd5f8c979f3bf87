// Package contract is the contract between a deploy and the web app's configuration: the stack
// names, the CloudFormation output keys each stack declares (`cdk deploy --outputs-file` writes
// them) and the shape of each value. Package stacks declares the outputs; package webconfig reads
// them. It imports no CDK package.
package contract

import (
	"maps"
	"regexp"
	"slices"
	"strconv"

	"github.com/gatehouse-cdk/gatehouse/limits"
)

// Application is the value of the `application` tag and the prefix of stack names.
const Application = "gatehouse"

// StackName is the CloudFormation stack name of a stack of env: gatehouse-<env>-<what>.
func StackName(env, what string) string { return Application + "-" + env + "-" + what }

// What each stack of an environment holds (the <what> of StackName).
const (
	Auth         = "auth"
	Uploads      = "uploads"
	Server       = "server"
	Hosting      = "hosting"
	CrossAccount = "crossaccount"
	Delivery     = "delivery"
	// DeliveryLogs is the stack in us-east-1 that receives the distribution's access logs
	// (CloudFront delivers logs only from there).
	DeliveryLogs = "delivery-logs"
	API          = "api"
)

// Output keys of the auth and uploads stacks. They are a public contract; do not rename them.
const (
	Region           = "Region"
	UserPoolID       = "UserPoolId"
	UserPoolClientID = "UserPoolClientId"
	IdentityPoolID   = "IdentityPoolId"
	GuestsEnabled    = "GuestsEnabled"
	SelfSignUp       = "SelfSignUpEnabled"
	MfaConfiguration = "MfaConfiguration"
	OwnerKey         = "OwnerKey"
	UploadBucketName = "UploadBucketName"
)

// Output keys of the server stack.
const (
	WebpageRoleArn         = "WebpageRoleArn"
	TrustRoleArn           = "TrustRoleArn"
	SessionName            = "RoleSessionName"
	SessionDurationSeconds = "SessionDurationSeconds"
	AssetFunctionName      = "AssetFunctionName"
	AssetFunctionArn       = "AssetFunctionArn"
	ItemsTableName         = "ItemsTableName"
)

// Output keys of the cross-account stack.
const (
	CrossAccountRoleArn = "CrossAccountRoleArn"
	ExchangeBucketName  = "ExchangeBucketName"
	PartnerTopicArn     = "PartnerTopicArn"
)

// Output keys of the hosting stack.
const (
	ComputeRoleArn       = "ComputeRoleArn"
	FeedbackTopicArn     = "FeedbackTopicArn"
	AmplifyAppID         = "AmplifyAppId"
	AmplifyDefaultDomain = "AmplifyDefaultDomain"
	BuildRoleArn         = "BuildRoleArn"
)

// Output keys of the delivery stacks (the distribution is in the uploads stack, beside the
// bucket whose policy names it).
const (
	CdnDomain           = "CdnDomain"
	DistributionID      = "DistributionId"
	SignerFunctionName  = "SignerFunctionName"
	SignerFunctionArn   = "SignerFunctionArn"
	SigningKeySecretArn = "SigningKeySecretArn"
	DeliveryLogBucket   = "DeliveryLogBucketName"
)

// Output keys of the api stack.
const (
	APIURL                   = "ApiUrl"
	TokenServiceFunctionName = "TokenServiceFunctionName"
	TokenTableName           = "TokenTableName"
)

var notAlphanumeric = regexp.MustCompile(`[^A-Za-z0-9]`)

// BranchID is a branch name's letters and digits: the suffix of its compute role's output key
// and construct id.
func BranchID(branch string) string { return notAlphanumeric.ReplaceAllString(branch, "") }

// BranchComputeRoleArn is the output key of a branch's own compute role.
func BranchComputeRoleArn(branch string) string { return ComputeRoleArn + BranchID(branch) }

// shape is what a value of an output must look like.
type shape struct {
	valid func(string) bool
	is    string
}

func pattern(re string) func(string) bool { return regexp.MustCompile(re).MatchString }

var roleArn = shape{pattern(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$`), "a role ARN"}

var shapes = map[string]shape{
	Region:           {limits.Region.Match, "a region name"},
	UserPoolID:       {pattern(`^[a-z]{2}(-[a-z]+)+-[0-9]_[0-9A-Za-z]+$`), "a user pool id (<region>_<id>)"},
	UserPoolClientID: {pattern(`^[0-9a-z]{1,128}$`), "an app client id"},
	IdentityPoolID:   {pattern(`^[a-z]{2}(-[a-z]+)+-[0-9]:[0-9a-f-]+$`), "an identity pool id (<region>:<uuid>)"},
	UploadBucketName: {pattern(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`), "a bucket name"},
	GuestsEnabled:    {pattern(`^(true|false)$`), "true or false"},
	SelfSignUp:       {pattern(`^(true|false)$`), "true or false"},
	MfaConfiguration: {func(v string) bool { return slices.Contains(limits.MFASettings, v) }, "off, optional or required"},
	OwnerKey:         {func(v string) bool { return slices.Contains(limits.OwnerKeys, v) }, "identityId or sub"},
	TrustRoleArn:     roleArn,
	SessionName:      {limits.SessionName.Match, "a role session name"},
	SessionDurationSeconds: {func(v string) bool {
		n, err := strconv.Atoi(v)
		r := limits.SessionDurationSeconds
		return err == nil && n >= r.Min && n <= r.Max
	}, "a whole number of " + limits.SessionDurationSeconds.Unit + " from " + strconv.Itoa(limits.SessionDurationSeconds.Min) + " to " + strconv.Itoa(limits.SessionDurationSeconds.Max)},
	AssetFunctionName:        {pattern(`^[\w-]{1,140}$`), "a function name"},
	AssetFunctionArn:         {pattern(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[\w-]+$`), "a function ARN"},
	FeedbackTopicArn:         {pattern(`^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[\w-]+$`), "a topic ARN"},
	CrossAccountRoleArn:      roleArn,
	CdnDomain:                {limits.DomainName.Match, "a domain name"},
	SignerFunctionName:       {pattern(`^[\w-]{1,140}$`), "a function name"},
	APIURL:                   {pattern(`^https://[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com/[\w-]+/$`), "an API Gateway stage URL"},
	TokenServiceFunctionName: {pattern(`^[\w-]{1,140}$`), "a function name"},
}

// Check reports what the value of output key must be when value does not look like it, or "".
// Keys without a known shape are accepted as they are.
func Check(key, value string) string {
	if s, ok := shapes[key]; ok && !s.valid(value) {
		return "must be " + s.is
	}
	return ""
}

// Checked lists the output keys whose values Check knows the shape of: the ones the web app's
// configuration reads.
func Checked() []string { return slices.Sorted(maps.Keys(shapes)) }
