// Command tokens is the token API's token service (Go, provided.al2023, arm64), an asset function
// the Next.js server invokes through the trust role with the signed-in user's Cognito ID token:
//
//	{"action":"issue",  "idToken":t, "scopes":["read","write"], "lifetimeDays":30}
//	{"action":"list",   "idToken":t, "limit":20, "next":cursor}
//	{"action":"revoke", "idToken":t, "tokenId":id}
//
// The owner is the user of idToken, verified by the function itself (functions/internal/identity);
// a request that names an owner is refused (invalid, field owner) and one without a valid ID
// token is unauthorized, before anything is read or written. Unknown fields, and fields of
// another action, are invalid (naming the field).
//
// issue returns a new token once ({"token", "issued": {"id", "scopes", "created", "expiresAt",
// "revoked", "expired"}}); only its SHA-256 is stored, with the owner, scopes, creation and expiry
// (the table's TTL attribute). lifetimeDays is limits.TokenLifetimeDays. An owner who already holds
// MAX_ACTIVE_TOKENS active tokens (not revoked, not expired) gets conflict and nothing is written.
//
// list returns one page of the owner's tokens, newest first, never a token:
// {"tokens": [{"id", "scopes", "created", "expiresAt", "revoked", "expired"}], "next": cursor}.
// limit is limits.TokenListPage (1–100, default 20); next, absent on the last page, is an opaque
// cursor for the following page (a malformed one is invalid, field next). The owner of a page is
// always the caller: a cursor holds only a position, so no cursor reaches another owner's tokens.
//
// revoke marks one of the owner's own current tokens revoked (again, if it already is); another
// owner's, an unknown or an expired token is not_found (a DynamoDB condition decides). Then it
// flushes the API stage's authorizer cache, so the token stops working at once:
// {"revoked": {"id", "flushed": true, "effectiveWithinSeconds": 0}}. If the flush fails the revoke
// stands (the authorizer reads it on its next uncached call): {"revoked": {"id", "flushed":
// false, "effectiveWithinSeconds": AUTHORIZER_CACHE_SECONDS}}, and a warning is logged.
//
// Errors are {"error": {"code", "field", "message"}}: invalid, unauthorized, not_found, conflict.
// A DynamoDB failure fails the invocation. Its role may put, update and query the owner index of
// the token table, and flush the stage's authorizer cache (apigateway:DELETE on
// /restapis/<id>/stages/<stage>/cache/authorizers), and nothing else.
//
// Configuration (the environment; constructs/tokenapi sets it): TOKEN_TABLE_NAME, USER_POOL_ID,
// USER_POOL_CLIENT_ID and IDENTITY_POOL_ID (required; constructs/assetfn sets the last three);
// TOKEN_API_ID and TOKEN_API_STAGE (required: the stage whose authorizer cache a revoke flushes);
// MAX_ACTIVE_TOKENS (required, limits.MaxActiveTokens: api.maxActiveTokensPerOwner);
// AUTHORIZER_CACHE_SECONDS (required, limits.AuthorizerCacheSeconds: the stage's authorizer
// cache, api.authorizerCacheSeconds); TOKEN_SCOPES (comma-separated; default read,write). A
// missing or bad value stops the function at start-up with one JSON log line naming it.
package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/start"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

func main() {
	cfg := start.Config(configFromEnv)
	db, table := start.TokenTable()
	s := &Service{Table: db, TableName: table, Identity: start.Identity(), Now: time.Now, NewToken: apitokens.New,
		AuthorizerCache: stageCache{apigateway.NewFromConfig(start.AWS())}, Config: cfg}
	lambda.Start(s.Handle)
}

// configFromEnv reads the service's settings (besides the table's and the identity check's),
// with one error naming every missing or bad variable.
func configFromEnv(getenv func(string) string) (Config, error) {
	ps := limits.NewProblems("token service environment")
	cfg := Config{APIID: getenv(limits.EnvTokenAPIID), Stage: getenv(limits.EnvTokenAPIStage), Scopes: apitokens.Scopes}
	if cfg.APIID == "" {
		ps.Add(limits.EnvTokenAPIID, nil, "is required: the id of the REST API whose stage's authorizer cache a revoke flushes")
	}
	if cfg.Stage == "" {
		ps.Add(limits.EnvTokenAPIStage, nil, "is required: the name of the stage whose authorizer cache a revoke flushes")
	}
	cfg.MaxActive = intFromEnv(ps, getenv, limits.EnvMaxActiveTokens, limits.MaxActiveTokens)
	cfg.CacheSeconds = intFromEnv(ps, getenv, limits.EnvAuthorizerCacheSeconds, limits.AuthorizerCacheSeconds)
	if v := getenv("TOKEN_SCOPES"); v != "" {
		cfg.Scopes = strings.Split(v, ",")
	}
	return cfg, ps.Err()
}

// intFromEnv is the whole number in the variable name, which must be in r; a problem otherwise.
func intFromEnv(ps *limits.Problems, getenv func(string) string, name string, r limits.Range) int {
	v := getenv(name)
	n, err := strconv.Atoi(v)
	if err != nil {
		ps.Add(name, v, "is required and "+rangeAllowed(r))
		return 0
	}
	r.Check(ps, name, n)
	return n
}
