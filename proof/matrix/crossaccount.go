// The cross-account role's rows.

package matrix

import (
	"strings"

	"github.com/gatehouse-cdk/gatehouse/access"
)

// crossAccountRows: the role another account assumes with an external id (when configured).
func crossAccountRows(m *access.Model, env string) ([]Row, error) {
	stack := env + "/CrossAccount"
	look := &lookup{m: m}
	partner := look.role(stack + "/PartnerRole/Resource")
	if look.err != nil {
		return nil, look.err
	}
	trust := partner.Trust.Document.Statement[0]
	var trustedAccount, externalID, sessionName, trustedRole string
	for _, c := range trust.Condition {
		switch c.Key {
		case "sts:ExternalId":
			externalID = c.Values[0]
		case "sts:RoleSessionName":
			sessionName = c.Values[0]
		case "aws:PrincipalArn":
			trustedRole = c.Values[0]
		}
	}
	trustedAccount = strings.SplitN(trust.Principal["AWS"][0], ":", 6)[4]
	caller := trustedRole
	if caller == "" {
		caller = "arn:aws:iam::" + trustedAccount + ":role/partner"
	}
	exchange := look.attr(stack, exchangeBucketID, "Ref")
	topic := look.attr(stack, partnerTopicID, "Ref")
	if look.err != nil {
		return nil, look.err
	}
	book := newBook(partner.ARN, "<partner role>", "arn:aws:s3:::"+exchange, "<exchange>", topic, "<partner topic>", externalID, "<external id>")
	add := book.add
	assume := func(principal string, kv ...string) access.Request {
		c := access.Context{}
		if sessionName != "" {
			c["sts:RoleSessionName"] = []string{sessionName}
		}
		for i := 0; i+1 < len(kv); i += 2 {
			c[kv[i]] = []string{kv[i+1]}
		}
		return access.Request{Principal: principal, Action: "sts:AssumeRole", Resource: partner.ARN, Context: c}
	}
	add("trusted account", access.Allow, assume(caller, "sts:ExternalId", externalID))
	add("trusted account", access.ImplicitDeny, assume(caller))
	add("trusted account", access.ImplicitDeny, assume(caller, "sts:ExternalId", externalID+"-wrong"))
	if trustedRole != "" {
		add("another role of the trusted account", access.ImplicitDeny, assume("arn:aws:iam::"+trustedAccount+":role/someone-else", "sts:ExternalId", externalID))
	}
	add("another account", access.ImplicitDeny, assume(strings.Replace(caller, trustedAccount, "999999999999", 1), "sts:ExternalId", externalID))
	session := SessionFor(partner, "partner-sync")
	req := func(action, resource string, kv ...string) access.Request {
		c := access.Context{}
		for i := 0; i+1 < len(kv); i += 2 {
			c[kv[i]] = []string{kv[i+1]}
		}
		return access.Request{Principal: session, Action: action, Resource: resource, Context: c}
	}
	add("partner role", access.Allow, req("s3:GetObject", "arn:aws:s3:::"+exchange+"/outbox/report.csv"))
	add("partner role", access.Allow, req("s3:ListBucket", "arn:aws:s3:::"+exchange, "s3:prefix", "outbox/"))
	add("partner role", access.ImplicitDeny, req("s3:GetObject", "arn:aws:s3:::"+exchange+"/inbox/report.csv"))
	add("partner role", access.ImplicitDeny, req("s3:PutObject", "arn:aws:s3:::"+exchange+"/outbox/report.csv"))
	add("partner role", access.ExplicitDeny, req("s3:GetObject", "arn:aws:s3:::"+exchange+"/outbox/report.csv", "aws:SecureTransport", "false"))
	add("partner role", access.Allow, req("sns:Publish", topic))
	add("partner role", access.ExplicitDeny, req("sns:Publish", topic, "aws:SecureTransport", "false"))
	add("partner role", access.ImplicitDeny, req("sns:Subscribe", topic))
	add("partner role", access.ImplicitDeny, req("sns:DeleteTopic", topic))
	account := strings.SplitN(partner.ARN, ":", 6)[4]
	// IAM: denied by the permissions boundary (explicitly), whatever a policy of the role says.
	add("partner role", access.ExplicitDeny, req("iam:CreateUser", "arn:aws:iam::"+account+":user/backdoor"))
	for _, action := range []string{"iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PassRole"} {
		add("partner role", access.ExplicitDeny, req(action, partner.ARN))
	}
	return book.rows, nil
}
