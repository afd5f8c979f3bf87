// Package matrix is the reference app's access matrix: requests that signed-in identities,
// guests, other pools and other principals make, each with the decision gatehouse promises.
// The tests prove every row against the synthesized policies (and a second evaluator), and
// `make access-report` prints it for reviewers.
package matrix

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/app/config"
	"github.com/gatehouse-cdk/gatehouse/internal/logicalids"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// The identities of the matrix: identity-pool identity ids as Cognito issues them.
const (
	IdentityA = "ap-southeast-1:11111111-aaaa-4aaa-8aaa-111111111111"
	IdentityB = "ap-southeast-1:22222222-bbbb-4bbb-8bbb-222222222222"
	// OtherPool is an identity pool outside the app.
	OtherPool = "ap-southeast-1:99999999-9999-4999-8999-999999999999"
	// SubA and SubB are the user-pool subs of A and B (their ID tokens' sub claims).
	SubA = "a1a1a1a1-0000-4000-8000-00000000000a"
	SubB = "b2b2b2b2-0000-4000-8000-00000000000b"
	// OtherClient is a client id the identity pool does not accept.
	OtherClient = "0therc1ient0000000000000000"
)

// OwnerA is A's owner key under the environment's owner key: its identity id or its sub.
func OwnerA(cfg config.Environment) string { return ownerOf(cfg, IdentityA, SubA) }

// OwnerB is B's owner key.
func OwnerB(cfg config.Environment) string { return ownerOf(cfg, IdentityB, SubB) }

func ownerOf(cfg config.Environment, identity, sub string) string {
	if cfg.OwnerKey == limits.OwnerKeySub {
		return sub
	}
	return identity
}

// LoginA is A's sign-in to pool with a token of the web client (the pool's only provider),
// whose sub claim is SubA; preferredRole is a group role the token names, or "".
func LoginA(pool *access.IdentityPool, preferredRole string) access.Login {
	provider, client, _ := strings.Cut(pool.Providers[0], ":")
	return access.Login{Pool: pool.ID, IdentityID: IdentityA, Authenticated: true, PreferredRole: preferredRole,
		Provider: provider, Client: client, Claims: map[string]string{"sub": SubA, "aud": client}}
}

// Row is one request and the decision gatehouse promises for it.
type Row struct {
	Who      string
	Action   string
	Resource string // as readable text: ids shortened to A and B
	// Request is the request to evaluate; empty for a sign-in row.
	Request access.Request
	// SignIn, when set, makes the row an identity-pool sign-in (m.SignIn) instead of a request.
	SignIn *SignIn
	Expect access.Decision
}

// SignIn is an identity signing in to an identity pool.
type SignIn = access.Login

// Evaluate decides the row in model m.
func (r Row) Evaluate(m *access.Model) (access.Result, error) {
	if r.SignIn != nil {
		_, result, err := m.SignInWith(*r.SignIn)
		return result, err
	}
	return m.Evaluate(r.Request)
}

// Logical ids of the reference app's resources (pinned by the tests).
const (
	uploadBucketID   = logicalids.UploadBucket
	logBucketID      = logicalids.UploadLogBucket
	itemsTableID     = logicalids.ItemsTable
	itemsFunctionID  = "ItemsFunctionF3ACFEF0"
	itemsLogGroupID  = "ItemsFunctionLogsECA07D48"
	exchangeBucketID = logicalids.ExchangeBucket
	partnerTopicID   = "PartnerEventsF09E014A"
)

// SessionFor is the session ARN of a role of the model, as STS names it.
func SessionFor(role *access.Role, session string) string {
	account := strings.SplitN(role.ARN, ":", 6)[4]
	return fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", account, role.Name, session)
}

// roleAt finds the role of the role construct at path (its L1 is at path or path/Resource).
func roleAt(m *access.Model, path string) (*access.Role, error) {
	for _, r := range m.Roles {
		if r.Path == path || r.Path == path+"/Resource" {
			return r, nil
		}
	}
	return nil, fmt.Errorf("no role at %s", path)
}

// Reference builds the matrix for environment env of the reference app in model m; cfg is the
// environment's configuration, which says who else may assume the trust role.
func Reference(m *access.Model, env string, cfg config.Environment) ([]Row, error) {
	authStack, uploadsStack := env+"/Auth", env+"/Uploads"
	pool := poolOf(m, authStack)
	if pool == nil {
		return nil, fmt.Errorf("no identity pool in stack %s", authStack)
	}
	look := &lookup{m: m}
	bucket := look.attr(uploadsStack, uploadBucketID, "Ref")
	logs := look.attr(uploadsStack, logBucketID, "Ref")
	if look.err != nil {
		return nil, look.err
	}
	authRole := pool.Roles["authenticated"]
	if authRole == "" {
		return nil, fmt.Errorf("identity pool %s has no authenticated role", pool.ID)
	}
	guestRole := pool.Roles["unauthenticated"]

	if len(pool.Providers) != 1 {
		return nil, fmt.Errorf("identity pool %s accepts %d providers; the reference app has one, the web client", pool.ID, len(pool.Providers))
	}
	a, result, err := m.SignInWith(LoginA(pool, ""))
	if err != nil {
		return nil, err
	}
	if result.Decision != access.Allow {
		return nil, fmt.Errorf("identity A cannot sign in: %s", result)
	}
	ownerA, ownerB := OwnerA(cfg), OwnerB(cfg)

	book := newBook(IdentityA, "<A>", IdentityB, "<B>", SubA, "<sub A>", SubB, "<sub B>", bucket, "<uploads>", logs, "<logs>",
		authRole, "<signed-in role>", guestRole, "<guest role>", pool.ID, "<pool>")
	add := book.add
	object := func(b, key string) string { return "arn:aws:s3:::" + b + "/" + key }
	own, other, lookalike := "protected/"+ownerA+"/", "protected/"+ownerB+"/", "protected/"+ownerA+"-x/"
	noTLS := access.Context{"aws:SecureTransport": {"false"}}
	oldTLS := access.Context{"s3:TlsVersion": {"1.1"}}
	list := func(prefix string) access.Context { return access.Context{"s3:prefix": {prefix}} }

	// Signing in.
	add("Cognito for A, signed in", access.Allow, access.WebIdentityRequest(authRole, pool.ID, IdentityA, true))
	add("Cognito for A, as a guest, asking for the signed-in role", access.ImplicitDeny, access.WebIdentityRequest(authRole, pool.ID, IdentityA, false))
	add("Cognito for an identity of another pool", access.ImplicitDeny, access.WebIdentityRequest(authRole, OtherPool, IdentityB, true))
	add("an ECS task", access.ImplicitDeny, access.Request{Principal: "ecs-tasks.amazonaws.com", Action: "sts:AssumeRole", Resource: authRole})

	// The owner in their own folder.
	for _, action := range []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"} {
		add("A", access.Allow, a.Request(action, object(bucket, own+"photo.jpg"), nil))
	}
	add("A", access.Allow, a.Request("s3:ListBucket", "arn:aws:s3:::"+bucket, list(own)))
	add("A", access.Allow, a.Request("s3:ListBucket", "arn:aws:s3:::"+bucket, list(own+"2026/")))
	// Without TLS, or with old TLS, even the owner is refused.
	add("A", access.ExplicitDeny, a.Request("s3:GetObject", object(bucket, own+"photo.jpg"), noTLS))
	add("A", access.ExplicitDeny, a.Request("s3:PutObject", object(bucket, own+"photo.jpg"), oldTLS))
	// Another identity's folder, and look-alike folders.
	for _, action := range []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"} {
		add("A", access.ImplicitDeny, a.Request(action, object(bucket, other+"photo.jpg"), nil))
	}
	add("A", access.ImplicitDeny, a.Request("s3:ListBucket", "arn:aws:s3:::"+bucket, list(other)))
	add("A", access.ImplicitDeny, a.Request("s3:GetObject", object(bucket, lookalike+"photo.jpg"), nil))
	add("A", access.ImplicitDeny, a.Request("s3:PutObject", object(bucket, lookalike+"photo.jpg"), nil))
	add("A", access.ImplicitDeny, a.Request("s3:ListBucket", "arn:aws:s3:::"+bucket, list(lookalike)))
	// The bucket root and the shared folder.
	add("A", access.ImplicitDeny, a.Request("s3:ListBucket", "arn:aws:s3:::"+bucket, nil))
	add("A", access.ImplicitDeny, a.Request("s3:ListBucket", "arn:aws:s3:::"+bucket, list("protected/")))
	add("A", access.ImplicitDeny, a.Request("s3:GetObject", object(bucket, "photo.jpg"), nil))
	add("A", access.ImplicitDeny, a.Request("s3:PutObject", object(bucket, "protected/photo.jpg"), nil))
	// Other buckets.
	add("A", access.ImplicitDeny, a.Request("s3:GetObject", object(logs, "uploads/2026-11-22-access.log"), nil))
	add("A", access.ImplicitDeny, a.Request("s3:GetObject", object("someone-elses-bucket", own+"photo.jpg"), nil))
	// Changing the bucket's policy, ACLs or settings.
	for _, action := range []string{"s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketCors", "s3:PutLifecycleConfiguration"} {
		add("A", access.ImplicitDeny, a.Request(action, "arn:aws:s3:::"+bucket, nil))
	}
	add("A", access.ImplicitDeny, a.Request("s3:PutObjectAcl", object(bucket, own+"photo.jpg"), nil))

	// Guests: refused by a pool without guests; where guests are on, the guest role reaches
	// nothing the reference rule protects.
	guest, guestResult, err := m.SignIn(pool.ID, IdentityB, false, "")
	if err != nil {
		return nil, err
	}
	if pool.AllowUnauthenticated != (guestResult.Decision == access.Allow) {
		return nil, fmt.Errorf("pool %s: guests allowed = %v, but signing in as a guest gave %s", pool.ID, pool.AllowUnauthenticated, guestResult)
	}
	guestExpect := access.ImplicitDeny
	if pool.AllowUnauthenticated {
		guestExpect = access.Allow
	}
	book.rows = append(book.rows, Row{Who: "guest B", Action: "sign in to the identity pool", Resource: "<pool>",
		SignIn: &SignIn{Pool: pool.ID, IdentityID: IdentityB}, Expect: guestExpect})
	// The pool takes tokens of the web client only.
	otherClient := LoginA(pool, "")
	otherClient.Client = OtherClient
	book.rows = append(book.rows, Row{Who: "A with a token of another client", Action: "sign in to the identity pool", Resource: "<pool>",
		SignIn: &otherClient, Expect: access.ImplicitDeny})
	if pool.AllowUnauthenticated {
		add("Cognito for a guest", access.Allow, access.WebIdentityRequest(guestRole, pool.ID, IdentityB, false))
		add("guest B", access.ImplicitDeny, guest.Request("s3:GetObject", object(bucket, own+"photo.jpg"), nil))
		add("guest B", access.ImplicitDeny, guest.Request("s3:PutObject", object(bucket, "protected/"+ownerB+"/photo.jpg"), nil))
		add("guest B", access.ImplicitDeny, guest.Request("s3:ListBucket", "arn:aws:s3:::"+bucket, list("protected/")))
	}
	add("anonymous", access.ImplicitDeny, access.Request{Principal: "*", Action: "s3:GetObject", Resource: object(bucket, own+"photo.jpg")})
	add("anonymous", access.ImplicitDeny, access.Request{Principal: "*", Action: "s3:ListBucket", Resource: "arn:aws:s3:::" + bucket})

	// Group members sign in with their group's role and keep their own folder
	// (amplify-backend#1771), and nobody else's.
	if pool.TokenRoles {
		groups := 0
		for _, arn := range sortedRoleARNs(m) {
			role := m.Roles[arn]
			if role.Stack != authStack || !strings.Contains(role.Path, "/Group") {
				continue
			}
			parts := strings.Split(role.Path, "/") // <env>/Auth/SignIn/Group<name>Role/Resource
			group := parts[len(parts)-2]
			member, result, err := m.SignInWith(LoginA(pool, role.ARN))
			if err != nil {
				return nil, err
			}
			if result.Decision != access.Allow {
				return nil, fmt.Errorf("A cannot sign in with group role %s: %s", role.ARN, result)
			}
			groups++
			who := "A via " + group
			add("Cognito for "+who, access.Allow, access.WebIdentityRequest(role.ARN, pool.ID, IdentityA, true))
			add(who, access.Allow, member.Request("s3:GetObject", object(bucket, own+"photo.jpg"), nil))
			add(who, access.Allow, member.Request("s3:PutObject", object(bucket, own+"photo.jpg"), nil))
			add(who, access.Allow, member.Request("s3:ListBucket", "arn:aws:s3:::"+bucket, list(own)))
			add(who, access.ImplicitDeny, member.Request("s3:GetObject", object(bucket, other+"photo.jpg"), nil))
			add(who, access.ImplicitDeny, member.Request("s3:PutBucketPolicy", "arn:aws:s3:::"+bucket, nil))
		}
		if groups == 0 {
			return nil, fmt.Errorf("identity pool %s takes roles from tokens, but %s has no group roles", pool.ID, authStack)
		}
	}

	if cfg.OwnerKey == limits.OwnerKeySub {
		if err := subOwnerRows(book, m, pool, authRole, guestRole, bucket, a); err != nil {
			return nil, err
		}
	}

	// S3 log delivery may write the upload bucket's logs, and only those.
	account := strings.SplitN(authRole, ":", 6)[4]
	bucketARN := "arn:aws:s3:::" + bucket
	delivery := access.Context{"aws:SourceArn": {bucketARN}, "aws:SourceAccount": {account}}
	add("S3 log delivery for <uploads>", access.Allow, access.Request{Principal: "logging.s3.amazonaws.com", Action: "s3:PutObject", Resource: object(logs, "uploads/2026-11-22-access.log"), Context: delivery})
	add("S3 log delivery for another bucket", access.ImplicitDeny, access.Request{Principal: "logging.s3.amazonaws.com", Action: "s3:PutObject", Resource: object(logs, "uploads/x.log"),
		Context: access.Context{"aws:SourceArn": {"arn:aws:s3:::another-bucket"}, "aws:SourceAccount": {account}}})
	server, err := serverRows(m, env, pool, bucket, a, cfg.DeveloperRoleArns)
	if err != nil {
		return nil, err
	}
	book.rows = append(book.rows, server...)
	// The optional areas, as the configuration has them (a missing stack or resource of a
	// configured area is an error, never an empty area).
	var guestSession *access.Session
	if pool.AllowUnauthenticated {
		guestSession = &guest
	}
	for _, area := range []struct {
		configured bool
		rows       func() ([]Row, error)
	}{
		{cfg.CrossAccount != nil, func() ([]Row, error) { return crossAccountRows(m, env) }},
		{cfg.Amplify != nil, func() ([]Row, error) { return hostingRows(m, env, bucket, cfg.Amplify) }},
		{cfg.Delivery != nil, func() ([]Row, error) { return deliveryRows(m, env, bucket, a, guestSession) }},
		{cfg.API != nil, func() ([]Row, error) { return apiRows(m, env, a) }},
	} {
		if !area.configured {
			continue
		}
		more, err := area.rows()
		if err != nil {
			return nil, err
		}
		book.rows = append(book.rows, more...)
	}
	return book.rows, nil
}

// subOwnerRows: with the sub owner key, only a session Cognito tagged from a verified token
// reaches its owner's folder; the trust lets Cognito tag only signed-in sessions of this pool,
// and no session chooses its own tag.
func subOwnerRows(book *rowBook, m *access.Model, pool *access.IdentityPool, authRole, guestRole, bucket string, a access.Session) error {
	add := book.add
	object := func(key string) string { return "arn:aws:s3:::" + bucket + "/" + key }
	tagA := map[string]string{limits.OwnerTag: SubA}
	// Cognito tags the signed-in session from the token, under the sign-in's own conditions.
	add("Cognito tags A's session", access.Allow, access.TagSessionRequest(authRole, pool.ID, IdentityA, true, tagA))
	add("Cognito tags a guest session", access.ImplicitDeny, access.TagSessionRequest(authRole, pool.ID, IdentityA, false, tagA))
	add("Cognito tags a session of another pool", access.ImplicitDeny, access.TagSessionRequest(authRole, OtherPool, IdentityA, true, tagA))
	if guestRole != "" {
		add("Cognito tags a session of the guest role", access.ImplicitDeny, access.TagSessionRequest(guestRole, pool.ID, IdentityB, false, tagA))
	}
	// No session picks its own tag: A may not tag a session, nor take the role again with B's sub.
	claim := access.Context{"aws:RequestTag/" + limits.OwnerTag: {SubB}, "aws:TagKeys": {limits.OwnerTag}}
	add("A", access.ImplicitDeny, a.Request("sts:TagSession", authRole, claim))
	add("A", access.ImplicitDeny, a.Request("sts:AssumeRole", authRole, claim))
	// The identity-id folder is nobody's with the sub owner key.
	add("A", access.ImplicitDeny, a.Request("s3:GetObject", object("protected/"+IdentityA+"/photo.jpg"), nil))
	// A session without the tag (a token of a provider the pool maps no tags for) reaches no folder.
	untagged, result, err := m.SignIn(pool.ID, IdentityA, true, "")
	if err != nil {
		return err
	}
	if result.Decision != access.Allow {
		return fmt.Errorf("identity A cannot sign in untagged: %s", result)
	}
	for _, key := range []string{SubA, IdentityA} {
		add("A untagged", access.ImplicitDeny, untagged.Request("s3:GetObject", object("protected/"+key+"/photo.jpg"), nil))
		add("A untagged", access.ImplicitDeny, untagged.Request("s3:PutObject", object("protected/"+key+"/photo.jpg"), nil))
		add("A untagged", access.ImplicitDeny, untagged.Request("s3:ListBucket", "arn:aws:s3:::"+bucket, access.Context{"s3:prefix": {"protected/" + key + "/"}}))
	}
	return nil
}

func sortedRoleARNs(m *access.Model) []string {
	arns := make([]string, 0, len(m.Roles))
	for arn := range m.Roles {
		arns = append(arns, arn)
	}
	sort.Strings(arns)
	return arns
}

func poolOf(m *access.Model, stackPath string) *access.IdentityPool {
	for _, p := range m.IdentityPools {
		if p.Stack == stackPath {
			return p
		}
	}
	return nil
}

// Check evaluates every row and returns one line per row whose decision differs.
func Check(m *access.Model, rows []Row) ([]string, error) {
	var problems []string
	for _, r := range rows {
		got, err := r.Evaluate(m)
		if err != nil {
			return nil, fmt.Errorf("%s %s %s: %w", r.Who, r.Action, r.Resource, err)
		}
		if got.Decision != r.Expect {
			problems = append(problems, fmt.Sprintf("%s %s %s: got %s, want %s (%s)", r.Who, r.Action, r.Resource, got.Decision, r.Expect, got.Reason))
		}
	}
	return problems, nil
}
