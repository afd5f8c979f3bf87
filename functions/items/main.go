// Command items is gatehouse's reference asset function: a small items API over one DynamoDB
// table (partition key owner, sort key id), invoked directly with the Lambda Invoke API by the
// web server, which sets owner to the signed-in caller's id.
//
// Payload (one JSON object; unknown, misspelled or repeated fields are refused):
//
//	{"action":"put",  "owner":o, "id":i, "name":n, "body":b}  body optional
//	{"action":"get",  "owner":o, "id":i}
//	{"action":"list", "owner":o, "limit":l, "next":t}         limit (1..100, default 25) and next optional
//
// owner is 1..128 of [A-Za-z0-9:_-]; id is 1..64 of [A-Za-z0-9_-]; name is 1..200 printable
// characters, stored trimmed of surrounding spaces; body is at most 4000 characters. A field
// that does not belong to the action is refused.
//
// Response: {"item":{"id","name","body","createdAt"}} for put and get; {"items":[...],"next":t}
// for list, with next present when DynamoDB reports that more items may follow (the next page
// can then be empty); or {"error":{"code","field","message"}}, code one of invalid, conflict,
// not_found, for the first problem in the order action, owner, id, name, body, limit, next.
// The owner is never echoed. Only DynamoDB failures fail the invocation.
//
// next is base64url (no padding) of {"id":<last id>}. It carries no owner: the start key is
// always built with the caller's owner, so a token cannot reach another owner's items.
//
// A put is conditional (attribute_not_exists(id)): an existing item is never silently
// overwritten, for example by a retried or concurrent request or a reused id; that is a
// conflict instead. A get reads consistently.
//
// Each request logs one JSON line (action, owner, outcome) to stderr; never the body.
// Configuration: TABLE_NAME (required).
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/items"
	"github.com/gatehouse-cdk/gatehouse/functions/internal/start"
)

func main() {
	db, table := start.Table("TABLE_NAME", "the items table's name")
	handler := &items.Handler{Table: db, TableName: table, Now: time.Now}
	lambda.Start(handler.Handle)
}
