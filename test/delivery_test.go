package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/app/contract"
	"github.com/gatehouse-cdk/gatehouse/constructs/delivery"
	"github.com/gatehouse-cdk/gatehouse/internal/logicalids"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// Logical ids of the delivery resources (the stateful ones are pinned in logical_ids_test.go).
const (
	distribution   = "ImagesF8C4E866"
	originAccess   = "ImagesOriginAccessA0BAA0FF"
	keyGroup       = "ImagesKeyGroupB4261EB3"
	headersPolicy  = "ImagesHeaders8DC355B8"
	signerFunction = "SignerFunction632149FF"
	signerRole     = "SignerFunctionRole082BE70A"
	signerLogs     = "SignerFunctionLogsE26B846F"
	signingKey     = logicalids.SigningKeySecret
	deliveryLogs   = logicalids.DeliveryLogBucket
)

// cachingOptimized is the id of CloudFront's managed CachingOptimized policy: no query string,
// cookie or header in the cache key; gzip and brotli.
const cachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"

// deliveryKeys are the public key files each environment configures.
var deliveryKeys = map[string][]string{
	"dev":  {"app/keys/dev-cdn.pem"},
	"prod": {"app/keys/prod-cdn.pem"},
	"full": {"test/testdata/cdn-keys/key-1.pem", "test/testdata/cdn-keys/key-2.pem"},
}

// TestImageDistribution: origin access control on the private bucket, a signature from the key
// group on every behaviour, HTTPS only, HTTP/2 and 3, a cache key without the signature, the
// security headers, and a custom domain with TLS 1.2 where configured.
func TestImageDistribution(t *testing.T) {
	r := referenceApp()
	for _, env := range allEnvs {
		tmpl := r.check(t, env+"/Uploads")
		config := M{
			"DefaultCacheBehavior": assertions.Match_ObjectEquals(&M{
				"TargetOriginId":          assertions.Match_AnyValue(),
				"ViewerProtocolPolicy":    "https-only",
				"AllowedMethods":          []any{"GET", "HEAD"},
				"CachedMethods":           []any{"GET", "HEAD"},
				"CachePolicyId":           cachingOptimized,
				"ResponseHeadersPolicyId": M{"Ref": headersPolicy},
				"Compress":                true,
				"TrustedKeyGroups":        []any{M{"Ref": keyGroup}},
			}),
			// The default behaviour is the only one: nothing is served unsigned.
			"CacheBehaviors": assertions.Match_Absent(),
			"Origins": []any{assertions.Match_ObjectEquals(&M{
				"Id":                    assertions.Match_AnyValue(),
				"DomainName":            M{"Fn::GetAtt": []any{uploadBucket, "RegionalDomainName"}},
				"OriginAccessControlId": M{"Fn::GetAtt": []any{originAccess, "Id"}},
				"S3OriginConfig":        M{"OriginAccessIdentity": ""},
			})},
			"HttpVersion": "http2and3",
			"IPV6Enabled": true,
			"Enabled":     true,
			// Legacy logging would need bucket ACLs: logs go through log delivery (DeliveryLogs).
			"Logging":           assertions.Match_Absent(),
			"DefaultRootObject": assertions.Match_Absent(),
			"WebACLId":          assertions.Match_Absent(),
		}
		if env == "full" {
			config["PriceClass"] = "PriceClass_All"
			config["Aliases"] = []any{"images.example.com"}
			config["ViewerCertificate"] = assertions.Match_ObjectEquals(&M{
				"AcmCertificateArn":      "arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-4234-8234-123456789012",
				"MinimumProtocolVersion": "TLSv1.2_2021",
				"SslSupportMethod":       "sni-only",
			})
		} else {
			config["PriceClass"] = "PriceClass_100"
			config["Aliases"] = assertions.Match_Absent()
			config["ViewerCertificate"] = assertions.Match_Absent()
		}
		tmpl.ResourceCountIs(jsii.String("AWS::CloudFront::Distribution"), jsii.Number(1))
		tmpl.HasResourceProperties(jsii.String("AWS::CloudFront::Distribution"), M{"DistributionConfig": config})
		tmpl.ResourceCountIs(jsii.String("AWS::CloudFront::CloudFrontOriginAccessIdentity"), jsii.Number(0))
		tmpl.HasResourceProperties(jsii.String("AWS::CloudFront::OriginAccessControl"), M{"OriginAccessControlConfig": M{
			"OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4",
		}})

		// The key group holds exactly the configured public keys, as written in their files.
		var keyRefs []any
		for _, path := range deliveryKeys[env] {
			pem := string(must(os.ReadFile(filepath.Join(repoRoot, path))))
			tmpl.HasResourceProperties(jsii.String("AWS::CloudFront::PublicKey"), M{"PublicKeyConfig": M{"EncodedKey": pem}})
			keyRefs = append(keyRefs, M{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^ImagesKey[0-9a-f]{16}"))})
		}
		tmpl.ResourceCountIs(jsii.String("AWS::CloudFront::PublicKey"), jsii.Number(float64(len(keyRefs))))
		tmpl.HasResourceProperties(jsii.String("AWS::CloudFront::KeyGroup"), M{"KeyGroupConfig": M{"Items": keyRefs}})

		tmpl.HasResourceProperties(jsii.String("AWS::CloudFront::ResponseHeadersPolicy"), M{"ResponseHeadersPolicyConfig": M{
			"SecurityHeadersConfig": assertions.Match_ObjectEquals(&M{
				"StrictTransportSecurity": M{"AccessControlMaxAgeSec": 63072000, "IncludeSubdomains": true, "Override": true},
				"ContentTypeOptions":      M{"Override": true},
				"FrameOptions":            M{"FrameOption": "DENY", "Override": true},
				"ReferrerPolicy":          M{"ReferrerPolicy": "no-referrer", "Override": true},
				"ContentSecurityPolicy":   M{"ContentSecurityPolicy": delivery.ContentSecurityPolicy, "Override": true},
			}),
		}})
	}
}

// withAccount is how a template writes before+<account>+after: one string with a literal
// account, a join with the AWS::AccountId reference otherwise (then, joined with a value after,
// its parts go into the same join).
func withAccount(env, before, after string, then ...any) any {
	if account, ok := accountOf[env].(string); ok {
		if len(then) == 0 {
			return before + account + after
		}
		return M{"Fn::Join": []any{"", append([]any{before + account + after}, then...)}}
	}
	return M{"Fn::Join": []any{"", append([]any{before, accountOf[env], after}, then...)}}
}

// distributionArn is how a template names the distribution's ARN.
func distributionArn(env string) any {
	return withAccount(env, "arn:aws:cloudfront::", ":distribution/", M{"Ref": distribution})
}

// TestOnlyThisDistributionReadsTheDeliveredPaths: the upload bucket's policy is its TLS denies
// plus one statement: CloudFront may get objects under protected/, only for this distribution.
// No listing, no writes, nothing on the whole bucket.
func TestOnlyThisDistributionReadsTheDeliveredPaths(t *testing.T) {
	r := referenceApp()
	for _, env := range allEnvs {
		tmpl := r.check(t, env+"/Uploads")
		statements := append(tlsOnly(uploadBucket), M{
			"Sid": "CloudFrontReadsDeliveredPaths", "Effect": "Allow", "Action": "s3:GetObject",
			"Principal": M{"Service": "cloudfront.amazonaws.com"},
			"Resource":  objectsOf(uploadBucket, "protected/*"),
			"Condition": M{"StringEquals": M{"AWS:SourceArn": distributionArn(env)}},
		})
		tmpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), M{
			"Bucket": M{"Ref": uploadBucket}, "PolicyDocument": policyOf(statements...),
		})
	}
	// With a customer managed key, CloudFront may decrypt for distributions of this account,
	// with the source condition only, as AWS documents it (the key cannot name the
	// distribution: see package delivery); no kms:ViaService, which S3 is not documented to set
	// for CloudFront's reads.
	r.check(t, "full/Uploads").HasResourceProperties(jsii.String("AWS::KMS::Key"), M{"KeyPolicy": M{"Statement": assertions.Match_ArrayWith(&[]any{M{
		"Sid": "CloudFrontDistributionsDecrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
		"Principal": M{"Service": "cloudfront.amazonaws.com"},
		"Condition": M{"ArnLike": M{"AWS:SourceArn": "arn:aws:cloudfront::111122223333:distribution/*"}},
	}})}})
}

// TestSigner: the signer function, its role's exact policy, and the secret: retained, its value
// generated (never in the template), readable by the signer's role alone.
func TestSigner(t *testing.T) {
	r := referenceApp()
	for _, env := range allEnvs {
		tmpl := r.check(t, env+"/Delivery")
		tmpl.HasResource(jsii.String("AWS::SecretsManager::Secret"), M{
			"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
			"Properties": M{"SecretString": assertions.Match_Absent(), "GenerateSecretString": M{"PasswordLength": 32, "ExcludePunctuation": true}},
		})
		tmpl.HasResourceProperties(jsii.String("AWS::SecretsManager::ResourcePolicy"), M{
			"SecretId": M{"Ref": signingKey},
			"ResourcePolicy": policyOf(M{"Sid": "OnlyTheSignerReadsTheKey", "Effect": "Deny", "Principal": M{"AWS": "*"},
				"Action": "secretsmanager:GetSecretValue", "Resource": "*",
				"Condition": M{"ArnNotEquals": M{"aws:PrincipalArn": arnOf(signerRole)}}}),
		})
		// The role: Lambda of this account; the secret and its own log group, nothing else.
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), M{
			"AssumeRolePolicyDocument": policyOf(M{"Action": "sts:AssumeRole", "Effect": "Allow",
				"Principal": M{"Service": "lambda.amazonaws.com"}, "Condition": M{"StringEquals": M{"aws:SourceAccount": accountOf[env]}}}),
			"Policies": assertions.Match_Absent(), "ManagedPolicyArns": assertions.Match_Absent(),
		})
		tmpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(1))
		tmpl.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(2))
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), M{
			"PolicyDocument": policyOf(M{"Sid": "ReadSigningKey", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": M{"Ref": signingKey}}),
			"Roles":          []any{M{"Ref": signerRole}},
		})
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), M{
			"PolicyDocument": policyOf(M{"Sid": "WriteOwnLogGroup", "Effect": "Allow",
				"Action": []any{"logs:CreateLogStream", "logs:PutLogEvents"}, "Resource": arnOf(signerLogs)}),
			"Roles": []any{M{"Ref": signerRole}},
		})
		// Nothing but the trust role's own policy lets anyone invoke it: no resource policy.
		tmpl.ResourceCountIs(jsii.String("AWS::Lambda::Permission"), jsii.Number(0))
		ttl := map[string]string{"dev": "900", "prod": "600", "full": "300"}[env]
		// Signatures name the domain viewers use: the custom domain where there is one.
		var domain any = uploadsOutput(env, "PublishOutputFnGetAttImagesF8C4E866DomainNameDDEDDD27")
		if env == "full" {
			domain = "images.example.com"
		}
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), M{
			"Runtime": "provided.al2023", "Architectures": []any{"arm64"}, "Handler": "bootstrap", "Role": arnOf(signerRole),
			"Environment": M{"Variables": assertions.Match_ObjectEquals(withOwnerKey(env, M{
				"USER_POOL_ID":           authOutput(env, "PublishOutputRefSignInUserPoolA2C003D1709FDFED"),
				"USER_POOL_CLIENT_ID":    authOutput(env, "PublishOutputRefSignInUserPoolWebClient9BA5B3B3E3D74A23"),
				"IDENTITY_POOL_ID":       authOutput(env, "PublishOutputRefSignInIdentityPool9123F5A75987E121"),
				"DISTRIBUTION_DOMAIN":    domain,
				"DELIVERED_FOLDER":       "protected/",
				"TRUSTED_KEYS":           assertions.Match_AnyValue(),
				"SIGNING_KEY_SECRET_ARN": M{"Ref": signingKey},
				"SIGNATURE_TTL_SECONDS":  ttl,
			}))},
		})
		tmpl.HasResource(jsii.String("AWS::Logs::LogGroup"), M{"DeletionPolicy": "Retain", "Properties": M{"RetentionInDays": 90}})
		for _, key := range []string{contract.SignerFunctionName, contract.SignerFunctionArn, contract.SigningKeySecretArn} {
			tmpl.HasOutput(jsii.String(key), M{"Value": assertions.Match_AnyValue()})
		}
	}
	// The signer learns which key id each private key has: every trusted key, by fingerprint.
	fn := resourcesOfType(r.json["full/Delivery"], "AWS::Lambda::Function")[signerFunction]
	trusted := compactJSON(fn["Properties"].(map[string]any)["Environment"].(map[string]any)["Variables"].(map[string]any)["TRUSTED_KEYS"])
	for _, fingerprint := range []string{fingerprintOf(t, "test/testdata/cdn-keys/key-1.pem"), fingerprintOf(t, "test/testdata/cdn-keys/key-2.pem")} {
		if !strings.Contains(trusted, "="+fingerprint) {
			t.Errorf("TRUSTED_KEYS = %s, want a key with fingerprint %s", trusted, fingerprint)
		}
	}
}

func authOutput(env, output string) M {
	return M{"Fn::GetStackOutput": M{"StackName": "gatehouse-" + env + "-auth", "Region": regionOf[env], "OutputName": output}}
}

// TestNoPrivateKeyInAnyTemplate: the assembly holds public keys only.
func TestNoPrivateKeyInAnyTemplate(t *testing.T) {
	r := referenceApp()
	for _, name := range r.stackNames() {
		if text := compactJSON(r.json[name]); strings.Contains(text, "PRIVATE KEY") {
			t.Errorf("%s holds a private key", name)
		}
	}
}

// TestDeliveryLogs: the distribution's access logs go, through log delivery in us-east-1, to a
// retained, expiring, ACL-free bucket only log delivery of this account may write to.
func TestDeliveryLogs(t *testing.T) {
	r := referenceApp()
	for _, env := range allEnvs {
		if region := *r.stack(env + "/DeliveryLogs").Region(); region != "us-east-1" {
			t.Errorf("%s/DeliveryLogs is in %s, want us-east-1", env, region)
		}
		tmpl := r.check(t, env+"/DeliveryLogs")
		days := map[string]int{"dev": 365, "prod": 365, "full": 90}[env]
		tmpl.HasResource(jsii.String("AWS::S3::Bucket"), M{
			"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
			"Properties": M{
				"PublicAccessBlockConfiguration": assertions.Match_ObjectEquals(&blockAll),
				"OwnershipControls":              M{"Rules": []any{M{"ObjectOwnership": "BucketOwnerEnforced"}}},
				"BucketEncryption":               M{"ServerSideEncryptionConfiguration": []any{M{"ServerSideEncryptionByDefault": M{"SSEAlgorithm": "AES256"}}}},
				"LifecycleConfiguration":         M{"Rules": []any{M{"Id": "ExpireAccessLogs", "ExpirationInDays": days, "Status": "Enabled"}}},
			},
		})
		account := accountOf[env]
		sources := withAccount(env, "arn:aws:logs:us-east-1:", ":delivery-source:*")
		written := M{"Fn::Join": []any{"", []any{arnOf(deliveryLogs), "/AWSLogs/", account, "/*"}}}
		if literal, ok := account.(string); ok {
			written = objectsOf(deliveryLogs, "AWSLogs/"+literal+"/*")
		}
		statements := append(tlsOnly(deliveryLogs),
			M{"Sid": "LogDeliveryWrites", "Effect": "Allow", "Action": "s3:PutObject", "Principal": M{"Service": "delivery.logs.amazonaws.com"},
				"Resource":  written,
				"Condition": M{"StringEquals": M{"aws:SourceAccount": account, "s3:x-amz-acl": "bucket-owner-full-control"}, "ArnLike": M{"aws:SourceArn": sources}}},
			M{"Sid": "LogDeliveryChecksAcl", "Effect": "Allow", "Action": "s3:GetBucketAcl", "Principal": M{"Service": "delivery.logs.amazonaws.com"},
				"Resource":  arnOf(deliveryLogs),
				"Condition": M{"StringEquals": M{"aws:SourceAccount": account}, "ArnLike": M{"aws:SourceArn": sources}}},
		)
		tmpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), M{"Bucket": M{"Ref": deliveryLogs}, "PolicyDocument": policyOf(statements...)})
		tmpl.HasResourceProperties(jsii.String("AWS::Logs::DeliverySource"), M{
			"LogType":     "ACCESS_LOGS",
			"ResourceArn": withAccount(env, "arn:aws:cloudfront::", ":distribution/", uploadsOutput(env, "PublishOutputRefImagesF8C4E866511968DB")),
		})
		tmpl.HasResourceProperties(jsii.String("AWS::Logs::DeliveryDestination"), M{"DestinationResourceArn": arnOf(deliveryLogs)})
		tmpl.ResourceCountIs(jsii.String("AWS::Logs::Delivery"), jsii.Number(1))
	}
}

// fingerprintOf is the fingerprint of the public key in the file at path (from the repository).
func fingerprintOf(t *testing.T, path string) string {
	t.Helper()
	key, why := limits.PublicKey(string(must(os.ReadFile(filepath.Join(repoRoot, path)))))
	if why != "" {
		t.Fatalf("%s %s", path, why)
	}
	return limits.KeyFingerprint(key)
}

// TestSignerIsToldTheDeployedValues resolves the signer's environment as CloudFormation would
// (through the other stacks' outputs) and reads it as the function does: the viewers' domain,
// and every public key's id under its fingerprint.
func TestSignerIsToldTheDeployedValues(t *testing.T) {
	m := must(referenceModel())
	for _, env := range allEnvs {
		raw := must(m.Property(env+"/Delivery", signerFunction, "Environment"))
		vars := raw.(map[string]any)["Variables"].(map[string]any)
		// (The sign-in's values: TestFunctionsActingForUsersKnowTheirSignIn.)
		want := map[string]string{
			"DISTRIBUTION_DOMAIN": must(m.Attr(env+"/Uploads", distribution, "DomainName")),
		}
		if env == "full" {
			want["DISTRIBUTION_DOMAIN"] = "images.example.com"
		}
		for key, value := range want {
			if vars[key] != value {
				t.Errorf("%s: %s = %v, want %s", env, key, vars[key], value)
			}
		}
		trusted, err := limits.ParseTrustedKeys(vars["TRUSTED_KEYS"].(string))
		if err != nil {
			t.Fatalf("%s: TRUSTED_KEYS: %v", env, err)
		}
		if len(trusted) != len(deliveryKeys[env]) {
			t.Errorf("%s: TRUSTED_KEYS = %v, want %d keys", env, trusted, len(deliveryKeys[env]))
		}
		for _, path := range deliveryKeys[env] {
			fingerprint := fingerprintOf(t, path)
			if id := must(m.Attr(env+"/Uploads", "ImagesKey"+fingerprint[:16]+publicKeyHash(t, env, fingerprint), "Ref")); trusted[fingerprint] != id {
				t.Errorf("%s: key %s has id %q in TRUSTED_KEYS, want %q", env, path, trusted[fingerprint], id)
			}
		}
	}
}

// publicKeyHash is the hash CDK appends to the logical id of the public key with fingerprint.
func publicKeyHash(t *testing.T, env, fingerprint string) string {
	t.Helper()
	for id := range resourcesOfType(referenceApp().json[env+"/Uploads"], "AWS::CloudFront::PublicKey") {
		if rest, ok := strings.CutPrefix(id, "ImagesKey"+fingerprint[:16]); ok {
			return rest
		}
	}
	t.Fatalf("%s: no public key resource for %s", env, fingerprint)
	return ""
}
