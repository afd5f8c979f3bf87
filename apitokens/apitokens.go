// Package apitokens defines gatehouse's API tokens, once, for the token service that issues
// them, the authorizer that checks them and the API that names their format: a recognisable
// prefix (so secret scanners can find a leaked one) and 256 bits from crypto/rand, stored only as
// their SHA-256. It imports no CDK package.
package apitokens

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
)

// Prefix starts every token.
const Prefix = "ghapi_"

// RandomBytes is a token's randomness: 32 bytes, 256 bits.
const RandomBytes = 32

// tokenPattern is a token: the prefix and 43 base64url characters (32 bytes, unpadded).
const tokenPattern = Prefix + `[A-Za-z0-9_-]{43}`

// HeaderPattern is what the Authorization header must hold, the token alone or after "Bearer ":
// API Gateway checks it (the authorizer's validation regex) before the authorizer runs.
const HeaderPattern = `^(Bearer )?` + tokenPattern + `$`

var header = regexp.MustCompile(HeaderPattern)

// New makes a token.
func New() (string, error) {
	b := make([]byte, RandomBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return Prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// FromHeader is the token in an Authorization header value, and whether it is one.
func FromHeader(value string) (string, bool) {
	if !header.MatchString(value) {
		return "", false
	}
	return strings.TrimPrefix(value, "Bearer "), true
}

// Hash is what the token table stores and looks tokens up by: the hex SHA-256 of the token.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// IsHash reports whether s looks like a Hash (a token's id in listings and revocations).
func IsHash(s string) bool { return hashPattern.MatchString(s) }

var hashPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// The token table's attributes.
const (
	AttrHash      = "tokenHash" // partition key
	AttrOwner     = "owner"     // the owner index's partition key
	AttrScopes    = "scopes"    // string set
	AttrCreated   = "created"   // Unix seconds; the owner index's sort key
	AttrExpiresAt = "expiresAt" // Unix seconds; the table's TTL attribute
	AttrRevoked   = "revoked"   // boolean
	OwnerIndex    = "byOwner"
)

// The authorizer's context, which API Gateway passes on to the API's handler (every value as a
// string): the token's owner, its scopes (space-separated) and its expiry (Unix seconds), which
// the handler checks again because API Gateway reuses a cached authorizer answer.
const (
	ContextOwner     = "owner"
	ContextScopes    = "scopes"
	ContextExpiresAt = "expiresAt"
)

// Scopes an API route may require.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// Scopes are every scope a token may carry.
var Scopes = []string{ScopeRead, ScopeWrite}
