// Package start is the functions' shared start-up (items, api, authorizer, tokens, signer): JSON
// log lines on stderr, required values from the environment, AWS clients from the SDK's default
// configuration, and the identity check of the functions that act for users. A missing value
// stops the function with one log line before it serves anything.
package start

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity"
)

// The functions' log lines are JSON on stderr, from the first (a refusal to start included).
func init() { slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, nil))) }

// AWS is the SDK's default configuration (the function's region and role), loaded once.
var AWS = sync.OnceValue(func() aws.Config {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		Refuse("cannot load the AWS configuration: " + err.Error())
	}
	return cfg
})

// Refuse stops the function before it serves anything, with one log line saying why.
func Refuse(why string) {
	slog.Error("refusing to start: " + why)
	os.Exit(1)
}

// Config is the function's settings, read from the environment by read, or it stops the function
// with read's error.
func Config[C any](read func(getenv func(string) string) (C, error)) C {
	cfg, err := read(os.Getenv)
	if err != nil {
		Refuse(err.Error())
	}
	return cfg
}

// Table returns the table named by the environment variable variable (what says which table, for
// the message) and a DynamoDB client, or stops the function.
func Table(variable, what string) (*dynamodb.Client, string) {
	cfg := AWS()
	name := os.Getenv(variable)
	if name == "" {
		Refuse("the environment variable " + variable + " (" + what + ") is empty")
	}
	return dynamodb.NewFromConfig(cfg), name
}

// ItemsTable is Table of the items table (TABLE_NAME): the items function's and the token API's
// handler's.
func ItemsTable() (*dynamodb.Client, string) { return Table("TABLE_NAME", "the items table's name") }

// TokenTable is Table of the token table (TOKEN_TABLE_NAME): the authorizer's and the token
// service's.
func TokenTable() (*dynamodb.Client, string) {
	return Table("TOKEN_TABLE_NAME", "the token table's name")
}

// Identity is the identity check of the user pool, web client and identity pool the
// environment names (constructs/assetfn sets them), resolving identities in the identity pool's
// region; or it stops the function.
func Identity() *identity.Verifier {
	cfg := AWS()
	ids, bad := identity.ConfigFromEnv(os.Getenv)
	if len(bad) > 0 {
		Refuse("missing or malformed environment variables of the identity check: " + strings.Join(bad, ", "))
	}
	client := cognitoidentity.NewFromConfig(cfg, func(o *cognitoidentity.Options) { o.Region = ids.IdentityPoolRegion() })
	return identity.NewVerifier(ids, client)
}
