// Command authorizer is the token API's Lambda TOKEN authorizer (Go, provided.al2023, arm64): it
// looks the Authorization header's token up in the token table by its SHA-256 (the token itself
// is never stored or logged), and allows the whole API stage for the token's owner, with its
// scopes, when the token is current: not expired (checked here, as DynamoDB's TTL deletes late)
// and not revoked. Unknown, malformed, expired and revoked tokens all get API Gateway's 401, and
// nothing says which. Its role may read items of the token table and nothing else.
//
// Configuration: TOKEN_TABLE_NAME (required).
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
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
	a := &Authorizer{Table: dynamodb.NewFromConfig(cfg), TableName: table, Now: time.Now}
	lambda.Start(a.Handle)
}
