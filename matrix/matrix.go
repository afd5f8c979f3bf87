// Package matrix is the reference app's access matrix: requests that signed-in identities,
// guests, other pools and other principals make, each with the decision gatehouse promises.
// The tests prove every row against the synthesized policies (and a second evaluator), and
// `make access-report` prints it for reviewers.
package matrix

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/config"
	"github.com/gatehouse-cdk/gatehouse/outputs"
	"github.com/gatehouse-cdk/gatehouse/webconfig"
)

// The identities of the matrix: identity-pool identity ids as Cognito issues them.
const (
	IdentityA = "ap-southeast-1:11111111-aaaa-4aaa-8aaa-111111111111"
	IdentityB = "ap-southeast-1:22222222-bbbb-4bbb-8bbb-222222222222"
	// OtherPool is an identity pool outside the app.
	OtherPool = "ap-southeast-1:99999999-9999-4999-8999-999999999999"
)

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
type SignIn struct {
	Pool, Identity string
	Authenticated  bool
}

// Evaluate decides the row in model m.
func (r Row) Evaluate(m *access.Model) (access.Result, error) {
	if r.SignIn != nil {
		_, result, err := m.SignIn(r.SignIn.Pool, r.SignIn.Identity, r.SignIn.Authenticated, "")
		return result, err
	}
	return m.Evaluate(r.Request)
}

// Logical ids of the reference app's resources (pinned by the tests).
const (
	uploadBucketID   = "Uploads88C64F96"
	logBucketID      = "UploadsAccessLogsB2D59324"
	itemsTableID     = "Items5C12978B"
	itemsFunctionID  = "ItemsFunctionF3ACFEF0"
	itemsLogGroupID  = "ItemsFunctionLogsECA07D48"
	exchangeBucketID = "Exchange4C2073D8"
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
	bucket, err := m.Attr(uploadsStack, uploadBucketID, "Ref")
	if err != nil {
		return nil, err
	}
	logs, err := m.Attr(uploadsStack, logBucketID, "Ref")
	if err != nil {
		return nil, err
	}
	authRole := pool.Roles["authenticated"]
	if authRole == "" {
		return nil, fmt.Errorf("identity pool %s has no authenticated role", pool.ID)
	}
	guestRole := pool.Roles["unauthenticated"]

	a, result, err := m.SignIn(pool.ID, IdentityA, true, "")
	if err != nil {
		return nil, err
	}
	if result.Decision != access.Allow {
		return nil, fmt.Errorf("identity A cannot sign in: %s", result)
	}

	var rows []Row
	short := strings.NewReplacer(IdentityA, "<A>", IdentityB, "<B>", bucket, "<uploads>", logs, "<logs>",
		authRole, "<signed-in role>", guestRole, "<guest role>", pool.ID, "<pool>")
	add := func(who string, expect access.Decision, req access.Request) {
		resource := short.Replace(strings.TrimPrefix(req.Resource, "arn:aws:s3:::"))
		if prefix, ok := req.Context.Lookup("s3:prefix"); ok {
			resource += " prefix=" + short.Replace(strings.Join(prefix, ","))
		}
		for _, key := range []string{"aws:SecureTransport", "s3:TlsVersion"} {
			if v, ok := req.Context.Lookup(key); ok && !(key == "aws:SecureTransport" && v[0] == "true") {
				resource += " " + key + "=" + v[0]
			}
		}
		rows = append(rows, Row{Who: who, Action: req.Action, Resource: resource, Request: req, Expect: expect})
	}
	object := func(b, key string) string { return "arn:aws:s3:::" + b + "/" + key }
	own, other, lookalike := "protected/"+IdentityA+"/", "protected/"+IdentityB+"/", "protected/"+IdentityA+"-x/"
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
	rows = append(rows, Row{Who: "guest B", Action: "sign in to the identity pool", Resource: "<pool>",
		SignIn: &SignIn{Pool: pool.ID, Identity: IdentityB}, Expect: guestExpect})
	if pool.AllowUnauthenticated {
		add("Cognito for a guest", access.Allow, access.WebIdentityRequest(guestRole, pool.ID, IdentityB, false))
		add("guest B", access.ImplicitDeny, guest.Request("s3:GetObject", object(bucket, own+"photo.jpg"), nil))
		add("guest B", access.ImplicitDeny, guest.Request("s3:PutObject", object(bucket, "protected/"+IdentityB+"/photo.jpg"), nil))
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
			member, result, err := m.SignIn(pool.ID, IdentityA, true, role.ARN)
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
	rows = append(rows, server...)
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
		rows = append(rows, more...)
	}
	return rows, nil
}

// Logical ids of the token API's resources.
const (
	restAPIID          = "TokenApiAFB708A6"
	tokenAuthorizerID  = "TokenApiTokenAuthorizer68D6E37B"
	apiStageID         = "TokenApiDeploymentStagev1F22BC785"
	tokenTableID       = "TokenApiTokens68DA6472"
	authorizerFnID     = "TokenApiAuthorizer4BBC4D37"
	tokenServiceFnID   = "TokenApiTokenService6BEDC781"
	apiHandlerFnID     = "TokenApiHandlerCE1DFC64"
	apiCloudWatchRole  = "TokenApiCloudWatchRoleF8F0F631"
	anotherRestAPIID   = "zz99yy88xx"
	tokenTableIndexARN = "/index/byOwner"
)

// apiRows: API Gateway invokes the authorizer and the handler for this API only; the
// authorizer's role reads one token; the token service writes and lists tokens; the handler
// reaches the items; nobody else touches the token table; only the trust role invokes the
// token service (when the api is configured).
func apiRows(m *access.Model, env string, a access.Session) ([]Row, error) {
	stack := env + "/API"
	api, err := m.Attr(stack, restAPIID, "Ref")
	if err != nil {
		return nil, err
	}
	attr := func(id, name string) string {
		if err != nil {
			return ""
		}
		var v string
		v, err = m.Attr(stack, id, name)
		return v
	}
	authorizerID, stage, table := attr(tokenAuthorizerID, "Ref"), attr(apiStageID, "Ref"), attr(tokenTableID, "Arn")
	authorizerFn, tokenService, handler := attr(authorizerFnID, "Arn"), attr(tokenServiceFnID, "Arn"), attr(apiHandlerFnID, "Arn")
	if err != nil {
		return nil, err
	}
	itemsTable, err := m.Attr(env+"/Server", itemsTableID, "Arn")
	if err != nil {
		return nil, err
	}
	roles := map[string]*access.Role{}
	for name, path := range map[string]string{
		"authorizer": stack + "/TokenApi/Authorizer/Role/Resource", "token service": stack + "/TokenApi/TokenService/Role/Resource",
		"handler": stack + "/TokenApi/Handler/Role/Resource", "cloudwatch": stack + "/TokenApi/Api/CloudWatchRole/Resource",
		"webpage": env + "/Server/WebpageRole/Resource", "trust": env + "/Server/TrustRole/Resource", "items": env + "/Server/ItemsFunction/Role/Resource",
	} {
		if roles[name], err = roleAt(m, path); err != nil {
			return nil, err
		}
	}
	server, err := m.Outputs(env + "/Server")
	if err != nil {
		return nil, err
	}
	account := strings.SplitN(table, ":", 6)[4]
	region := strings.SplitN(table, ":", 6)[3]
	executeAPI := func(id, rest string) string {
		return "arn:aws:execute-api:" + region + ":" + account + ":" + id + "/" + rest
	}
	restAPI := func(id, rest string) string {
		return "arn:aws:apigateway:" + region + "::/restapis/" + id + rest
	}
	short := strings.NewReplacer(table, "<token table>", itemsTable, "<items table>", authorizerFn, "<authorizer>", tokenService, "<token service>",
		handler, "<api handler>", executeAPI(api, ""), "<this api>/", executeAPI(anotherRestAPIID, ""), "<another api>/",
		restAPI(api, ""), "<this api's config>", restAPI(anotherRestAPIID, ""), "<another api's config>", account, "<this account>")
	var rows []Row
	add := func(who string, expect access.Decision, req access.Request) {
		r := row(short, who, expect, req)
		if v, ok := req.Context.Lookup("aws:SourceArn"); ok {
			r.Resource += " aws:SourceArn=" + short.Replace(v[0])
		}
		rows = append(rows, r)
	}
	apiGateway := func(fn, sourceArn string) access.Request {
		return access.Request{Principal: "apigateway.amazonaws.com", Action: "lambda:InvokeFunction", Resource: fn,
			Context: access.Context{"aws:SourceArn": {sourceArn}}}
	}
	// API Gateway invokes the authorizer and the handler for this API, and for no other.
	add("API Gateway", access.Allow, apiGateway(authorizerFn, executeAPI(api, "authorizers/"+authorizerID)))
	add("API Gateway", access.ImplicitDeny, apiGateway(authorizerFn, executeAPI(anotherRestAPIID, "authorizers/"+authorizerID)))
	for _, route := range []string{"GET/items", "GET/items/42", "PUT/items/42"} {
		add("API Gateway", access.Allow, apiGateway(handler, executeAPI(api, stage+"/"+route)))
	}
	add("API Gateway", access.ImplicitDeny, apiGateway(handler, executeAPI(anotherRestAPIID, stage+"/GET/items")))
	add("API Gateway", access.ImplicitDeny, apiGateway(handler, executeAPI(api, stage+"/DELETE/items/42")))
	add("API Gateway", access.ImplicitDeny, apiGateway(tokenService, executeAPI(api, stage+"/GET/items")))

	session := func(role, name string) string { return SessionFor(roles[role], name) }
	req := func(principal, action, resource string) access.Request {
		return access.Request{Principal: principal, Action: action, Resource: resource}
	}
	// The authorizer's role reads one token by key, and nothing else.
	authorizer := session("authorizer", "authorizer")
	add("authorizer role", access.Allow, req(authorizer, "dynamodb:GetItem", table))
	for _, action := range []string{"dynamodb:Scan", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} {
		add("authorizer role", access.ImplicitDeny, req(authorizer, action, table))
	}
	add("authorizer role", access.ImplicitDeny, req(authorizer, "dynamodb:GetItem", itemsTable))
	// The token service writes tokens and lists an owner's through the index; no scan, no delete.
	tokens := session("token service", "tokens")
	for _, action := range []string{"dynamodb:PutItem", "dynamodb:UpdateItem"} {
		add("token service role", access.Allow, req(tokens, action, table))
	}
	add("token service role", access.Allow, req(tokens, "dynamodb:Query", table+tokenTableIndexARN))
	for _, action := range []string{"dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:DeleteTable", "dynamodb:UpdateTable", "dynamodb:GetItem", "dynamodb:Query"} {
		add("token service role", access.ImplicitDeny, req(tokens, action, table))
	}
	add("token service role", access.ImplicitDeny, req(tokens, "dynamodb:Scan", table+tokenTableIndexARN))
	add("token service role", access.ImplicitDeny, req(tokens, "dynamodb:PutItem", itemsTable))
	// A revoke flushes this stage's authorizer cache; nothing else of API Gateway.
	flush := restAPI(api, "/stages/"+stage+"/cache/authorizers")
	add("token service role", access.Allow, req(tokens, "apigateway:DELETE", flush))
	for _, other := range []string{restAPI(api, ""), restAPI(api, "/stages/"+stage), restAPI(api, "/stages/"+stage+"/cache/data"),
		restAPI(anotherRestAPIID, "/stages/"+stage+"/cache/authorizers")} {
		add("token service role", access.ImplicitDeny, req(tokens, "apigateway:DELETE", other))
	}
	for _, action := range []string{"apigateway:PATCH", "apigateway:GET"} {
		add("token service role", access.ImplicitDeny, req(tokens, action, restAPI(api, "/stages/"+stage)))
	}
	// The handler reaches the items (the owner is the token's, in its code), not the tokens.
	apiHandler := session("handler", "api")
	for _, action := range []string{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"} {
		add("api handler role", access.Allow, req(apiHandler, action, itemsTable))
	}
	for _, action := range []string{"dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"} {
		add("api handler role", access.ImplicitDeny, req(apiHandler, action, itemsTable))
	}
	add("api handler role", access.ImplicitDeny, req(apiHandler, "dynamodb:GetItem", table))
	// Nobody else touches the token table.
	others := map[string]string{
		"webpage role": session("webpage", "ecs-task"), "trust role": session("trust", server["RoleSessionName"]),
		"items function role": session("items", "items"),
	}
	for _, r := range hostingRoles(m, env) {
		others[r.who] = r.session
	}
	for _, who := range slices.Sorted(maps.Keys(others)) {
		for _, action := range []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"} {
			add(who, access.ImplicitDeny, req(others[who], action, table))
		}
	}
	add("signed-in A", access.ImplicitDeny, a.Request("dynamodb:GetItem", table, nil))
	// Only the trust role invokes the token service.
	add("trust role", access.Allow, req(others["trust role"], "lambda:InvokeFunction", tokenService))
	for _, who := range []string{"webpage role", "items function role"} {
		add(who, access.ImplicitDeny, req(others[who], "lambda:InvokeFunction", tokenService))
	}
	add("signed-in A", access.ImplicitDeny, a.Request("lambda:InvokeFunction", tokenService, nil))
	add("trust role", access.ImplicitDeny, req(others["trust role"], "lambda:InvokeFunction", authorizerFn))
	add("trust role", access.ImplicitDeny, req(others["trust role"], "lambda:UpdateFunctionCode", tokenService))
	// Only the token service flushes the authorizer cache.
	for _, who := range []string{"trust role", "webpage role", "items function role"} {
		add(who, access.ImplicitDeny, req(others[who], "apigateway:DELETE", flush))
	}
	// API Gateway's logging role: API Gateway assumes it, nothing else.
	cloudwatch := roles["cloudwatch"].ARN
	add("API Gateway", access.Allow, access.Request{Principal: "apigateway.amazonaws.com", Action: "sts:AssumeRole", Resource: cloudwatch})
	add("Lambda", access.ImplicitDeny, access.Request{Principal: "lambda.amazonaws.com", Action: "sts:AssumeRole", Resource: cloudwatch})
	return rows, nil
}

// Logical ids of the delivery resources.
const (
	distributionID     = "ImagesF8C4E866"
	signingKeyID       = "SignerSigningKey597D4DA8"
	signerFunctionID   = "SignerFunction632149FF"
	deliveryLogsID     = "AccessLogsBucketCD784A59"
	uploadKeyID        = "UploadsKeyEAFA4DCE"
	anotherDistributon = "EANOTHERDIST01"
)

// deliveryRows: the image distribution reads the delivered folder of the upload bucket and
// nothing else; the signer's role alone reads the signing key; only the trust role invokes the
// signer; log delivery writes the distribution's logs (when delivery is configured).
func deliveryRows(m *access.Model, env, uploads string, a access.Session, guest *access.Session) ([]Row, error) {
	uploadsStack, deliveryStack, logsStack := env+"/Uploads", env+"/Delivery", env+"/DeliveryLogs"
	dist, err := m.Attr(uploadsStack, distributionID, "Ref")
	if err != nil {
		return nil, err
	}
	signerRole, err := roleAt(m, deliveryStack+"/Signer/Function/Role/Resource")
	if err != nil {
		return nil, err
	}
	secret, err := m.Attr(deliveryStack, signingKeyID, "Ref")
	if err != nil {
		return nil, err
	}
	signer, err := m.Attr(deliveryStack, signerFunctionID, "Arn")
	if err != nil {
		return nil, err
	}
	logs, err := m.Attr(logsStack, deliveryLogsID, "Ref")
	if err != nil {
		return nil, err
	}
	webpage, err := roleAt(m, env+"/Server/WebpageRole/Resource")
	if err != nil {
		return nil, err
	}
	trust, err := roleAt(m, env+"/Server/TrustRole/Resource")
	if err != nil {
		return nil, err
	}
	items, err := roleAt(m, env+"/Server/ItemsFunction/Role/Resource")
	if err != nil {
		return nil, err
	}
	server, err := m.Outputs(env + "/Server")
	if err != nil {
		return nil, err
	}
	account := strings.SplitN(signerRole.ARN, ":", 6)[4]
	region := strings.SplitN(secret, ":", 6)[3]
	thisDist := "arn:aws:cloudfront::" + account + ":distribution/" + dist
	otherDist := "arn:aws:cloudfront::" + account + ":distribution/" + anotherDistributon
	short := strings.NewReplacer(thisDist, "<this distribution>", otherDist, "<another distribution>", "arn:aws:s3:::"+uploads, "<uploads>",
		"arn:aws:s3:::"+logs, "<delivery logs>", secret, "<signing key secret>", signer, "<signer>", signerRole.ARN, "<signer role>",
		IdentityA, "<A>", IdentityB, "<B>", account, "<this account>")
	var rows []Row
	add := func(who string, expect access.Decision, req access.Request) {
		r := row(short, who, expect, req)
		for _, key := range []string{"AWS:SourceArn", "kms:ViaService", "s3:x-amz-acl", "aws:SecureTransport"} {
			if v, ok := req.Context.Lookup(key); ok {
				r.Resource += " " + key + "=" + short.Replace(v[0])
			}
		}
		if _, ok := req.Context.Lookup("s3:x-amz-acl"); !ok && req.Principal == "delivery.logs.amazonaws.com" && req.Action == "s3:PutObject" {
			r.Resource += " (no s3:x-amz-acl)"
		}
		rows = append(rows, r)
	}
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
	return rows, nil
}

// hostingRows: the Amplify SSR compute roles (the app's, and the branches' own, as amplify
// configures them), the build role and the feedback topic.
func hostingRows(m *access.Model, env, uploads string, amplify *config.Amplify) ([]Row, error) {
	stack := env + "/Hosting"
	compute, err := roleAt(m, stack+"/ComputeRole/Resource")
	if err != nil {
		return nil, err
	}
	hosted, err := m.Outputs(stack)
	if err != nil {
		return nil, err
	}
	topic := hosted["FeedbackTopicArn"]
	server, err := m.Outputs(env + "/Server")
	if err != nil {
		return nil, err
	}
	table, err := m.Attr(env+"/Server", itemsTableID, "Arn")
	if err != nil {
		return nil, err
	}
	build, err := roleAt(m, stack+"/BuildRole/Resource")
	if err != nil {
		return nil, err
	}
	account := strings.SplitN(compute.ARN, ":", 6)[4]
	region := strings.SplitN(topic, ":", 6)[3]
	short := strings.NewReplacer(compute.ARN, "<compute role>", build.ARN, "<build role>", topic, "<feedback topic>", server["TrustRoleArn"], "<trust role>",
		table, "<items table>", "arn:aws:s3:::"+uploads, "<uploads>", IdentityA, "<A>", account, "<this account>",
		"arn:aws:cloudformation:"+region+":"+account+":stack/", "stack ")
	var rows []Row
	add := func(who string, expect access.Decision, req access.Request) {
		rows = append(rows, row(short, who, expect, req))
	}
	// What Amplify sends when it assumes a role for a branch of an app (decisive only where the
	// trust has the confused-deputy conditions).
	amplifyContext := func(app, branch string) access.Context {
		return access.Context{"aws:SourceAccount": {account}, "aws:SourceArn": {"arn:aws:amplify:" + region + ":" + account + ":apps/" + app + "/branches/" + branch}}
	}
	restricted := amplify.RestrictTrust
	// The app: the managed one's id, the console app's configured id, else any id.
	app := "d1a2b3c4d5e6f7"
	if v, ok := hosted["AmplifyAppId"]; ok {
		app = v
	} else if amplify.AppID != "" {
		app = amplify.AppID
	}
	assume := func(principal, role string, ctx access.Context) access.Request {
		return access.Request{Principal: principal, Action: "sts:AssumeRole", Resource: role, Context: ctx}
	}
	add("Amplify Hosting", access.Allow, assume("amplify.amazonaws.com", compute.ARN, amplifyContext(app, "main")))
	if restricted {
		// Only a console app's configured id can be named: a managed app's id does not exist
		// before the app, which needs the role, so its trust takes any app of this account.
		otherApp := access.Allow
		if amplify.AppID != "" {
			otherApp = access.ImplicitDeny
		}
		add("Amplify Hosting, for another app of this account", otherApp, assume("amplify.amazonaws.com", compute.ARN, amplifyContext("dotherapp0000", "main")))
		add("Amplify Hosting, for another account", access.ImplicitDeny, assume("amplify.amazonaws.com", compute.ARN,
			access.Context{"aws:SourceAccount": {"999999999999"}, "aws:SourceArn": {"arn:aws:amplify:" + region + ":999999999999:apps/" + app + "/branches/main"}}))
	}
	add("ECS task", access.ImplicitDeny, assume("ecs-tasks.amazonaws.com", compute.ARN, access.Context{"aws:SourceAccount": {account}}))
	add("Lambda", access.ImplicitDeny, assume("lambda.amazonaws.com", compute.ARN, access.Context{"aws:SourceAccount": {account}}))
	ssr := SessionFor(compute, "amplify-ssr")
	req := func(action, resource string, ctx access.Context) access.Request {
		return access.Request{Principal: ssr, Action: action, Resource: resource, Context: ctx}
	}
	add("compute role", access.Allow, req("sns:Publish", topic, nil))
	add("compute role", access.ExplicitDeny, req("sns:Publish", topic, access.Context{"aws:SecureTransport": {"false"}}))
	add("compute role", access.ImplicitDeny, req("sns:Publish", "arn:aws:sns:"+region+":"+account+":another-topic", nil))
	for _, action := range []string{"sns:Subscribe", "sns:DeleteTopic", "sns:SetTopicAttributes"} {
		add("compute role", access.ImplicitDeny, req(action, topic, nil))
	}
	add("compute role", access.ImplicitDeny, req("s3:GetObject", "arn:aws:s3:::"+uploads+"/protected/"+IdentityA+"/photo.jpg", nil))
	add("compute role", access.ImplicitDeny, req("dynamodb:GetItem", table, nil))
	// The web app's server on ECS publishes feedback as the compute role does, with its
	// runtime's credentials: the webpage role's.
	webpage, err := roleAt(m, env+"/Server/WebpageRole/Resource")
	if err != nil {
		return nil, err
	}
	ecs := SessionFor(webpage, "ecs-task")
	add("webpage role", access.Allow, access.Request{Principal: ecs, Action: "sns:Publish", Resource: topic})
	add("webpage role", access.ExplicitDeny, access.Request{Principal: ecs, Action: "sns:Publish", Resource: topic, Context: access.Context{"aws:SecureTransport": {"false"}}})
	add("webpage role", access.ImplicitDeny, access.Request{Principal: ecs, Action: "sns:Publish", Resource: "arn:aws:sns:" + region + ":" + account + ":another-topic"})
	add("webpage role", access.ImplicitDeny, access.Request{Principal: ecs, Action: "sns:Subscribe", Resource: topic})
	// A compute role reaches the asset functions through the trust role only when it opted in
	// (amplify.assumeTrustRole for the app's role, a branch's assumeTrustRole for its own), and
	// then only with the session name.
	withSession := func(name string) access.Context { return access.Context{"sts:RoleSessionName": {name}} }
	trustRole := func(who, session string, optedIn bool) {
		if optedIn {
			add(who, access.Allow, assume(session, server["TrustRoleArn"], withSession(server["RoleSessionName"])))
			add(who, access.ImplicitDeny, assume(session, server["TrustRoleArn"], withSession("other-session")))
		} else {
			add(who, access.ImplicitDeny, assume(session, server["TrustRoleArn"], withSession(server["RoleSessionName"])))
		}
	}
	trustRole("compute role", ssr, amplify.AssumeTrustRole)
	add("compute role", access.ImplicitDeny, access.Request{Principal: ssr, Action: "lambda:InvokeFunction", Resource: server["AssetFunctionArn"]})
	// A branch with a role of its own has only what that branch was given.
	for _, b := range amplify.Branches {
		if amplify.RoleOnly || !b.OwnRole {
			continue
		}
		// The construct id stacks.addHosting gives the branch's role.
		role, err := roleAt(m, stack+"/ComputeRole"+outputs.BranchID(b.Name)+"/Resource")
		if err != nil {
			return nil, err
		}
		who, session := "branch role "+b.Name, SessionFor(role, "amplify-ssr")
		add("Amplify Hosting", access.Allow, assume("amplify.amazonaws.com", role.ARN, amplifyContext(app, b.Name)))
		if restricted {
			add("Amplify Hosting, for another branch", access.ImplicitDeny, assume("amplify.amazonaws.com", role.ARN, amplifyContext(app, b.Name+"-other")))
		}
		publish := access.ImplicitDeny
		if b.PublishFeedback {
			publish = access.Allow
		}
		add(who, publish, access.Request{Principal: session, Action: "sns:Publish", Resource: topic})
		add(who, access.ImplicitDeny, access.Request{Principal: session, Action: "s3:GetObject", Resource: "arn:aws:s3:::" + uploads + "/protected/" + IdentityA + "/photo.jpg"})
		trustRole(who, session, b.AssumeTrustRole)
	}

	// The build role: Amplify's builds of this account's apps assume it; it reads the web app's
	// stacks' outputs (webconfig.SourceStacks) and nothing else.
	appArn := func(acct, app string) access.Context {
		return access.Context{"aws:SourceAccount": {acct}, "aws:SourceArn": {"arn:aws:amplify:" + region + ":" + acct + ":apps/" + app}}
	}
	add("Amplify build", access.Allow, assume("amplify.amazonaws.com", build.ARN, appArn(account, app)))
	add("Amplify build, for another account", access.ImplicitDeny, assume("amplify.amazonaws.com", build.ARN, appArn("999999999999", app)))
	add("Amplify, without its source", access.ImplicitDeny, assume("amplify.amazonaws.com", build.ARN, nil))
	add("ECS task", access.ImplicitDeny, assume("ecs-tasks.amazonaws.com", build.ARN, access.Context{"aws:SourceAccount": {account}}))
	builder := SessionFor(build, "amplify-build")
	stackArn := func(name string) string {
		return "arn:aws:cloudformation:" + region + ":" + account + ":stack/" + name + "/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
	}
	for _, name := range webconfig.SourceStacks(env) {
		add("build role", access.Allow, requestOf(builder, "cloudformation:DescribeStacks", stackArn(name)))
	}
	for _, name := range []string{outputs.StackName(env, outputs.CrossAccount), outputs.StackName(env+"x", outputs.Auth), "CDKToolkit"} {
		add("build role", access.ImplicitDeny, requestOf(builder, "cloudformation:DescribeStacks", stackArn(name)))
	}
	auth := stackArn(outputs.StackName(env, outputs.Auth))
	for _, action := range []string{"cloudformation:GetTemplate", "cloudformation:UpdateStack", "cloudformation:DeleteStack", "cloudformation:DescribeStackResources"} {
		add("build role", access.ImplicitDeny, requestOf(builder, action, auth))
	}
	add("build role", access.ImplicitDeny, requestOf(builder, "s3:GetObject", "arn:aws:s3:::"+uploads+"/protected/"+IdentityA+"/photo.jpg"))
	add("build role", access.ImplicitDeny, requestOf(builder, "dynamodb:GetItem", table))
	add("build role", access.ImplicitDeny, requestOf(builder, "sns:Publish", topic))
	add("build role", access.ImplicitDeny, access.Request{Principal: builder, Action: "sts:AssumeRole", Resource: server["TrustRoleArn"],
		Context: access.Context{"sts:RoleSessionName": {server["RoleSessionName"]}}})
	add("build role", access.ImplicitDeny, access.Request{Principal: builder, Action: "sts:AssumeRole", Resource: compute.ARN})
	return rows, nil
}

// requestOf is a request with no context.
func requestOf(principal, action, resource string) access.Request {
	return access.Request{Principal: principal, Action: action, Resource: resource}
}

// hostingRole is a role of an environment's hosting stack, named as the matrix shows it.
type hostingRole struct {
	role    *access.Role
	who     string
	session string
}

// hostingRoles are the roles of env's hosting stack in ARN order: the compute roles ("compute
// role ComputeRole…", session amplify-ssr) and the build role ("build role", amplify-build).
func hostingRoles(m *access.Model, env string) []hostingRole {
	var out []hostingRole
	for _, arn := range sortedRoleARNs(m) {
		r := m.Roles[arn]
		if r.Stack != env+"/Hosting" {
			continue
		}
		if i := strings.LastIndex(r.Name, "ComputeRole"); i >= 0 && strings.Contains(r.Path, "/ComputeRole") {
			out = append(out, hostingRole{r, "compute role " + r.Name[i:], SessionFor(r, "amplify-ssr")})
		} else if strings.Contains(r.Path, "/BuildRole/") {
			out = append(out, hostingRole{r, "build role", SessionFor(r, "amplify-build")})
		}
	}
	return out
}

// row builds a Row, with the resource shortened by short.
func row(short *strings.Replacer, who string, expect access.Decision, req access.Request) Row {
	resource := short.Replace(req.Resource)
	for _, key := range []string{"sts:RoleSessionName", "sts:ExternalId", "aws:SourceAccount"} {
		if v, ok := req.Context.Lookup(key); ok {
			resource += " " + key + "=" + short.Replace(v[0])
		}
	}
	return Row{Who: who, Action: req.Action, Resource: resource, Request: req, Expect: expect}
}

// serverRows: the role chain webpage role -> trust role -> items function -> items table.
func serverRows(m *access.Model, env string, pool *access.IdentityPool, uploads string, a access.Session, developers []string) ([]Row, error) {
	stack := env + "/Server"
	webpage, err := roleAt(m, stack+"/WebpageRole/Resource")
	if err != nil {
		return nil, err
	}
	trust, err := roleAt(m, stack+"/TrustRole/Resource")
	if err != nil {
		return nil, err
	}
	fnRole, err := roleAt(m, stack+"/ItemsFunction/Role/Resource")
	if err != nil {
		return nil, err
	}
	fn, err := m.Attr(stack, itemsFunctionID, "Arn")
	if err != nil {
		return nil, err
	}
	table, err := m.Attr(stack, itemsTableID, "Arn")
	if err != nil {
		return nil, err
	}
	logGroup, err := m.Attr(stack, itemsLogGroupID, "Arn")
	if err != nil {
		return nil, err
	}
	outputs, err := m.Outputs(stack)
	if err != nil {
		return nil, err
	}
	sessionName := outputs["RoleSessionName"]
	account := strings.SplitN(webpage.ARN, ":", 6)[4]
	short := strings.NewReplacer(webpage.ARN, "<webpage role>", trust.ARN, "<trust role>", fnRole.ARN, "<items function role>",
		fn, "<items function>", table, "<items table>", strings.TrimSuffix(logGroup, "*"), "<items logs>:", "arn:aws:s3:::"+uploads, "<uploads>", account, "<this account>",
		IdentityA, "<A>")
	var rows []Row
	add := func(who string, expect access.Decision, req access.Request) {
		rows = append(rows, row(short, who, expect, req))
	}
	ctx := func(kv ...string) access.Context {
		c := access.Context{}
		for i := 0; i+1 < len(kv); i += 2 {
			c[kv[i]] = []string{kv[i+1]}
		}
		return c
	}
	assume := func(principal, role string, c access.Context) access.Request {
		return access.Request{Principal: principal, Action: "sts:AssumeRole", Resource: role, Context: c}
	}
	web := SessionFor(webpage, "ecs-task")
	trustSession := SessionFor(trust, sessionName)
	fnSession := SessionFor(fnRole, "items")

	// Who gets the webpage role: ECS tasks of this account only.
	add("ECS task of this account", access.Allow, assume("ecs-tasks.amazonaws.com", webpage.ARN, ctx("aws:SourceAccount", account)))
	add("ECS task of another account", access.ImplicitDeny, assume("ecs-tasks.amazonaws.com", webpage.ARN, ctx("aws:SourceAccount", "999999999999")))
	add("Lambda", access.ImplicitDeny, assume("lambda.amazonaws.com", webpage.ARN, ctx("aws:SourceAccount", account)))
	// Who gets the trust role: the webpage role, with the session name, and nobody else.
	add("webpage role", access.Allow, assume(web, trust.ARN, ctx("sts:RoleSessionName", sessionName)))
	add("webpage role", access.ImplicitDeny, assume(web, trust.ARN, ctx("sts:RoleSessionName", "other-session")))
	add("webpage role", access.ImplicitDeny, assume(web, trust.ARN, nil))
	add("items function role", access.ImplicitDeny, assume(fnSession, trust.ARN, ctx("sts:RoleSessionName", sessionName)))
	add("signed-in A", access.ImplicitDeny, assume(a.Principal, trust.ARN, ctx("sts:RoleSessionName", sessionName)))
	add("a role of another account", access.ImplicitDeny, assume("arn:aws:iam::999999999999:role/"+webpage.Name, trust.ARN, ctx("sts:RoleSessionName", sessionName)))
	add("ECS task", access.ImplicitDeny, assume("ecs-tasks.amazonaws.com", trust.ARN, ctx("aws:SourceAccount", account)))
	// Developers' roles (developerRoleArns) get the trust role as the webpage role does, for the
	// server on their machines (make web), and nothing else from gatehouse; a role beside one of
	// them does not. (The caller is the role itself: IAM matches its sessions by the role's id.)
	for _, developer := range developers {
		add("developer role", access.Allow, assume(developer, trust.ARN, ctx("sts:RoleSessionName", sessionName)))
		add("developer role", access.ImplicitDeny, assume(developer, trust.ARN, ctx("sts:RoleSessionName", "other-session")))
		add("developer role", access.ImplicitDeny, access.Request{Principal: developer, Action: "lambda:InvokeFunction", Resource: fn})
		add("developer role", access.ImplicitDeny, access.Request{Principal: developer, Action: "dynamodb:GetItem", Resource: table})
		add("a role beside the developer role", access.ImplicitDeny, assume(developer+"-other", trust.ARN, ctx("sts:RoleSessionName", sessionName)))
	}
	// The webpage role reaches nothing but the trust role.
	add("webpage role", access.ImplicitDeny, access.Request{Principal: web, Action: "lambda:InvokeFunction", Resource: fn})
	add("webpage role", access.ImplicitDeny, access.Request{Principal: web, Action: "dynamodb:GetItem", Resource: table})
	add("webpage role", access.ImplicitDeny, access.Request{Principal: web, Action: "s3:GetObject", Resource: "arn:aws:s3:::" + uploads + "/protected/" + IdentityA + "/photo.jpg"})
	add("webpage role", access.ImplicitDeny, assume(web, fnRole.ARN, nil))
	// The trust role invokes the items function, and nothing else.
	add("trust role", access.Allow, access.Request{Principal: trustSession, Action: "lambda:InvokeFunction", Resource: fn})
	add("trust role", access.Allow, access.Request{Principal: trustSession, Action: "lambda:InvokeFunction", Resource: fn + ":live"})
	add("trust role", access.ImplicitDeny, access.Request{Principal: trustSession, Action: "lambda:InvokeFunction",
		Resource: strings.TrimSuffix(fn, fn[strings.LastIndex(fn, ":")+1:]) + "another-function"})
	for _, action := range []string{"lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:GetFunction", "lambda:AddPermission"} {
		add("trust role", access.ImplicitDeny, access.Request{Principal: trustSession, Action: action, Resource: fn})
	}
	add("trust role", access.ImplicitDeny, access.Request{Principal: trustSession, Action: "dynamodb:GetItem", Resource: table})
	// Every IAM action: denied by the permissions boundary, whatever a policy of the role says.
	add("trust role", access.ExplicitDeny, access.Request{Principal: trustSession, Action: "iam:PassRole", Resource: fnRole.ARN})
	add("trust role", access.ImplicitDeny, assume(trustSession, fnRole.ARN, nil))
	// The function's role makes exactly the calls its code makes on its table's items (GetItem,
	// PutItem, Query), and nothing else: not the item-level calls nearest to them.
	add("Lambda", access.Allow, assume("lambda.amazonaws.com", fnRole.ARN, ctx("aws:SourceAccount", account)))
	add("ECS task", access.ImplicitDeny, assume("ecs-tasks.amazonaws.com", fnRole.ARN, ctx("aws:SourceAccount", account)))
	for _, action := range []string{"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"} {
		add("items function role", access.Allow, access.Request{Principal: fnSession, Action: action, Resource: table})
	}
	for _, action := range []string{"dynamodb:DeleteItem", "dynamodb:UpdateItem", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem",
		"dynamodb:Scan", "dynamodb:DeleteTable", "dynamodb:UpdateTable"} {
		add("items function role", access.ImplicitDeny, access.Request{Principal: fnSession, Action: action, Resource: table})
	}
	add("items function role", access.ImplicitDeny, access.Request{Principal: fnSession, Action: "dynamodb:GetItem",
		Resource: strings.TrimSuffix(table, table[strings.LastIndex(table, "/")+1:]) + "another-table"})
	add("items function role", access.ImplicitDeny, access.Request{Principal: fnSession, Action: "s3:GetObject",
		Resource: "arn:aws:s3:::" + uploads + "/protected/" + IdentityA + "/photo.jpg"})
	stream := strings.TrimSuffix(logGroup, "*") + "log-stream:2026/11/22/[$LATEST]0123456789abcdef"
	add("items function role", access.Allow, access.Request{Principal: fnSession, Action: "logs:PutLogEvents", Resource: stream})
	_ = pool
	return rows, nil
}

// crossAccountRows: the role another account assumes with an external id (when configured).
func crossAccountRows(m *access.Model, env string) ([]Row, error) {
	stack := env + "/CrossAccount"
	partner, err := roleAt(m, stack+"/PartnerRole/Resource")
	if err != nil {
		return nil, err
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
	exchange, err := m.Attr(stack, exchangeBucketID, "Ref")
	if err != nil {
		return nil, err
	}
	topic, err := m.Attr(stack, partnerTopicID, "Ref")
	if err != nil {
		return nil, err
	}
	short := strings.NewReplacer(partner.ARN, "<partner role>", "arn:aws:s3:::"+exchange, "<exchange>", topic, "<partner topic>", externalID, "<external id>")
	var rows []Row
	add := func(who string, expect access.Decision, req access.Request) {
		rows = append(rows, row(short, who, expect, req))
	}
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
	return rows, nil
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
