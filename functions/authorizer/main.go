// Command authorizer is the token API's Lambda TOKEN authorizer (Go, provided.al2023, arm64): it
// looks the Authorization header's token up in the token table by its SHA-256 (the token itself
// is never stored or logged), and allows the whole API stage for the token's owner, with its
// scopes, when the token is current: not expired (checked here, as DynamoDB's TTL deletes late)
// and not revoked. Unknown, malformed, expired and revoked tokens all get API Gateway's 401, and
// nothing says which. The context it returns holds owner, scopes (space-separated) and expiresAt
// (the token's expiry, Unix seconds as a string), which functions/api checks on every request:
// API Gateway caches this answer, so without it a token would outlive its expiry by up to the
// cache time. Its role may read items of the token table and nothing else.
//
// Configuration: TOKEN_TABLE_NAME (required).
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/start"
)

func main() {
	db, table := start.TokenTable()
	a := &Authorizer{Table: db, TableName: table, Now: time.Now}
	lambda.Start(a.Handle)
}
