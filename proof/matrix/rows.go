package matrix

import (
	"strings"

	"github.com/gatehouse-cdk/gatehouse/access"
)

// shownKeys are the context keys a row's resource text shows after the resource, in this order,
// when its request carries them: what decides the row besides who asks for what.
var shownKeys = []string{"s3:prefix", "sts:RoleSessionName", "sts:ExternalId", "aws:SourceAccount", "aws:SourceArn",
	"kms:ViaService", "s3:x-amz-acl", "iam:PermissionsBoundary", "aws:SecureTransport", "s3:TlsVersion"}

// rowBook collects one area's rows. Every area's rows are made by its add, which writes the
// resource as readers see it: with the area's names for the values in it (short), and the
// context keys that decide it.
type rowBook struct {
	short *strings.Replacer
	rows  []Row
}

// newBook is a book whose rows name values by names: pairs of value, name (e.g. a bucket's
// name, "<uploads>").
func newBook(names ...string) *rowBook {
	return &rowBook{short: strings.NewReplacer(names...)}
}

// add records that req gets decision expect; who names the caller as the report shows it.
func (b *rowBook) add(who string, expect access.Decision, req access.Request) {
	b.rows = append(b.rows, Row{Who: who, Action: req.Action, Resource: b.resource(req), Request: req, Expect: expect})
}

// resource is req's resource as the report shows it: an S3 ARN without its prefix, the area's
// names for values, and the deciding context keys (TLS only when it is not the default).
func (b *rowBook) resource(req access.Request) string {
	text := strings.TrimPrefix(b.short.Replace(req.Resource), "arn:aws:s3:::")
	for _, key := range shownKeys {
		v, ok := req.Context.Lookup(key)
		switch {
		case !ok || (key == "aws:SecureTransport" && v[0] == "true"):
		case key == "s3:prefix":
			text += " prefix=" + b.short.Replace(strings.Join(v, ","))
		default:
			text += " " + key + "=" + b.short.Replace(v[0])
		}
	}
	// Log delivery must send the bucket-owner ACL header: say so when a row leaves it out.
	if _, ok := req.Context.Lookup("s3:x-amz-acl"); !ok && req.Principal == "delivery.logs.amazonaws.com" && req.Action == "s3:PutObject" {
		text += " (no s3:x-amz-acl)"
	}
	return text
}

// lookup finds an area's resources in the model by construct path or logical id, keeping the
// first failure: an area whose resource is missing (a renamed construct id) is an error naming
// it, never an area without rows. Check err after a run of lookups, before using their results.
type lookup struct {
	m   *access.Model
	err error
}

// attr is attribute attr of the resource with logical id id in stack ("" after a failure).
func (l *lookup) attr(stack, id, attr string) string {
	if l.err != nil {
		return ""
	}
	v, err := l.m.Attr(stack, id, attr)
	l.err = err
	return v
}

// outputs are the resolved outputs of stack (nil after a failure).
func (l *lookup) outputs(stack string) map[string]string {
	if l.err != nil {
		return nil
	}
	v, err := l.m.Outputs(stack)
	l.err = err
	return v
}

// role is the role of the role construct at path (nil after a failure).
func (l *lookup) role(path string) *access.Role {
	if l.err != nil {
		return nil
	}
	r, err := roleAt(l.m, path)
	l.err = err
	return r
}
