// Command signer is gatehouse's signer asset function (Go, provided.al2023, arm64): given a
// signed-in user's Cognito ID token, it returns a CloudFront custom-policy signature that opens
// only that user's own folder of the private image distribution, for a short time.
//
// It verifies the token itself with the asset functions' one identity check
// (functions/internal/identity: the user pool's keys, issuer, audience, token_use, expiry; the
// caller's identity id from the identity pool's GetId, which needs no permission), and signs
// with the private key it alone may read from Secrets Manager (cached, read again after a few
// minutes so that a rotated key is picked up). It writes no cryptography of its own: the
// token is checked by lestrrat-go/jwx, the policy signed by the AWS SDK's CloudFront signer.
// Errors are {"error": {"code", "message"}}; a bad, expired or foreign token gets
// "unauthorized", never a signature and never a reason. A signing key that is missing, not an
// RSA key in PEM or not trusted by the distribution is "not_configured"; any other failure to
// read or use it (throttling, the network, a service fault) is "internal" ("try again"), and is
// not cached. Neither message names the secret or a key fingerprint: the log line does.
package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/start"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

func main() {
	cfg := start.Config(configFromEnv)
	signer := NewSigner(cfg, start.Identity(), secretsmanager.NewFromConfig(start.AWS()))
	lambda.Start(signer.Invoke)
}

// configFromEnv reads the function's environment (besides the identity check's, which
// start.Identity reads), with one error naming every missing or bad variable.
func configFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		Domain: getenv("DISTRIBUTION_DOMAIN"), TrustedKeys: map[string]string{},
		SecretID: getenv("SIGNING_KEY_SECRET_ARN"), Prefix: getenv("DELIVERED_FOLDER"), KeyCacheTTL: 5 * time.Minute,
	}
	var missing []string
	for _, name := range []string{"DISTRIBUTION_DOMAIN", "DELIVERED_FOLDER", "TRUSTED_KEYS", "SIGNING_KEY_SECRET_ARN"} {
		if getenv(name) == "" {
			missing = append(missing, name)
		}
	}
	if !strings.HasSuffix(cfg.Prefix, "/") && cfg.Prefix != "" {
		missing = append(missing, "DELIVERED_FOLDER (a folder ending in /)")
	}
	if text := getenv("TRUSTED_KEYS"); text != "" {
		keys, err := limits.ParseTrustedKeys(text)
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
