// Command tokens is the token API's token service (Go, provided.al2023, arm64), an asset function
// the Next.js server invokes through the trust role with the signed-in caller as owner:
//
//	{"action":"issue",  "owner":o, "scopes":["read","write"], "lifetimeDays":30}
//	{"action":"list",   "owner":o}
//	{"action":"revoke", "owner":o, "tokenId":id}
//
// issue returns a new token once ({"token", "issued": {...}}); only its SHA-256 is stored, with
// the owner, scopes, creation and expiry (the table's TTL attribute). list returns the owner's
// tokens, newest first, never a token ({"tokens": [{"id", "scopes", "created", "expiresAt",
// "revoked", "expired"}]}). revoke marks one of the owner's own current tokens revoked; another
// owner's or an expired token is not_found (a DynamoDB condition decides). Errors are
// {"error": {"code", "field", "message"}}. Its role may put, update and query the owner index of
// the token table, and nothing else.
//
// Configuration: TOKEN_TABLE_NAME (required), TOKEN_SCOPES (comma-separated; default read,write).
package main

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gatehouse-cdk/gatehouse/apitokens"
)

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	table := os.Getenv("TOKEN_TABLE_NAME")
	if table == "" {
		slog.Error("refusing to start: the environment variable TOKEN_TABLE_NAME (the token table's name) is empty")
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		slog.Error("refusing to start: cannot load the AWS configuration", "error", err.Error())
		os.Exit(1)
	}
	scopes := apitokens.Scopes
	if v := os.Getenv("TOKEN_SCOPES"); v != "" {
		scopes = strings.Split(v, ",")
	}
	s := &Service{Table: dynamodb.NewFromConfig(cfg), TableName: table, Now: time.Now, NewToken: apitokens.New, Scopes: scopes}
	lambda.Start(s.Handle)
}
