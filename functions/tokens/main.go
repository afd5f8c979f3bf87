// Command tokens is the token API's token service (Go, provided.al2023, arm64), an asset function
// the Next.js server invokes through the trust role with the signed-in user's Cognito ID token:
//
//	{"action":"issue",  "idToken":t, "scopes":["read","write"], "lifetimeDays":30}
//	{"action":"list",   "idToken":t}
//	{"action":"revoke", "idToken":t, "tokenId":id}
//
// The owner is the user of idToken, verified by the function itself (functions/internal/identity);
// a request that names an owner is refused (invalid, field owner) and one without a valid ID
// token is unauthorized, before anything is read or written.
//
// issue returns a new token once ({"token", "issued": {...}}); only its SHA-256 is stored, with
// the owner, scopes, creation and expiry (the table's TTL attribute). list returns the owner's
// tokens, newest first, never a token ({"tokens": [{"id", "scopes", "created", "expiresAt",
// "revoked", "expired"}]}). revoke marks one of the owner's own current tokens revoked; another
// owner's or an expired token is not_found (a DynamoDB condition decides). Errors are
// {"error": {"code", "field", "message"}}. Its role may put, update and query the owner index of
// the token table, and nothing else.
//
// Configuration: TOKEN_TABLE_NAME, USER_POOL_ID, USER_POOL_CLIENT_ID and IDENTITY_POOL_ID
// (required; constructs/assetfn sets the last three), TOKEN_SCOPES (comma-separated; default
// read,write).
package main

import (
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/start"
)

func main() {
	db, table := start.Table("TOKEN_TABLE_NAME", "the token table's name")
	scopes := apitokens.Scopes
	if v := os.Getenv("TOKEN_SCOPES"); v != "" {
		scopes = strings.Split(v, ",")
	}
	s := &Service{Table: db, TableName: table, Identity: start.Identity(), Now: time.Now, NewToken: apitokens.New, Scopes: scopes}
	lambda.Start(s.Handle)
}
