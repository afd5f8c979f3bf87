// The token API's rows.

package matrix

import (
	"maps"
	"slices"
	"strings"

	"github.com/gatehouse-cdk/gatehouse/access"
	"github.com/gatehouse-cdk/gatehouse/internal/logicalids"
)

// Logical ids of the token API's resources.
const (
	restAPIID          = "TokenApiAFB708A6"
	tokenAuthorizerID  = "TokenApiTokenAuthorizer68D6E37B"
	apiStageID         = "TokenApiDeploymentStagev1F22BC785"
	tokenTableID       = logicalids.TokenTable
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
	look := &lookup{m: m}
	api := look.attr(stack, restAPIID, "Ref")
	authorizerID, stage, table := look.attr(stack, tokenAuthorizerID, "Ref"), look.attr(stack, apiStageID, "Ref"), look.attr(stack, tokenTableID, "Arn")
	authorizerFn, tokenService, handler := look.attr(stack, authorizerFnID, "Arn"), look.attr(stack, tokenServiceFnID, "Arn"), look.attr(stack, apiHandlerFnID, "Arn")
	itemsTable := look.attr(env+"/Server", itemsTableID, "Arn")
	roles := map[string]*access.Role{}
	for name, path := range map[string]string{
		"authorizer": stack + "/TokenApi/Authorizer/Role/Resource", "token service": stack + "/TokenApi/TokenService/Role/Resource",
		"handler": stack + "/TokenApi/Handler/Role/Resource", "cloudwatch": stack + "/TokenApi/Api/CloudWatchRole/Resource",
		"webpage": env + "/Server/WebpageRole/Resource", "trust": env + "/Server/TrustRole/Resource", "items": env + "/Server/ItemsFunction/Role/Resource",
	} {
		roles[name] = look.role(path)
	}
	server := look.outputs(env + "/Server")
	if look.err != nil {
		return nil, look.err
	}
	account := strings.SplitN(table, ":", 6)[4]
	region := strings.SplitN(table, ":", 6)[3]
	executeAPI := func(id, rest string) string {
		return "arn:aws:execute-api:" + region + ":" + account + ":" + id + "/" + rest
	}
	restAPI := func(id, rest string) string {
		return "arn:aws:apigateway:" + region + "::/restapis/" + id + rest
	}
	book := newBook(table, "<token table>", itemsTable, "<items table>", authorizerFn, "<authorizer>", tokenService, "<token service>",
		handler, "<api handler>", executeAPI(api, ""), "<this api>/", executeAPI(anotherRestAPIID, ""), "<another api>/",
		restAPI(api, ""), "<this api's config>", restAPI(anotherRestAPIID, ""), "<another api's config>", account, "<this account>")
	add := book.add
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
	return book.rows, nil
}
