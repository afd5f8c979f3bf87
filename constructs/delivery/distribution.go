// Package delivery serves users' private uploads through CloudFront: a distribution in front of
// the upload bucket that answers only requests signed with a key the app holds (NewImageDistribution),
// the asset function that makes such signatures for a signed-in user's own folder
// (NewSigner), and the distribution's access logs (NewAccessLogs, in us-east-1).
//
// Why each default is safe:
//   - The bucket stays private: CloudFront reads it through origin access control (SigV4 on
//     every request; no origin access identity, no public access, no website endpoint). The
//     bucket policy lets cloudfront.amazonaws.com s3:GetObject only under the delivered paths
//     (protected/ by default), only for this distribution (AWS:SourceArn); no listing, no
//     writes. With a customer managed key, the key policy lets CloudFront distributions of
//     this account decrypt (AWS:SourceArn, as AWS documents it for origin access control): the
//     key cannot name this distribution (the key, the bucket and the distribution would need
//     each other first), so the bucket policy, which does, decides which distribution reads
//     anything.
//   - Nothing is served unsigned: the one behaviour trusts only this construct's key group. A
//     signature is made by NewSigner for one identity's folder and expires in minutes.
//   - The signer decides whose folder from the caller's Cognito ID token, which it verifies
//     itself against the sign-in it is given (assetfn.AssetFunctionProps.VerifiesUsersOf), never
//     from a claim in its payload: a holder of the trust role can get a signature only for a
//     user whose token it has.
//   - HTTPS only (HTTP is refused, not redirected); HTTP/2 and HTTP/3; TLS 1.2 at least with a
//     custom domain (the *.cloudfront.net certificate cannot be restricted).
//   - The cache key ignores query strings, cookies and headers (the managed CachingOptimized
//     policy): the signature is not part of it, so repeat views of an image hit the cache; GET
//     and HEAD only; compression on.
//   - Responses carry HSTS (two years, subdomains), nosniff, frame denial, no referrer, and a
//     content security policy that runs nothing: an uploaded HTML or SVG file opened from a
//     signed link cannot run script.
//   - Public keys come from PEM text (never a private key); each key's resource is named by its
//     fingerprint, so reordering the keys while rotating keeps every key id.
//
// The distribution must be in the bucket's stack: the bucket's policy names the distribution,
// and the distribution names the bucket, so in two stacks each would need the other deployed
// first (aws-cdk#31462). NewSigner and NewAccessLogs may be in other stacks.
package delivery

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudfront"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gatehouse-cdk/gatehouse/internal/guard"
	"github.com/gatehouse-cdk/gatehouse/internal/nag"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// DefaultPaths are the folders a distribution serves unless told otherwise: the identities'
// own folders of the reference access rules.
var DefaultPaths = []string{"protected/"}

// ContentSecurityPolicy is sent with every object: nothing in a delivered file may load or run
// anything but its own image or media.
const ContentSecurityPolicy = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"

// HSTSMaxAgeSeconds is the Strict-Transport-Security max-age: two years.
const HSTSMaxAgeSeconds = 63072000

// ImageDistributionProps configure NewImageDistribution.
type ImageDistributionProps struct {
	// Bucket is the private bucket to serve, in this construct's stack. Required.
	Bucket awss3.IBucket
	// EncryptionKey is the bucket's customer managed KMS key, if it has one (in this
	// construct's stack): its policy then lets the distribution decrypt. Default none
	// (S3-managed keys).
	EncryptionKey awskms.IKey
	// Paths are the bucket's folders the distribution may read (limits.DeliveredPath). Default
	// DefaultPaths.
	Paths []string
	// PublicKeys are PEM RSA 2048 public keys whose private halves may sign requests: one, or
	// two while rotating (limits.MaxPublicKeys). Required.
	PublicKeys []string
	// PriceClass: which edge locations serve (limits.PriceClasses). Default PriceClass_100.
	PriceClass string
	// DomainName is a custom domain (alias); it needs CertificateArn and raises the viewers'
	// minimum to TLS 1.2. Default none: the distribution's *.cloudfront.net domain.
	DomainName string
	// CertificateArn is the ACM certificate for DomainName, in us-east-1. Required with
	// DomainName; Default none.
	CertificateArn string
}

// PropsScope names ImageDistributionProps in errors of Validate.
const PropsScope = "delivery.ImageDistributionProps"

func (p *ImageDistributionProps) withDefaults() ImageDistributionProps {
	q := guard.Copy(p)
	if len(q.Paths) == 0 {
		q.Paths = DefaultPaths
	}
	if q.PriceClass == "" {
		q.PriceClass = limits.PriceClasses[0]
	}
	return q
}

// Validate reports every problem of p (nil: the defaults) as a *limits.Error.
func (p *ImageDistributionProps) Validate() error {
	q := p.withDefaults()
	ps := limits.NewProblems(PropsScope)
	if q.Bucket == nil {
		ps.Add("Bucket", nil, "is required: the private bucket to serve (storage.UploadBucket.Bucket())")
	}
	for i, path := range q.Paths {
		limits.DeliveredPath.Check(ps, fmt.Sprintf("Paths[%d]", i), path)
	}
	keys := make([]limits.KeyText, len(q.PublicKeys))
	for i, pem := range q.PublicKeys {
		keys[i] = limits.KeyText{Name: fmt.Sprintf("<PEM text %d>", i), PEM: pem}
	}
	limits.PublicKeys(ps, "PublicKeys", keys)
	limits.PriceClasses.Check(ps, "PriceClass", q.PriceClass)
	limits.CustomDomain(ps, "", q.DomainName, q.CertificateArn, "DomainName", "CertificateArn")
	return ps.Err()
}

// ImageDistribution is the distribution, its origin access control, its public keys and key
// group, and its response headers policy.
type ImageDistribution struct {
	constructs.Construct
	distribution awscloudfront.Distribution
	keys         []TrustedKey
	keyGroup     awscloudfront.KeyGroup
	paths        []string
	customDomain string
}

// TrustedKey is a public key the distribution trusts: its CloudFront id (the Key-Pair-Id of a
// signature) and its fingerprint (limits.KeyFingerprint).
type TrustedKey struct {
	ID          *string
	Fingerprint string
}

// NewImageDistribution validates props and builds the distribution. Invalid props panic with a
// *limits.Error scoped to the construct's path.
func NewImageDistribution(scope constructs.Construct, id *string, props *ImageDistributionProps) *ImageDistribution {
	guard.Check(scope, id, props.Validate())
	p := props.withDefaults()
	d := &ImageDistribution{paths: append([]string(nil), p.Paths...), customDomain: p.DomainName}
	constructs.NewConstruct_Override(d, scope, id)
	stack := awscdk.Stack_Of(d)
	sameStack := limits.NewProblems(*d.Node().Path())
	if awscdk.Stack_Of(p.Bucket) != stack {
		sameStack.Add("Bucket", *p.Bucket.Node().Path(), "must be in this construct's stack: its policy names the distribution, which names the bucket (in two stacks, each would need the other deployed first)")
	}
	if p.EncryptionKey != nil && awscdk.Stack_Of(p.EncryptionKey) != stack {
		sameStack.Add("EncryptionKey", *p.EncryptionKey.Node().Path(), "must be in this construct's stack, with the bucket")
	}
	guard.Problems(sameStack)

	var keys []interfacesawscloudfront.IPublicKeyRef
	for i, pem := range p.PublicKeys {
		key, _ := limits.PublicKey(pem)
		fingerprint := limits.KeyFingerprint(key)
		public := awscloudfront.NewPublicKey(d, jsii.String("Key"+fingerprint[:16]), &awscloudfront.PublicKeyProps{
			EncodedKey: jsii.String(pem),
			Comment:    jsii.String(fmt.Sprintf("gatehouse signing key %d of %s, sha256 %s", i+1, *d.Node().Path(), fingerprint)),
		})
		keys = append(keys, public)
		d.keys = append(d.keys, TrustedKey{ID: public.PublicKeyId(), Fingerprint: fingerprint})
	}
	d.keyGroup = awscloudfront.NewKeyGroup(d, jsii.String("KeyGroup"), &awscloudfront.KeyGroupProps{
		Items:   &keys,
		Comment: jsii.String("Keys whose signatures " + *d.Node().Path() + " accepts"),
	})
	oac := awscloudfront.NewS3OriginAccessControl(d, jsii.String("OriginAccess"), &awscloudfront.S3OriginAccessControlProps{
		Description: jsii.String("SigV4-signed reads of " + *d.Node().Path() + "'s bucket"),
		Signing:     awscloudfront.Signing_SIGV4_ALWAYS(),
	})
	headers := awscloudfront.NewResponseHeadersPolicy(d, jsii.String("Headers"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("Security headers of " + *d.Node().Path()),
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: awscdk.Duration_Seconds(jsii.Number(HSTSMaxAgeSeconds)),
				IncludeSubdomains:   jsii.Bool(true),
				Override:            jsii.Bool(true),
			},
			ContentTypeOptions:    &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			FrameOptions:          &awscloudfront.ResponseHeadersFrameOptions{FrameOption: awscloudfront.HeadersFrameOption_DENY, Override: jsii.Bool(true)},
			ReferrerPolicy:        &awscloudfront.ResponseHeadersReferrerPolicy{ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_NO_REFERRER, Override: jsii.Bool(true)},
			ContentSecurityPolicy: &awscloudfront.ResponseHeadersContentSecurityPolicy{ContentSecurityPolicy: jsii.String(ContentSecurityPolicy), Override: jsii.Bool(true)},
		},
	})

	// Origin access control on a view of the bucket that CDK cannot add a policy to: CDK would
	// grant s3:GetObject on the whole bucket; grantOrigin writes the statement for the paths.
	awscdk.Annotations_Of(d).AcknowledgeWarning(jsii.String(importedBucketWarning), jsii.String("grantOrigin adds the bucket statement, limited to the delivered paths"))
	view := awss3.Bucket_FromBucketAttributes(d, jsii.String("Origin"), &awss3.BucketAttributes{
		BucketArn:                p.Bucket.BucketArn(),
		BucketRegionalDomainName: p.Bucket.BucketRegionalDomainName(),
	})
	origin := awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(view, &awscloudfrontorigins.S3BucketOriginWithOACProps{
		OriginAccessControl: oac,
		OriginAccessLevels:  &[]awscloudfront.AccessLevel{awscloudfront.AccessLevel_READ},
	})
	dp := &awscloudfront.DistributionProps{
		Comment: jsii.String("gatehouse private image delivery: " + *d.Node().Path()),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:                origin,
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_HTTPS_ONLY,
			AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
			CachedMethods:         awscloudfront.CachedMethods_CACHE_GET_HEAD(),
			CachePolicy:           awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
			ResponseHeadersPolicy: headers,
			Compress:              jsii.Bool(true),
			TrustedKeyGroups:      &[]interfacesawscloudfront.IKeyGroupRef{d.keyGroup},
		},
		HttpVersion: awscloudfront.HttpVersion_HTTP2_AND_3,
		PriceClass:  priceClasses[p.PriceClass],
		EnableIpv6:  jsii.Bool(true),
	}
	if p.DomainName != "" {
		dp.DomainNames = jsii.Strings(p.DomainName)
		dp.Certificate = awscertificatemanager.Certificate_FromCertificateArn(d, jsii.String("Certificate"), jsii.String(p.CertificateArn))
		dp.MinimumProtocolVersion = awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021
	}
	d.distribution = awscloudfront.NewDistribution(d, jsii.String("Resource"), dp)

	d.grantOrigin(p.Bucket, p.EncryptionKey)
	d.suppressFindings(p.DomainName != "")
	return d
}

// importedBucketWarning is what CDK says when it cannot add its (whole-bucket) statement to the
// bucket's policy.
const importedBucketWarning = "@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac"

var priceClasses = map[string]awscloudfront.PriceClass{
	"PriceClass_100": awscloudfront.PriceClass_PRICE_CLASS_100,
	"PriceClass_200": awscloudfront.PriceClass_PRICE_CLASS_200,
	"PriceClass_All": awscloudfront.PriceClass_PRICE_CLASS_ALL,
}

// grantOrigin lets this distribution, and nothing else through CloudFront, read the delivered
// paths (and decrypt them with the bucket's key).
func (d *ImageDistribution) grantOrigin(bucket awss3.IBucket, key awskms.IKey) {
	cloudfront := awsiam.NewServicePrincipal(jsii.String("cloudfront.amazonaws.com"), nil)
	thisDistribution := map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": d.distribution.DistributionArn()}}
	var objects []*string
	for _, path := range d.paths {
		objects = append(objects, bucket.ArnForObjects(jsii.String(path+"*")))
	}
	added := bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudFrontReadsDeliveredPaths"),
		Principals: &[]awsiam.IPrincipal{cloudfront},
		Actions:    jsii.Strings("s3:GetObject"),
		Resources:  &objects,
		Conditions: &thisDistribution,
	}))
	if !*added.StatementAdded {
		guard.Refuse(*d.Node().Path(), "Bucket", *bucket.Node().Path(), "has no policy this construct can add to (an imported bucket); pass the bucket construct itself")
	}
	if key == nil {
		return
	}
	// The key cannot name this distribution: the key would then need the distribution, which
	// needs the bucket, which needs the key (a cycle CloudFormation refuses). So it lets
	// CloudFront distributions of this account decrypt, with the source condition only, as
	// AWS documents the key statement for origin access control with SSE-KMS
	// (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html,
	// "SSE-KMS") and as aws-cdk-lib's S3BucketOrigin.withOriginAccessControl writes it when it
	// breaks the same cycle. No kms:ViaService: nothing documents that S3 sets it for
	// CloudFront's signed reads, and if it did not, every image would be a 403. The bucket
	// policy above, which names this distribution, is what lets one read an object at all; a
	// decrypt is useful only on the ciphertext of an object it reads.
	stack := awscdk.Stack_Of(d)
	distributions := "arn:" + *stack.Partition() + ":cloudfront::" + *stack.Account() + ":distribution/*"
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudFrontDistributionsDecrypt"),
		Principals: &[]awsiam.IPrincipal{cloudfront},
		Actions:    jsii.Strings("kms:Decrypt"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"ArnLike": map[string]any{"AWS:SourceArn": distributions},
		},
	}), jsii.Bool(false))
}

// suppressFindings records why the CloudFront findings that remain are safe here.
func (d *ImageDistribution) suppressFindings(customDomain bool) {
	suppressions := []nag.Suppression{
		{ID: "AwsSolutions-CFR1", Reason: "Every request must carry a signature the signer makes only for a signed-in user's own folder; where the viewer is adds nothing to that."},
		{ID: "AwsSolutions-CFR2", Reason: "Nothing is served without a short-lived signature for the caller's own folder, and no request reaches code: a WAF would filter requests CloudFront already refuses."},
		{ID: "AwsSolutions-CFR3", Reason: "Access logs go through CloudWatch log delivery (NewAccessLogs, in us-east-1) to an ACL-free bucket; the rule only sees the legacy logging, which needs bucket ACLs."},
	}
	if !customDomain {
		suppressions = append(suppressions, nag.Suppression{ID: "AwsSolutions-CFR4",
			Reason: "The default *.cloudfront.net certificate cannot set a minimum TLS version; a custom domain (DomainName, CertificateArn) raises it to TLS 1.2."})
	}
	nag.Suppress(d.distribution.Node().DefaultChild(), suppressions...)
}

// Distribution is the CloudFront distribution.
func (d *ImageDistribution) Distribution() awscloudfront.IDistribution { return d.distribution }

// DomainName is the distribution's *.cloudfront.net domain name.
func (d *ImageDistribution) DomainName() *string { return d.distribution.DistributionDomainName() }

// ViewerDomain is the domain viewers request images from, and signatures must name: the custom
// domain when there is one, else DomainName.
func (d *ImageDistribution) ViewerDomain() *string {
	if d.customDomain != "" {
		return jsii.String(d.customDomain)
	}
	return d.DomainName()
}

// DistributionArn is the distribution's ARN.
func (d *ImageDistribution) DistributionArn() *string { return d.distribution.DistributionArn() }

// TrustedKeys are the public keys the distribution trusts, in the order of PublicKeys.
func (d *ImageDistribution) TrustedKeys() []TrustedKey { return append([]TrustedKey(nil), d.keys...) }

// KeyGroup is the key group every behaviour trusts.
func (d *ImageDistribution) KeyGroup() awscloudfront.IKeyGroup { return d.keyGroup }

// Paths are the folders the distribution reads.
func (d *ImageDistribution) Paths() []string { return append([]string(nil), d.paths...) }
