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
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func main() {
	cfg, err := configFromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	aws, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(cfg.Region))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	signer := NewSigner(cfg, cognitoidentity.NewFromConfig(aws), secretsmanager.NewFromConfig(aws))
	lambda.Start(signer.Handle)
}

// configFromEnv reads the function's environment, with one error naming every missing or bad
// variable.
func configFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		Region: getenv("AWS_REGION"), UserPoolID: getenv("USER_POOL_ID"), ClientID: getenv("USER_POOL_CLIENT_ID"),
		IdentityPoolID: getenv("IDENTITY_POOL_ID"), Domain: getenv("DISTRIBUTION_DOMAIN"), KeyPairID: getenv("KEY_PAIR_ID"),
		SecretID: getenv("SIGNING_KEY_SECRET_ARN"), Prefix: "protected/", KeyCacheTTL: 5 * time.Minute,
	}
	var missing []string
	for name, v := range map[string]string{"AWS_REGION": cfg.Region, "USER_POOL_ID": cfg.UserPoolID, "USER_POOL_CLIENT_ID": cfg.ClientID,
		"IDENTITY_POOL_ID": cfg.IdentityPoolID, "DISTRIBUTION_DOMAIN": cfg.Domain, "KEY_PAIR_ID": cfg.KeyPairID, "SIGNING_KEY_SECRET_ARN": cfg.SecretID} {
		if v == "" {
			missing = append(missing, name)
		}
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
