// Command items is gatehouse's reference asset function: a small items API over one DynamoDB
// table (partition key owner, sort key id), invoked directly with the Lambda Invoke API by the
// web server, which forwards the signed-in user's Cognito ID token.
//
// Payload (one JSON object; unknown, misspelled or repeated fields are refused):
//
//	{"action":"put",  "idToken":t, "id":i, "name":n, "body":b}  body optional
//	{"action":"get",  "idToken":t, "id":i}
//	{"action":"list", "idToken":t, "limit":l, "next":x}         limit (1..100, default 25) and next optional
//
// The owner is the user of idToken, verified by the function itself (functions/internal/identity:
// the user pool's signature, issuer, web client, token_use id, expiry; the identity id from the
// identity pool). A payload that names an owner is refused (invalid, field owner), and a missing
// or refused token is {"error":{"code":"unauthorized"}} before any other field is looked at: a
// caller holding the trust role but no user's valid token reaches nothing.
//
// id is 1..64 of [A-Za-z0-9_-]; name is 1..200 printable characters, stored trimmed of
// surrounding spaces; body is at most 4000 characters. A field that does not belong to the
// action is refused.
//
// Response: {"item":{"id","name","body","createdAt"}} for put and get; {"items":[...],"next":x}
// for list, with next present when DynamoDB reports that more items may follow (the next page
// can then be empty); or {"error":{"code","field","message"}}, code one of invalid, conflict,
// not_found, unauthorized, for the first problem in the order action, id, name, body, limit,
// next. The owner is never echoed. Only failures of DynamoDB or of the identity check's services
// fail the invocation.
//
// next is base64url (no padding) of {"id":<last id>}. It carries no owner: the start key is
// always built with the caller's owner, so a token cannot reach another owner's items.
//
// A put is conditional (attribute_not_exists(id)): an existing item is never silently
// overwritten, for example by a retried or concurrent request or a reused id; that is a
// conflict instead. A get reads consistently.
//
// Each request logs one JSON line (action, owner, outcome) to stderr; never the body or a token.
// Configuration (all required): TABLE_NAME, and USER_POOL_ID, USER_POOL_CLIENT_ID and
// IDENTITY_POOL_ID (the identity check's; constructs/assetfn sets them).
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/items"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/start"
)

func main() {
	db, table := start.ItemsTable()
	handler := &items.Handler{Table: db, TableName: table, Identity: start.Identity(), Now: time.Now}
	lambda.Start(handler.Handle)
}
