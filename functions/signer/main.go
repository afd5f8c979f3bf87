// Command signer is gatehouse's signer asset function (Go, provided.al2023, arm64): given a
// signed-in user's Cognito ID token, it returns a CloudFront custom-policy signature that opens
// only that user's own folder of the private image distribution, for a short time.
//
// It verifies the token itself (the user pool's keys, issuer, audience, token_use, expiry),
// resolves the caller's identity id in the identity pool (GetId, which needs no permission), and
// signs with the private key it alone may read from Secrets Manager (cached, read again after a
// few minutes so that a rotated key is picked up). It writes no cryptography of its own: the
// token is checked by lestrrat-go/jwx, the policy signed by the AWS SDK's CloudFront signer.
// Errors are {"error": {"code", "message"}}; a bad, expired or foreign token gets
// "unauthorized", never a signature and never a reason.
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/gatehouse-cdk/gatehouse/rules"
)

func main() {
	cfg, err := configFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The secret is in the function's region; the identity pool in its own (the start of its id).
	aws, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	identityRegion, _, _ := strings.Cut(cfg.IdentityPoolID, ":")
	identities := cognitoidentity.NewFromConfig(aws, func(o *cognitoidentity.Options) { o.Region = identityRegion })
	signer := NewSigner(cfg, identities, secretsmanager.NewFromConfig(aws))
	lambda.Start(signer.Handle)
}

// configFromEnv reads the function's environment, with one error naming every missing or bad
// variable.
func configFromEnv(getenv func(string) string) (Config, error) {
	// The user pool's region is the start of its id (<region>_<id>): its tokens' issuer names it.
	poolRegion, _, _ := strings.Cut(getenv("USER_POOL_ID"), "_")
	cfg := Config{
		Region: poolRegion, UserPoolID: getenv("USER_POOL_ID"), ClientID: getenv("USER_POOL_CLIENT_ID"),
		IdentityPoolID: getenv("IDENTITY_POOL_ID"), Domain: getenv("DISTRIBUTION_DOMAIN"), TrustedKeys: map[string]string{},
		SecretID: getenv("SIGNING_KEY_SECRET_ARN"), Prefix: getenv("DELIVERED_FOLDER"), KeyCacheTTL: 5 * time.Minute,
	}
	var missing []string
	for _, name := range []string{"USER_POOL_ID", "USER_POOL_CLIENT_ID", "IDENTITY_POOL_ID", "DISTRIBUTION_DOMAIN", "DELIVERED_FOLDER", "TRUSTED_KEYS", "SIGNING_KEY_SECRET_ARN"} {
		if getenv(name) == "" {
			missing = append(missing, name)
		}
	}
	if !strings.HasSuffix(cfg.Prefix, "/") && cfg.Prefix != "" {
		missing = append(missing, "DELIVERED_FOLDER (a folder ending in /)")
	}
	if text := getenv("TRUSTED_KEYS"); text != "" {
		keys, err := rules.ParseTrustedKeys(text)
		if err != nil {
			missing = append(missing, "TRUSTED_KEYS ("+err.Error()+")")
		}
		cfg.TrustedKeys = keys
	}
	ttl := 900
	if v := getenv("SIGNATURE_TTL_SECONDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 60 || n > 3600 {
			missing = append(missing, "SIGNATURE_TTL_SECONDS (60..3600)")
		}
		ttl = n
	}
	cfg.SignatureTTL = time.Duration(ttl) * time.Second
	if len(missing) > 0 {
		return Config{}, fmt.Errorf("signer: missing or bad environment variables: %v", missing)
	}
	return cfg, nil
}
