// The image delivery's rows.

package matrix

import (
	"strings"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/internal/logicalids"
)

// Logical ids of the delivery resources.
const (
	distributionID     = "ImagesF8C4E866"
	signingKeyID       = logicalids.SigningKeySecret
	signerFunctionID   = "SignerFunction632149FF"
	deliveryLogsID     = logicalids.DeliveryLogBucket
	uploadKeyID        = logicalids.UploadKey
	anotherDistributon = "EANOTHERDIST01"
)

// deliveryRows: the image distribution reads the delivered folder of the upload bucket and
// nothing else; the signer's role alone reads the signing key; only the trust role invokes the
// signer; log delivery writes the distribution's logs (when delivery is configured).
func deliveryRows(m *access.Model, env, uploads string, a access.Session, guest *access.Session) ([]Row, error) {
	uploadsStack, deliveryStack, logsStack := env+"/Uploads", env+"/Delivery", env+"/DeliveryLogs"
	look := &lookup{m: m}
	dist := look.attr(uploadsStack, distributionID, "Ref")
	signerRole := look.role(deliveryStack + "/Signer/Function/Role/Resource")
	secret := look.attr(deliveryStack, signingKeyID, "Ref")
	signer := look.attr(deliveryStack, signerFunctionID, "Arn")
	logs := look.attr(logsStack, deliveryLogsID, "Ref")
	webpage := look.role(env + "/Server/WebpageRole/Resource")
	trust := look.role(env + "/Server/TrustRole/Resource")
	items := look.role(env + "/Server/ItemsFunction/Role/Resource")
	server := look.outputs(env + "/Server")
	if look.err != nil {
		return nil, look.err
	}
	account := strings.SplitN(signerRole.ARN, ":", 6)[4]
	region := strings.SplitN(secret, ":", 6)[3]
	thisDist := "arn:aws:cloudfront::" + account + ":distribution/" + dist
	otherDist := "arn:aws:cloudfront::" + account + ":distribution/" + anotherDistributon
	book := newBook(thisDist, "<this distribution>", otherDist, "<another distribution>", "arn:aws:s3:::"+uploads, "<uploads>",
		"arn:aws:s3:::"+logs, "<delivery logs>", secret, "<signing key secret>", signer, "<signer>", signerRole.ARN, "<signer role>",
		IdentityA, "<A>", IdentityB, "<B>", account, "<this account>")
	add := book.add
	cloudfront := func(action, resource, distribution string) access.Request {
		return access.Request{Principal: "cloudfront.amazonaws.com", Action: action, Resource: resource,
			Context: access.Context{"AWS:SourceArn": {distribution}, "aws:SourceAccount": {account}}}
	}
	object := func(key string) string { return "arn:aws:s3:::" + uploads + "/" + key }
	photoOfA, photoOfB := object("protected/"+IdentityA+"/photo.jpg"), object("protected/"+IdentityB+"/photo.jpg")

	// CloudFront, for this distribution, reads the delivered folder; for another, nothing.
	add("CloudFront", access.Allow, cloudfront("s3:GetObject", photoOfA, thisDist))
	add("CloudFront", access.Allow, cloudfront("s3:GetObject", photoOfB, thisDist))
	add("CloudFront", access.ImplicitDeny, cloudfront("s3:GetObject", photoOfA, otherDist))
	add("CloudFront", access.ImplicitDeny, cloudfront("s3:GetObject", object("private/report.pdf"), thisDist))
	add("CloudFront", access.ImplicitDeny, cloudfront("s3:GetObject", object("photo.jpg"), thisDist))
	for _, action := range []string{"s3:PutObject", "s3:DeleteObject", "s3:GetObjectAcl"} {
		add("CloudFront", access.ImplicitDeny, cloudfront(action, photoOfA, thisDist))
	}
	add("CloudFront", access.ImplicitDeny, cloudfront("s3:ListBucket", "arn:aws:s3:::"+uploads, thisDist))
	add("CloudFront", access.ImplicitDeny, cloudfront("s3:PutBucketPolicy", "arn:aws:s3:::"+uploads, thisDist))
	// Over plain HTTP even this distribution is refused (the bucket's TLS rule).
	insecure := cloudfront("s3:GetObject", photoOfA, thisDist)
	insecure.Context["aws:SecureTransport"] = []string{"false"}
	add("CloudFront", access.ExplicitDeny, insecure)
	// With a customer managed key: distributions of this account decrypt, by the source
	// condition AWS documents (which object one reads at all is the bucket's decision, above);
	// no other account's distribution, no other use of the key, no other principal.
	if key, err := m.Attr(uploadsStack, uploadKeyID, "Arn"); err == nil {
		add("CloudFront", access.Allow, cloudfront("kms:Decrypt", key, thisDist))
		add("CloudFront", access.ImplicitDeny, cloudfront("kms:Decrypt", key, "arn:aws:cloudfront::999999999999:distribution/"+anotherDistributon))
		for _, action := range []string{"kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom"} {
			add("CloudFront", access.ImplicitDeny, cloudfront(action, key, thisDist))
		}
		lambda := cloudfront("kms:Decrypt", key, thisDist)
		lambda.Principal = "lambda.amazonaws.com"
		add("Lambda", access.ImplicitDeny, lambda)
		for _, r := range []struct {
			who  string
			role *access.Role
		}{{"signer role", signerRole}, {"webpage role", webpage}, {"trust role", trust}, {"items function role", items}} {
			add(r.who, access.ImplicitDeny, access.Request{Principal: SessionFor(r.role, "s"), Action: "kms:Decrypt", Resource: key})
		}
		add("A", access.ImplicitDeny, a.Request("kms:Decrypt", key, nil))
	}
	// A signed-in identity still reaches only its own folder directly.
	add("A", access.ImplicitDeny, a.Request("s3:GetObject", photoOfB, nil))

	// The signing key: its signer's role reads it; every other principal is denied by the
	// secret's own policy, whatever its identity policies say.
	signerSession := SessionFor(signerRole, "signer")
	add("signer role", access.Allow, access.Request{Principal: signerSession, Action: "secretsmanager:GetSecretValue", Resource: secret})
	for _, action := range []string{"secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy"} {
		add("signer role", access.ImplicitDeny, access.Request{Principal: signerSession, Action: action, Resource: secret})
	}
	add("signer role", access.ImplicitDeny, access.Request{Principal: signerSession, Action: "secretsmanager:GetSecretValue",
		Resource: "arn:aws:secretsmanager:" + region + ":" + account + ":secret:another-secret-AbCdEf"})
	add("signer role", access.ImplicitDeny, access.Request{Principal: signerSession, Action: "s3:GetObject", Resource: photoOfA})
	add("signer role", access.ImplicitDeny, access.Request{Principal: signerSession, Action: "sts:AssumeRole", Resource: trust.ARN,
		Context: access.Context{"sts:RoleSessionName": {server["RoleSessionName"]}}})
	// Everyone else who could try: the role chain's other roles, signed-in and guest identities,
	// the compute roles.
	type caller struct {
		who     string
		request func(action, resource string) access.Request
	}
	asRole := func(who, session string) caller {
		return caller{who, func(action, resource string) access.Request {
			return access.Request{Principal: session, Action: action, Resource: resource}
		}}
	}
	asIdentity := func(who string, s access.Session) caller {
		return caller{who, func(action, resource string) access.Request { return s.Request(action, resource, nil) }}
	}
	trustSession := SessionFor(trust, server["RoleSessionName"])
	others := []caller{
		asRole("webpage role", SessionFor(webpage, "ecs-task")),
		asRole("items function role", SessionFor(items, "items")),
		asIdentity("signed-in A", a),
	}
	if guest != nil {
		others = append(others, asIdentity("guest B", *guest))
	}
	for _, r := range hostingRoles(m, env) {
		others = append(others, asRole(r.who, r.session))
	}
	add("trust role", access.ExplicitDeny, access.Request{Principal: trustSession, Action: "secretsmanager:GetSecretValue", Resource: secret})
	for _, c := range others {
		add(c.who, access.ExplicitDeny, c.request("secretsmanager:GetSecretValue", secret))
	}
	// Only the trust role invokes the signer.
	add("trust role", access.Allow, access.Request{Principal: trustSession, Action: "lambda:InvokeFunction", Resource: signer})
	for _, c := range others {
		add(c.who, access.ImplicitDeny, c.request("lambda:InvokeFunction", signer))
	}
	add("signer role", access.ImplicitDeny, access.Request{Principal: signerSession, Action: "lambda:InvokeFunction", Resource: signer})

	// Log delivery writes the distribution's logs, for delivery sources of this account only.
	logObject := "arn:aws:s3:::" + logs + "/AWSLogs/" + account + "/CloudFront/" + dist + ".2026-11-26-12.gz"
	logDelivery := func(action, resource, sourceAccount string, acl bool) access.Request {
		ctx := access.Context{"aws:SourceAccount": {sourceAccount},
			"aws:SourceArn": {"arn:aws:logs:us-east-1:" + sourceAccount + ":delivery-source:images"}}
		if acl {
			ctx["s3:x-amz-acl"] = []string{"bucket-owner-full-control"}
		}
		return access.Request{Principal: "delivery.logs.amazonaws.com", Action: action, Resource: resource, Context: ctx}
	}
	add("log delivery", access.Allow, logDelivery("s3:PutObject", logObject, account, true))
	add("log delivery", access.Allow, logDelivery("s3:GetBucketAcl", "arn:aws:s3:::"+logs, account, false))
	add("log delivery", access.ImplicitDeny, logDelivery("s3:PutObject", logObject, account, false))
	add("log delivery for another account", access.ImplicitDeny, logDelivery("s3:PutObject", "arn:aws:s3:::"+logs+"/AWSLogs/999999999999/CloudFront/x.gz", "999999999999", true))
	add("log delivery", access.ImplicitDeny, logDelivery("s3:PutObject", "arn:aws:s3:::"+logs+"/elsewhere/x.gz", account, true))
	add("log delivery", access.ImplicitDeny, logDelivery("s3:GetObject", logObject, account, false))
	add("log delivery", access.ImplicitDeny, logDelivery("s3:PutObject", photoOfA, account, true))
	return book.rows, nil
}
