// Package logicalids names the reference app's stateful resources by their CloudFormation
// logical ids, once. CloudFormation REPLACES a resource whose logical id changes: a new, empty
// user pool (every user signs up again, and identity ids change), a new bucket or table (the old
// one retained, its data left behind). So these are pinned: test/logical_ids_test.go proves every
// environment's templates hold exactly them, and the access matrix and the tests name the
// resources by them. Change a value only with a data migration planned. No CDK import.
package logicalids

// The stateful resources, by stack.
const (
	// UserPool (auth stack): every user account.
	UserPool = "SignInUserPoolA2C003D1"
	// IdentityPool (auth stack): every identity id, so every identity-id owner folder's name.
	IdentityPool = "SignInIdentityPool9123F5A7"
	// UploadBucket and UploadLogBucket (uploads stack): every upload, and its access logs.
	UploadBucket    = "Uploads88C64F96"
	UploadLogBucket = "UploadsAccessLogsB2D59324"
	// UploadKey (uploads stack, with uploadEncryption kms): every encrypted upload's key.
	UploadKey = "UploadsKeyEAFA4DCE"
	// ItemsTable (server stack): every item.
	ItemsTable = "Items5C12978B"
	// ExchangeBucket and ExchangeLogBucket (cross-account stack): what the partner exchanges.
	ExchangeBucket    = "Exchange4C2073D8"
	ExchangeLogBucket = "ExchangeAccessLogs1FA0D182"
	// SigningKeySecret (delivery stack): the private signing key, stored by hand.
	SigningKeySecret = "SignerSigningKey597D4DA8"
	// DeliveryLogBucket (delivery-logs stack): the image distribution's access logs.
	DeliveryLogBucket = "AccessLogsBucketCD784A59"
	// TokenTable (API stack): every API token's hash.
	TokenTable = "TokenApiTokens68DA6472"
)
