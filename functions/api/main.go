// Command api is the token API's handler (Go, provided.al2023, arm64): API Gateway's proxy
// integration of
//
//	GET /items              list the owner's items (query: limit, next)   scope read
//	GET /items/{id}         one item                                       scope read
//	PUT /items/{id}         {"name": "...", "body": "..."}                 scope write
//
// over the items logic (functions/internal/items). The owner is the token's, from the
// authorizer's context, never anything in the request. The context's expiresAt (the token's
// expiry, Unix seconds) is checked on every request, so a token stops working the second it
// expires although API Gateway caches the authorizer's answer; a context without a readable
// expiresAt is refused (401). Answers are JSON: 200/201, 400 naming the field, 401, 403 without
// the scope, 404, 409, 500 if DynamoDB failed (never a 502).
//
// Configuration: TABLE_NAME (the items table, required), ALLOWED_ORIGINS (comma-separated, CORS).
package main

import (
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/items"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/start"
)

func main() {
	db, table := start.ItemsTable()
	var origins []string
	if v := os.Getenv("ALLOWED_ORIGINS"); v != "" {
		origins = strings.Split(v, ",")
	}
	api := &API{Items: &items.Handler{Table: db, TableName: table, Now: time.Now}, AllowedOrigins: origins, Now: time.Now}
	lambda.Start(api.Handle)
}
