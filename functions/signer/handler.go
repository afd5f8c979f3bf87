package main

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/cloudfront/sign"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/gatehouse-cdk/gatehouse/rules"
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
// which), not_configured (no signing key), internal.
type APIError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Config is the function's environment.
type Config struct {
	Region         string
	UserPoolID     string
	ClientID       string
	IdentityPoolID string
	Domain         string // the domain viewers request images from: d111111abcdef8.cloudfront.net, or the custom domain
	// TrustedKeys are the distribution's public keys: CloudFront key id by key fingerprint
	// (rules.KeyFingerprint). A signature names the id of the key the secret holds, so the
	// keys may be rotated in any order.
	TrustedKeys     map[string]string
	SecretID        string // the Secrets Manager secret holding the private key (PEM)
	Prefix          string // the folder the identity owns, before its id: "protected/"
	SignatureTTL    time.Duration
	KeyCacheTTL     time.Duration // how long the private key is used before it is read again
	JWKSURL         string        // default: the user pool's
	IdentityTimeout time.Duration
}

// Issuer is the user pool's token issuer.
func (c Config) Issuer() string {
	return "https://cognito-idp." + c.Region + ".amazonaws.com/" + c.UserPoolID
}

// Identities resolves an ID token to the caller's identity id (cognito-identity GetId).
type Identities interface {
	GetId(ctx context.Context, in *cognitoidentity.GetIdInput, opts ...func(*cognitoidentity.Options)) (*cognitoidentity.GetIdOutput, error)
}

// Secrets reads the private key.
type Secrets interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Signer issues signatures. It is safe for concurrent use.
type Signer struct {
	cfg        Config
	identities Identities
	secrets    Secrets
	now        func() time.Time
	fetchKeys  func(ctx context.Context, url string) (jwk.Set, error)

	mu     sync.Mutex
	keys   jwk.Set
	keysAt time.Time
	key    *rsa.PrivateKey
	keyID  string
	keyAt  time.Time
}

// NewSigner builds a signer over the given clients.
func NewSigner(cfg Config, identities Identities, secrets Secrets) *Signer {
	if cfg.JWKSURL == "" {
		cfg.JWKSURL = cfg.Issuer() + "/.well-known/jwks.json"
	}
	return &Signer{cfg: cfg, identities: identities, secrets: secrets, now: time.Now,
		fetchKeys: func(ctx context.Context, u string) (jwk.Set, error) { return jwk.Fetch(ctx, u) }}
}

var errUnauthorized = errors.New("the token is not a valid, current ID token of this app's user pool")

// Handle signs for the caller's own folder, or refuses.
func (s *Signer) Handle(ctx context.Context, req Request) Response {
	token := strings.TrimSpace(req.IDToken)
	if token == "" || len(token) > 16384 {
		return refuse("unauthorized", errUnauthorized.Error())
	}
	if err := s.verify(ctx, token); err != nil {
		return refuse("unauthorized", errUnauthorized.Error())
	}
	logins := map[string]string{strings.TrimPrefix(s.cfg.Issuer(), "https://"): token}
	id, err := s.identities.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: &s.cfg.IdentityPoolID, Logins: logins})
	if err != nil || id.IdentityId == nil || *id.IdentityId == "" {
		return refuse("unauthorized", errUnauthorized.Error())
	}
	key, keyID, err := s.privateKey(ctx)
	if err != nil {
		return refuse("not_configured", err.Error())
	}
	expires := s.now().Add(s.cfg.SignatureTTL).Truncate(time.Second)
	resource := "https://" + s.cfg.Domain + "/" + s.cfg.Prefix + *id.IdentityId + "/*"
	policy := &sign.Policy{Statements: []sign.Statement{{
		Resource:  resource,
		Condition: sign.Condition{DateLessThan: sign.NewAWSEpochTime(expires)},
	}}}
	signature, encoded, err := policy.Sign(key)
	if err != nil {
		return refuse("internal", "could not sign: "+err.Error())
	}
	return Response{Resource: resource, Policy: string(encoded), Signature: string(signature), KeyPairID: keyID,
		Expires: expires.Unix(), Query: "Policy=" + string(encoded) + "&Signature=" + string(signature) + "&Key-Pair-Id=" + url.QueryEscape(keyID)}
}

func refuse(code, message string) Response {
	return Response{Error: &APIError{Code: code, Message: message}}
}

// verify checks the token's signature against the user pool's keys (RS256, by kid; "none" and
// keys from elsewhere are refused), its issuer, audience (the web client), token_use (id) and
// expiry.
func (s *Signer) verify(ctx context.Context, token string) error {
	keys, err := s.jwks(ctx, false)
	if err != nil {
		return err
	}
	parse := func(keys jwk.Set) error {
		_, err := jwt.ParseString(token,
			jwt.WithKeySet(keys, jws.WithRequireKid(true)),
			jwt.WithValidate(true),
			jwt.WithIssuer(s.cfg.Issuer()),
			jwt.WithAudience(s.cfg.ClientID),
			jwt.WithClaimValue("token_use", "id"),
			jwt.WithClock(jwt.ClockFunc(s.now)),
		)
		return err
	}
	if err := parse(keys); err == nil || !strings.Contains(err.Error(), "key") {
		return err
	}
	// An unknown kid: the pool may have rotated its keys; read them again (at most once a minute).
	if keys, err = s.jwks(ctx, true); err != nil {
		return err
	}
	return parse(keys)
}

func (s *Signer) jwks(ctx context.Context, refresh bool) (jwk.Set, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys != nil && (!refresh || s.now().Sub(s.keysAt) < time.Minute) {
		return s.keys, nil
	}
	keys, err := s.fetchKeys(ctx, s.cfg.JWKSURL)
	if err != nil {
		return nil, fmt.Errorf("user pool keys: %w", err)
	}
	s.keys, s.keysAt = keys, s.now()
	return keys, nil
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
	if err != nil || out.SecretString == nil {
		return nil, "", fmt.Errorf("the signing key is not readable from the secret %s: store it with the command `make cdn-key` prints", s.cfg.SecretID)
	}
	key, err := parsePrivateKey(*out.SecretString)
	if err != nil {
		return nil, "", fmt.Errorf("the secret %s does not hold an RSA private key in PEM: store it with the command `make cdn-key` prints", s.cfg.SecretID)
	}
	fingerprint := rules.KeyFingerprint(&key.PublicKey)
	id, ok := s.cfg.TrustedKeys[fingerprint]
	if !ok {
		return nil, "", fmt.Errorf("the secret %s holds a key (sha256 %s) that is not one of the distribution's public keys: store the private key of delivery.publicKeys[0], or deploy its public key", s.cfg.SecretID, fingerprint)
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
