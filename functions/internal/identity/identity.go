// Package identity is the asset functions' one identity check: a Cognito ID token in, the
// signed-in user it belongs to out. Every function that acts for a user (the items function, the
// token service, the signer) derives its user here, from a token it verified itself; a caller's
// claim about who the user is counts for nothing.
//
// A token is accepted only when all of these hold:
//   - it is a JWS signed with RS256 by a key of the user pool's published key set (by kid; the
//     set is cached and read again, at most once a minute, when a token names a key it does not
//     hold, so that the pool's key rotation is picked up); "alg: none", other algorithms and keys
//     from anywhere else are refused;
//   - its issuer is the user pool, its audience the web client, its token_use "id" (an access
//     token is refused), and it has not expired;
//   - with the identity-id owner key (the default), the identity pool resolves it to an
//     identity id (cognito-identity GetId with the token as the login; Cognito checks the token
//     again). The identity id is cached per token until the token expires. With the sub owner
//     key the owner is the verified token's sub and the identity pool is not asked.
//
// Every refusal is ErrUnauthorized, never a reason the caller could probe with; the reason goes
// only to the function's log. Failures of the key set or GetId that are not about the token (the
// network, throttling) are other errors: the invocation fails and is retried, and nobody is
// told a good token is bad. The checking is lestrrat-go/jwx's; nothing here is cryptography of
// its own.
package identity

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentity/types"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/gatehouse-cdk/gatehouse/limits"
)

// ErrUnauthorized is every refusal of a token: missing, malformed, forged, expired, of another
// pool or client, not an ID token, or unknown to the identity pool.
var ErrUnauthorized = errors.New("the token is not a valid, current ID token of this app's user pool")

// MaxTokenLength is the longest token accepted (Cognito's ID tokens are a few kilobytes).
const MaxTokenLength = 16384

// keysRefreshInterval is how often, at most, a token naming an unknown key makes the key set be
// read again.
const keysRefreshInterval = time.Minute

// maxCachedCallers bounds the identity-id cache; past it, expired entries are dropped, then all.
const maxCachedCallers = 4096

// Config says whose tokens are accepted.
type Config struct {
	// UserPoolID is the user pool (<region>_<id>): its keys sign the tokens, it issues them.
	UserPoolID string
	// ClientID is the web client the tokens must be for (their audience).
	ClientID string
	// IdentityPoolID is the identity pool (<region>:<uuid>) that names the caller's identity.
	IdentityPoolID string
	// JWKSURL is where the pool's public keys are read. Default: the pool's own
	// (Issuer()/.well-known/jwks.json).
	JWKSURL string
	// OwnerKey says what names the caller's folder, items and tokens (Caller.Owner):
	// limits.OwnerKeyIdentityID (default) or limits.OwnerKeySub.
	OwnerKey string
}

// ConfigFromEnv reads the variables constructs/assetfn sets (limits.EnvUserPoolID and the
// others), returning the name of each one that is missing or malformed.
func ConfigFromEnv(getenv func(string) string) (Config, []string) {
	cfg := Config{UserPoolID: getenv(limits.EnvUserPoolID), ClientID: getenv(limits.EnvUserPoolClientID), IdentityPoolID: getenv(limits.EnvIdentityPoolID),
		OwnerKey: getenv(limits.EnvOwnerKey)}
	var bad []string
	if cfg.OwnerKey == "" {
		cfg.OwnerKey = limits.DefaultOwnerKey
	} else if !slices.Contains(limits.OwnerKeys, cfg.OwnerKey) {
		bad = append(bad, limits.EnvOwnerKey+" ("+strings.Join(limits.OwnerKeys, " or ")+")")
	}
	if region, _, ok := strings.Cut(cfg.UserPoolID, "_"); !ok || region == "" {
		bad = append(bad, limits.EnvUserPoolID+" (<region>_<id>)")
	}
	if cfg.ClientID == "" {
		bad = append(bad, limits.EnvUserPoolClientID)
	}
	if region, _, ok := strings.Cut(cfg.IdentityPoolID, ":"); !ok || region == "" {
		bad = append(bad, limits.EnvIdentityPoolID+" (<region>:<id>)")
	}
	return cfg, bad
}

// Region is the user pool's region (the start of its id).
func (c Config) Region() string {
	region, _, _ := strings.Cut(c.UserPoolID, "_")
	return region
}

// IdentityPoolRegion is the identity pool's region (the start of its id): GetId is called there.
func (c Config) IdentityPoolRegion() string {
	region, _, _ := strings.Cut(c.IdentityPoolID, ":")
	return region
}

// Issuer is the user pool's token issuer.
func (c Config) Issuer() string {
	return "https://cognito-idp." + c.Region() + ".amazonaws.com/" + c.UserPoolID
}

// Identities resolves a token to an identity id: *cognitoidentity.Client.
type Identities interface {
	GetId(ctx context.Context, in *cognitoidentity.GetIdInput, opts ...func(*cognitoidentity.Options)) (*cognitoidentity.GetIdOutput, error)
}

// Caller is a verified user.
type Caller struct {
	// Owner names the caller's folder, items and tokens: IdentityID or Subject, as the owner key
	// in force says.
	Owner string
	// IdentityID is the caller's identity id in the identity pool; empty with the sub owner key.
	IdentityID string
	// Subject is the token's sub (the user pool's id of the user).
	Subject string
	// Expires is when the token expires.
	Expires time.Time
}

// Check derives the caller from an ID token: what a function that acts for a user holds
// (*Verifier, or a test's stand-in).
type Check interface {
	Caller(ctx context.Context, idToken string) (Caller, error)
}

// Verifier checks tokens. It is safe for concurrent use.
type Verifier struct {
	cfg        Config
	identities Identities
	// Now is the clock (time.Now); FetchKeys reads a key set (jwk.Fetch). Tests replace them.
	Now       func() time.Time
	FetchKeys func(ctx context.Context, url string) (jwk.Set, error)

	mu      sync.Mutex
	keys    jwk.Set
	keysAt  time.Time
	callers map[[sha256.Size]byte]Caller
}

// NewVerifier checks tokens of cfg's pools, resolving identities with identities.
func NewVerifier(cfg Config, identities Identities) *Verifier {
	if cfg.JWKSURL == "" {
		cfg.JWKSURL = cfg.Issuer() + "/.well-known/jwks.json"
	}
	return &Verifier{cfg: cfg, identities: identities, Now: time.Now,
		FetchKeys: func(ctx context.Context, u string) (jwk.Set, error) { return jwk.Fetch(ctx, u) },
		callers:   map[[sha256.Size]byte]Caller{}}
}

// Config is what the verifier was made with (JWKSURL filled in).
func (v *Verifier) Config() Config { return v.cfg }

// Caller verifies token and returns whose it is. A refusal wraps ErrUnauthorized (with the
// reason, for the log); any other error is a failure to check (key set or identity pool
// unavailable).
func (v *Verifier) Caller(ctx context.Context, token string) (Caller, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return Caller{}, fmt.Errorf("%w: no token", ErrUnauthorized)
	}
	if len(token) > MaxTokenLength {
		return Caller{}, fmt.Errorf("%w: the token is longer than %d bytes", ErrUnauthorized, MaxTokenLength)
	}
	parsed, err := v.verify(ctx, token)
	if err != nil {
		return Caller{}, err
	}
	key := sha256.Sum256([]byte(token))
	now := v.Now()
	v.mu.Lock()
	cached, ok := v.callers[key]
	v.mu.Unlock()
	if ok && now.Before(cached.Expires) {
		return cached, nil
	}
	exp, _ := parsed.Expiration()
	sub, _ := parsed.Subject()
	if sub == "" {
		return Caller{}, fmt.Errorf("%w: the token has no sub", ErrUnauthorized)
	}
	caller := Caller{Owner: sub, Subject: sub, Expires: exp}
	if v.cfg.OwnerKey != limits.OwnerKeySub {
		id, err := v.identityID(ctx, token)
		if err != nil {
			return Caller{}, err
		}
		caller.Owner, caller.IdentityID = id, id
	}
	v.remember(key, caller, now)
	return caller, nil
}

// verify checks the signature (RS256, a key of the pool's set, by kid), issuer, audience,
// token_use and expiry.
func (v *Verifier) verify(ctx context.Context, token string) (jwt.Token, error) {
	msg, err := jws.ParseString(token)
	if err != nil || len(msg.Signatures()) != 1 {
		return nil, fmt.Errorf("%w: not a signed token", ErrUnauthorized)
	}
	headers := msg.Signatures()[0].ProtectedHeaders()
	if alg, ok := headers.Algorithm(); !ok || alg != jwa.RS256() {
		return nil, fmt.Errorf("%w: the token is not signed with RS256", ErrUnauthorized)
	}
	kid, ok := headers.KeyID()
	if !ok || kid == "" {
		return nil, fmt.Errorf("%w: the token names no key", ErrUnauthorized)
	}
	keys, err := v.keySet(ctx, kid)
	if err != nil {
		return nil, err
	}
	parsed, err := jwt.ParseString(token,
		jwt.WithKeySet(keys, jws.WithRequireKid(true)),
		jwt.WithValidate(true),
		jwt.WithIssuer(v.cfg.Issuer()),
		jwt.WithAudience(v.cfg.ClientID),
		jwt.WithClaimValue("token_use", "id"),
		jwt.WithClock(jwt.ClockFunc(v.Now)),
	)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnauthorized, err)
	}
	return parsed, nil
}

// keySet is the pool's key set, read again when it lacks kid (at most every
// keysRefreshInterval). A kid the pool does not publish is a refusal, not an error.
func (v *Verifier) keySet(ctx context.Context, kid string) (jwk.Set, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.keys != nil {
		if _, ok := v.keys.LookupKeyID(kid); ok || v.Now().Sub(v.keysAt) < keysRefreshInterval {
			return v.keys, nil
		}
	}
	keys, err := v.FetchKeys(ctx, v.cfg.JWKSURL)
	if err != nil {
		if v.keys != nil {
			return v.keys, nil // keep using what the pool published last
		}
		return nil, fmt.Errorf("reading the user pool's keys: %w", err)
	}
	v.keys, v.keysAt = keys, v.Now()
	return keys, nil
}

// identityID asks the identity pool whose token this is. Cognito's NotAuthorizedException and
// ResourceNotFoundException are refusals; anything else is a failure to check.
func (v *Verifier) identityID(ctx context.Context, token string) (string, error) {
	logins := map[string]string{strings.TrimPrefix(v.cfg.Issuer(), "https://"): token}
	out, err := v.identities.GetId(ctx, &cognitoidentity.GetIdInput{IdentityPoolId: &v.cfg.IdentityPoolID, Logins: logins})
	var notAuthorized *types.NotAuthorizedException
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notAuthorized) || errors.As(err, &notFound):
		return "", fmt.Errorf("%w: the identity pool refused it: %v", ErrUnauthorized, err)
	case err != nil:
		return "", fmt.Errorf("resolving the identity: %w", err)
	case out.IdentityId == nil || *out.IdentityId == "":
		return "", fmt.Errorf("%w: the identity pool returned no identity", ErrUnauthorized)
	}
	return *out.IdentityId, nil
}

func (v *Verifier) remember(key [sha256.Size]byte, caller Caller, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.callers) >= maxCachedCallers {
		for k, c := range v.callers {
			if !now.Before(c.Expires) {
				delete(v.callers, k)
			}
		}
		if len(v.callers) >= maxCachedCallers {
			clear(v.callers)
		}
	}
	v.callers[key] = caller
}
