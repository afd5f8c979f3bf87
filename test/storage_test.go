package test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/accessrules"
	"github.com/gatehouse-cdk/gatehouse/internal/logicalids"
)

const (
	uploadBucket = logicalids.UploadBucket
	logBucket    = logicalids.UploadLogBucket
)

func arnOf(id string) M { return M{"Fn::GetAtt": []any{id, "Arn"}} }

func objectsOf(id, prefix string) M {
	return M{"Fn::Join": []any{"", []any{arnOf(id), "/" + prefix}}}
}

// tlsOnly is the pair of deny statements every bucket policy starts with.
func tlsOnly(id string) []any {
	resources := []any{arnOf(id), objectsOf(id, "*")}
	return []any{
		M{"Action": "s3:*", "Effect": "Deny", "Principal": M{"AWS": "*"}, "Resource": resources,
			"Condition": M{"Bool": M{"aws:SecureTransport": "false"}}},
		M{"Action": "s3:*", "Effect": "Deny", "Principal": M{"AWS": "*"}, "Resource": resources,
			"Condition": M{"NumericLessThan": M{"s3:TlsVersion": 1.2}}},
	}
}

var blockAll = M{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}

func TestBucketsAreLockedDownAndRetained(t *testing.T) {
	r := referenceApp()
	for _, env := range []string{"dev", "prod", "full"} {
		tmpl := r.check(t, env+"/Uploads")
		tmpl.ResourceCountIs(jsii.String("AWS::S3::Bucket"), jsii.Number(2))
		for _, id := range []string{uploadBucket, logBucket} {
			tmpl.HasResource(jsii.String("AWS::S3::Bucket"), M{
				"DeletionPolicy":      "Retain",
				"UpdateReplacePolicy": "Retain",
				"Properties": M{
					"PublicAccessBlockConfiguration": assertions.Match_ObjectEquals(&blockAll),
					"OwnershipControls":              M{"Rules": []any{M{"ObjectOwnership": "BucketOwnerEnforced"}}},
				},
			})
			// The TLS denies come first in each bucket's policy; nothing else is denied or allowed
			// to everyone.
			tmpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), M{
				"Bucket":         M{"Ref": id},
				"PolicyDocument": M{"Statement": assertions.Match_ArrayWith(&[]any{tlsOnly(id)[0], tlsOnly(id)[1]})},
			})
		}
		// No auto-delete custom resource (it would empty the bucket on stack deletion), no Lambda.
		tmpl.ResourceCountIs(jsii.String("Custom::S3AutoDeleteObjects"), jsii.Number(0))
		tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(0))
	}
}

func TestUploadBucketEncryptionVersioningLifecycleLogs(t *testing.T) {
	r := referenceApp()
	for _, c := range []struct {
		env                     string
		noncurrentDays, logDays int
		kms                     bool
	}{{"dev", 30, 365, false}, {"prod", 30, 365, false}, {"full", 90, 400, true}} {
		tmpl := r.check(t, c.env+"/Uploads")
		encryption := M{"ServerSideEncryptionByDefault": M{"SSEAlgorithm": "AES256"}}
		if c.kms {
			encryption = M{"BucketKeyEnabled": true, "ServerSideEncryptionByDefault": M{
				"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": arnOf(logicalids.UploadKey)}}
		}
		tmpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), M{
			"BucketEncryption":        M{"ServerSideEncryptionConfiguration": []any{encryption}},
			"VersioningConfiguration": M{"Status": "Enabled"},
			"LifecycleConfiguration": assertions.Match_ObjectEquals(&M{"Rules": []any{M{
				"Id":                             "AbortIncompleteUploadsAndExpireOldVersions",
				"Status":                         "Enabled",
				"AbortIncompleteMultipartUpload": M{"DaysAfterInitiation": 1},
				"NoncurrentVersionExpiration":    M{"NoncurrentDays": c.noncurrentDays},
			}}}),
			"LoggingConfiguration": M{"DestinationBucketName": M{"Ref": logBucket}, "LogFilePrefix": "uploads/"},
		})
		// The log bucket: SSE-S3 (required for log delivery), logs expire.
		tmpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), M{
			"BucketEncryption": M{"ServerSideEncryptionConfiguration": []any{M{"ServerSideEncryptionByDefault": M{"SSEAlgorithm": "AES256"}}}},
			"LifecycleConfiguration": assertions.Match_ObjectEquals(&M{"Rules": []any{M{
				"Id": "ExpireAccessLogs", "Status": "Enabled", "ExpirationInDays": c.logDays,
			}}}),
		})
		// Only S3's log delivery, for this bucket in this account, may write logs.
		tmpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), M{
			"Bucket": M{"Ref": logBucket},
			"PolicyDocument": M{"Statement": assertions.Match_ArrayWith(&[]any{M{
				"Action": "s3:PutObject", "Effect": "Allow",
				"Principal": M{"Service": "logging.s3.amazonaws.com"},
				"Resource":  objectsOf(logBucket, "uploads/*"),
				"Condition": M{
					"ArnLike":      M{"aws:SourceArn": arnOf(uploadBucket)},
					"StringEquals": M{"aws:SourceAccount": accountOf[c.env]},
				},
			}})},
		})
		if c.kms {
			tmpl.HasResource(jsii.String("AWS::KMS::Key"), M{
				"DeletionPolicy": "Retain", "Properties": M{"EnableKeyRotation": true},
			})
		} else {
			tmpl.ResourceCountIs(jsii.String("AWS::KMS::Key"), jsii.Number(0))
		}
	}
}

// TestCORS: configured origins, and with a managed Amplify app the origin of every branch,
// https://<branch subdomain>.<the app's default domain>, read from the app at deploy time.
func TestCORS(t *testing.T) {
	r := referenceApp()
	branch := func(subdomain string, domain any) M {
		return M{"Fn::Join": []any{"", []any{"https://" + subdomain + ".", domain}}}
	}
	devDomain := M{"Fn::GetStackOutput": M{"StackName": "gatehouse-dev-hosting", "Region": "ap-southeast-1",
		"OutputName": "PublishOutputFnGetAttAppF1B96344DefaultDomainAC29FE20"}}
	libraryDomain := M{"Fn::GetAtt": []any{"Web3C8945DB", "DefaultDomain"}}
	for _, c := range []struct {
		stack   string
		origins []any
		maxAge  int
	}{
		// dev: a managed app with branches main and beta.
		{"dev/Uploads", []any{"http://localhost:3000", branch("main", devDomain), branch("beta", devDomain)}, 3000},
		// prod: role-only (the app is the console's): the configured origins only.
		{"prod/Uploads", []any{"https://app.example.com"}, 3000},
		{"full/Uploads", []any{"https://app.example.com", "http://localhost:3000"}, 600},
		// A branch name in mixed case with '/' and '_' is served at a lower-case, '-' subdomain.
		{"library/Library", []any{"https://app.example.com", branch("main", libraryDomain), branch("feature-login-2", libraryDomain)}, 3000},
	} {
		r.check(t, c.stack).HasResourceProperties(jsii.String("AWS::S3::Bucket"), M{
			"CorsConfiguration": assertions.Match_ObjectEquals(&M{"CorsRules": []any{M{
				"AllowedOrigins": c.origins,
				"AllowedMethods": []any{"GET", "PUT", "POST", "DELETE", "HEAD"},
				"AllowedHeaders": []any{"*"},
				"ExposedHeaders": []any{"x-amz-server-side-encryption", "x-amz-request-id", "x-amz-id-2", "ETag"},
				"MaxAge":         c.maxAge,
			}}}),
		})
	}
}

// ownerFolderIn is the reference rule's folder in env's policies: the owner key's variable.
func ownerFolderIn(env string) string {
	return "protected/" + accessrules.OwnerVariable(referenceApp().envs[env].OwnerKey) + "/"
}

// uploadsOutput is how a stack of env reads an output of its uploads stack (a weak cross-stack
// reference), e.g. the upload bucket's ARN in the access-rule policies of the auth stack.
func uploadsOutput(env, output string) M {
	return M{"Fn::GetStackOutput": M{"StackName": "gatehouse-" + env + "-uploads", "Region": regionOf[env], "OutputName": output}}
}

// The upload bucket's ARN and KMS key ARN as the auth stack's policies reference them.
const (
	uploadBucketArnOutput = "PublishOutputFnGetAttUploads88C64F96ArnD6D6D3E6"
	uploadKeyArnOutput    = "PublishOutputFnGetAttUploadsKeyEAFA4DCEArnD065E6C6"
)

// referenceOwnerStatementsIn are the exact statements the reference rule produces, as the auth
// stack of env names the bucket (through the uploads stack's output): the owner's object actions
// on its own folder, and listing only with a prefix inside it.
func referenceOwnerStatementsIn(env string) []any {
	bucketArn := uploadsOutput(env, uploadBucketArnOutput)
	ownerFolder := ownerFolderIn(env)
	return []any{
		M{"Sid": "OwnerProtectedEntityIdObjects", "Effect": "Allow",
			"Action":   []any{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"},
			"Resource": M{"Fn::Join": []any{"", []any{bucketArn, "/" + ownerFolder + "*"}}}},
		M{"Sid": "OwnerProtectedEntityIdList", "Effect": "Allow", "Action": "s3:ListBucket",
			"Resource":  bucketArn,
			"Condition": M{"StringLike": M{"s3:prefix": []any{ownerFolder, ownerFolder + "*"}}}},
	}
}

// accountOf is how each environment's template names its account (dev and prod leave it to
// the CLI's credentials).
var accountOf = map[string]any{"dev": M{"Ref": "AWS::AccountId"}, "prod": M{"Ref": "AWS::AccountId"}, "full": "111122223333"}

var regionOf = map[string]string{"dev": "ap-southeast-1", "prod": "ap-southeast-1", "full": "eu-west-1"}

// TestReferenceRulePolicies: the reference rule is one policy, the authenticated role's own, in
// the auth stack beside the role; the guest role gets nothing, the uploads stack holds no policy.
func TestReferenceRulePolicies(t *testing.T) {
	r := referenceApp()
	for _, env := range []string{"dev", "prod"} {
		r.check(t, env+"/Uploads").ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(0))
		tmpl := r.check(t, env+"/Auth")
		tmpl.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(1))
		tmpl.HasResource(jsii.String("AWS::IAM::Policy"), M{
			"Properties": M{
				"PolicyDocument": assertions.Match_ObjectEquals(&M{"Version": "2012-10-17", "Statement": referenceOwnerStatementsIn(env)}),
				"Roles":          []any{M{"Ref": "SignInIdentityPoolAuthenticatedRoleC65421B5"}},
			},
			// The IAM5 suppression names exactly the owner wildcard, nothing broader.
			"Metadata": M{"cdk_nag": M{"rules_to_suppress": []any{M{
				"id": "AwsSolutions-IAM5",
				"applies_to": []any{"Resource::<" + uploadBucket + ".Arn>/" + map[string]string{
					"dev": "protected/<aws:PrincipalTag/sub>/*", "prod": "protected/<cognito-identity.amazonaws.com:sub>/*"}[env]},
				"reason": assertions.Match_StringLikeRegexp(jsii.String(".{20,}")),
			}}}},
		})
	}
}

// TestGroupRolesKeepOwnerAccess: a user in a group signs in with the group's role, and keeps
// their own folder (amplify-backend#1771); with KMS, every rule role may use the key via S3 only.
func TestGroupRolesKeepOwnerAccess(t *testing.T) {
	r := referenceApp()
	tmpl := r.check(t, "full/Auth")
	tmpl.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(3))
	kms := M{"Sid": "UseUploadKeyThroughS3", "Effect": "Allow",
		"Action":    []any{"kms:Decrypt", "kms:GenerateDataKey"},
		"Resource":  uploadsOutput("full", uploadKeyArnOutput),
		"Condition": M{"StringEquals": M{"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}}
	for _, role := range []string{
		"SignInIdentityPoolAuthenticatedRoleC65421B5",
		"SignInGroupadminsRoleEE384522",
		"SignInGroupeditorsRole6554BEDB",
	} {
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), M{
			"PolicyDocument": assertions.Match_ObjectEquals(&M{"Version": "2012-10-17",
				"Statement": append(referenceOwnerStatementsIn("full"), kms)}),
			"Roles": []any{M{"Ref": role}},
		})
	}
}

// TestLibraryRules: guest, authenticated, group and grant rules become exactly their statements.
func TestLibraryRules(t *testing.T) {
	r := referenceApp()
	tmpl := r.check(t, "library/Library")
	const bucket = "Files74647968"
	private := "private/${cognito-identity.amazonaws.com:sub}/"
	ownerPrivate := M{"Sid": "OwnerPrivateEntityIdObjects", "Effect": "Allow",
		"Action":   []any{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"},
		"Resource": objectsOf(bucket, private+"*")}
	list := func(sid, prefix string) M {
		return M{"Sid": sid, "Effect": "Allow", "Action": "s3:ListBucket", "Resource": arnOf(bucket),
			"Condition": M{"StringLike": M{"s3:prefix": []any{prefix, prefix + "*"}}}}
	}
	authenticatedPublic := []any{
		M{"Sid": "AuthenticatedPublicObjects", "Effect": "Allow",
			"Action":   []any{"s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"},
			"Resource": objectsOf(bucket, "public/*")},
		list("AuthenticatedPublicList", "public/"),
	}
	policies := map[string][]any{
		// The owner rule has no list action: no ListBucket on private/.
		"AuthIdentityPoolAuthenticatedRole09311B20": append([]any{ownerPrivate}, authenticatedPublic...),
		"AuthIdentityPoolUnauthenticatedRoleA421F307": {
			M{"Sid": "GuestPublicObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": objectsOf(bucket, "public/*")},
			list("GuestPublicList", "public/"),
		},
		"AuthGroupeditorsRole4DAC2371": append(append([]any{ownerPrivate}, authenticatedPublic...),
			M{"Sid": "GroupEditorsSharedObjects", "Effect": "Allow",
				"Action":   []any{"s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"},
				"Resource": objectsOf(bucket, "shared/*")},
			list("GroupEditorsSharedList", "shared/")),
		// GrantRead: get and a prefix-conditioned list, on reports/ only.
		"ServerRole6DE95D20": {
			M{"Effect": "Allow", "Action": "s3:GetObject", "Resource": objectsOf(bucket, "reports/*")},
			M{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": arnOf(bucket),
				"Condition": M{"StringLike": M{"s3:prefix": []any{"reports/", "reports/*"}}}},
		},
	}
	// These, and the ECS task execution role's log policy (TestWebpageRoleAttachesToTaskDefinition).
	tmpl.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(float64(len(policies)+1)))
	for role, statements := range policies {
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), M{
			"PolicyDocument": assertions.Match_ObjectEquals(&M{"Version": "2012-10-17", "Statement": statements}),
			"Roles":          []any{M{"Ref": role}},
		})
	}
}
