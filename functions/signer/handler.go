package main

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-cdk/gatehouse/functions/internal/identity"
	"github.com/gatehouse-cdk/gatehouse/limits"
)

// Request is what the signer takes: the caller's Cognito ID token (the Next.js server forwards
// the signed-in user's, through the role chain).
type Request struct {
	IDToken string `json:"idToken"`
}

// Response is a CloudFront custom-policy signature for the caller's own folder, or an error.
type Response struct {
	// Resource is what the signature covers: https://<domain>/protected/<identity id>/*.
	Resource string `json:"resource,omitempty"`
	// Query is what to append to the URL of any object under Resource:
	// Policy=...&Signature=...&Key-Pair-Id=...
	Query     string    `json:"query,omitempty"`
	Policy    string    `json:"policy,omitempty"`
	Signature string    `json:"signature,omitempty"`
	KeyPairID string    `json:"keyPairId,omitempty"`
	Expires   int64     `json:"expires,omitempty"` // Unix seconds
	Error     *APIError `json:"error,omitempty"`
}

// APIError is a refusal. Codes: unauthorized (a bad, expired or foreign token: nothing says
// which), unavailable (the token could not be checked now), not_configured (no signing key the
// distribution trusts: an operator must store one), internal (the key could not be read or used
// now: try again). Messages never name the secret or a key; the log does.
type APIError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Config is the function's environment (besides the identity check's).
type Config struct {
	Domain string // the domain viewers request images from: d111111abcdef8.cloudfront.net, or the custom domain
	// TrustedKeys are the distribution's public keys: CloudFront key id by key fingerprint
	// (limits.KeyFingerprint). A signature names the id of the key the secret holds, so the
	// keys may be rotated in any order.
	TrustedKeys  map[string]string
	SecretID     string // the Secrets Manager secret holding the private key (PEM)
	Prefix       string // the folder the identity owns, before its id: "protected/"
	SignatureTTL time.Duration
	KeyCacheTTL  time.Duration // how long the private key is used before it is read again
}

// Secrets reads the private key.
type Secrets interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Signer issues signatures. It is safe for concurrent use.
type Signer struct {
	cfg      Config
	identity identity.Check
	secrets  Secrets
	now      func() time.Time

	mu    sync.Mutex
	key   *rsa.PrivateKey
	keyID string
	keyAt time.Time
}

// NewSigner builds a signer over the given identity check and secrets client.
func NewSigner(cfg Config, identity identity.Check, secrets Secrets) *Signer {
	return &Signer{cfg: cfg, identity: identity, secrets: secrets, now: time.Now}
}

// Handle signs for the caller's own folder, or refuses.
func (s *Signer) Handle(ctx context.Context, req Request) Response {
	caller, err := s.identity.Caller(ctx, req.IDToken)
	if errors.Is(err, identity.ErrUnauthorized) {
		slog.InfoContext(ctx, "request", "outcome", "unauthorized", "reason", err.Error())
		return refuse("unauthorized", identity.ErrUnauthorized.Error())
	}
	if err != nil {
		slog.ErrorContext(ctx, "request", "outcome", "unavailable", "error", err.Error())
		return refuse("unavailable", "the token could not be checked now; try again")
	}
	key, keyID, err := s.privateKey(ctx)
	if err != nil {
		// The detail (secret, fingerprint, AWS error) is for the log; the caller learns only
		// whether to try again.
		code := codeOf(err)
		slog.ErrorContext(ctx, "request", "outcome", code, "secretId", s.cfg.SecretID, "error", err.Error())
		return refuse(code, messages[code])
	}
	expires := s.now().Add(s.cfg.SignatureTTL).Truncate(time.Second)
	resource := "https://" + s.cfg.Domain + "/" + s.cfg.Prefix + caller.Owner + "/*"
	policy := &sign.Policy{Statements: []sign.Statement{{
		Resource:  resource,
		Condition: sign.Condition{DateLessThan: sign.NewAWSEpochTime(expires)},
	}}}
	signature, encoded, err := policy.Sign(key)
	if err != nil {
		slog.ErrorContext(ctx, "request", "outcome", "internal", "error", "signing: "+err.Error())
		return refuse("internal", messages["internal"])
	}
	return Response{Resource: resource, Policy: string(encoded), Signature: string(signature), KeyPairID: keyID,
		Expires: expires.Unix(), Query: "Policy=" + string(encoded) + "&Signature=" + string(signature) + "&Key-Pair-Id=" + url.QueryEscape(keyID)}
}

// Invoke is Handle as the Lambda runtime takes a handler (main starts it): aws-lambda-go runs a
// function that returns a value only with an error beside it (a lone value fails every
// invocation with "handler returns a single value, but it does not implement error"), and the
// signer answers every refusal in its response, so the error is always nil.
func (s *Signer) Invoke(ctx context.Context, req Request) (Response, error) {
	return s.Handle(ctx, req), nil
}

func refuse(code, message string) Response {
	return Response{Error: &APIError{Code: code, Message: message}}
}

// messages are what a caller is told when there is no signature for a reason of the function's
// own: short, and naming neither the secret nor a key (the log does).
var messages = map[string]string{
	"internal":       "could not sign now; try again",
	"not_configured": "image signing is not set up in this environment (no trusted signing key); an operator must store the key",
}

// errNotConfigured marks a key failure that is the configuration's, which a retry does not mend:
// no secret or no value in it, not an RSA key in PEM, or a key the distribution does not trust.
var errNotConfigured = errors.New("not configured")

// codeOf is the refusal code of a privateKey failure: not_configured for errNotConfigured,
// internal for anything else (throttling, the network, a Secrets Manager or KMS fault, a
// denied call: a retry or an operator may mend it, and the caller can do nothing but retry).
func codeOf(err error) string {
	if errors.Is(err, errNotConfigured) {
		return "not_configured"
	}
	return "internal"
}

// privateKey is the signing key from the secret and the id of its public key at CloudFront,
// read again after KeyCacheTTL so that a rotated key is picked up.
func (s *Signer) privateKey(ctx context.Context) (*rsa.PrivateKey, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != nil && s.now().Sub(s.keyAt) < s.cfg.KeyCacheTTL {
		return s.key, s.keyID, nil
	}
	out, err := s.secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &s.cfg.SecretID})
	// Nothing is cached on a failure: the next request reads the secret again.
	var missing *types.ResourceNotFoundException // no such secret, or no current value in it
	if errors.As(err, &missing) {
		return nil, "", fmt.Errorf("%w: the secret %s has no current value (%s): store the key with the command `make cdn-key` prints", errNotConfigured, s.cfg.SecretID, err)
	}
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) {
			return nil, "", fmt.Errorf("reading the secret %s: %s (%s fault): %w", s.cfg.SecretID, api.ErrorCode(), api.ErrorFault(), err)
		}
		return nil, "", fmt.Errorf("reading the secret %s: %w", s.cfg.SecretID, err)
	}
	if out.SecretString == nil {
		return nil, "", fmt.Errorf("%w: the secret %s holds no text (a binary secret?): store the key with the command `make cdn-key` prints", errNotConfigured, s.cfg.SecretID)
	}
	key, err := parsePrivateKey(*out.SecretString)
	if err != nil {
		return nil, "", fmt.Errorf("%w: the secret %s does not hold an RSA private key in PEM (%v): store it with the command `make cdn-key` prints", errNotConfigured, s.cfg.SecretID, err)
	}
	fingerprint := limits.KeyFingerprint(&key.PublicKey)
	id, ok := s.cfg.TrustedKeys[fingerprint]
	if !ok {
		return nil, "", fmt.Errorf("%w: the secret %s holds a key (sha256 %s) that is not one of the distribution's public keys: store the private key of delivery.publicKeys[0], or deploy its public key", errNotConfigured, s.cfg.SecretID, fingerprint)
	}
	s.key, s.keyID, s.keyAt = key, id, s.now()
	return key, id, nil
}

// parsePrivateKey reads an RSA private key in PEM (PKCS #1 or PKCS #8).
func parsePrivateKey(text string) (*rsa.PrivateKey, error) {
	if key, err := sign.LoadPEMPrivKey(strings.NewReader(text)); err == nil {
		return key, nil
	}
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return key, nil
}
