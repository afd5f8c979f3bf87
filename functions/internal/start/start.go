// Package start is the DynamoDB-backed functions' shared start-up (items, api, authorizer,
// tokens): JSON log lines on stderr, the table's name from a required environment variable and
// a DynamoDB client from the AWS SDK's default configuration. A missing value stops the function
// with one log line before it serves anything.
package start

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Table returns the table named by the environment variable variable (what says which table, for
// the message) and a DynamoDB client, or stops the function.
func Table(variable, what string) (*dynamodb.Client, string) {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, nil)))
	name := os.Getenv(variable)
	if name == "" {
		slog.Error("refusing to start: the environment variable " + variable + " (" + what + ") is empty")
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		slog.Error("refusing to start: cannot load the AWS configuration", "error", err.Error())
		os.Exit(1)
	}
	return dynamodb.NewFromConfig(cfg), name
}
