package limits

import (
	"fmt"
	"slices"
)

// Range is an inclusive range of whole numbers, the unit they count and the default a zero value
// stands for.
type Range struct {
	Min, Max, Default int
	// Unit as messages say it, e.g. "minutes".
	Unit string
}

// Check adds a problem when v is outside the range.
func (r Range) Check(ps *Problems, field string, v int) {
	if v < r.Min || v > r.Max {
		ps.Add(field, v, fmt.Sprintf("must be a whole number of %s from %d to %d", r.Unit, r.Min, r.Max))
	}
}

// Or is v, or the default when v is 0 (unset).
func (r Range) Or(v int) int {
	if v == 0 {
		return r.Default
	}
	return v
}

// OrNil is v, or a pointer to the default when v is nil (unset), for a value whose 0 is a
// setting of its own (e.g. 0 seconds: no caching).
func (r Range) OrNil(v *int) *int {
	if v == nil {
		d := r.Default
		return &d
	}
	return v
}

// ChainedSessionSeconds is the longest session an AssumeRole made with role credentials (role
// chaining) can get, and IAM's minimum for a role's maximum session.
const ChainedSessionSeconds = 3600

// Sign-in (auth.UserAuthProps, config).
var (
	AccessTokenValidityMinutes = Range{Min: 5, Max: 1440, Default: 60, Unit: "minutes"}
	IDTokenValidityMinutes     = Range{Min: 5, Max: 1440, Default: 60, Unit: "minutes"}
	RefreshTokenValidityDays   = Range{Min: 1, Max: 3650, Default: 30, Unit: "days"}
)

// PasswordMinLength is the user pool's minimum password length (cdk-nag COG1 asks for 8);
// passwords also need upper and lower case letters, a digit and a symbol.
const PasswordMinLength = 12

// Cognito settings, by the names config and the props use.
var (
	FeaturePlans = OneOf{"essentials", "plus"}
	MFASettings  = OneOf{"off", "optional", "required"}
)

// Defaults of the sign-in settings: the Plus plan (threat protection enforced), TOTP required.
const (
	DefaultFeaturePlan = "plus"
	DefaultMFA         = "required"
)

// Uploads (storage.UploadBucketProps, config).
var (
	NoncurrentVersionExpirationDays = Range{Min: 1, Max: 3650, Default: 30, Unit: "days"}
	AccessLogExpirationDays         = Range{Min: 1, Max: 3650, Default: 365, Unit: "days"}
	CorsMaxAgeSeconds               = Range{Min: 0, Max: 86400, Default: 3000, Unit: "seconds"}
	UploadEncryptions               = OneOf{"s3", "kms"}
)

// DefaultUploadEncryption is S3-managed keys.
const DefaultUploadEncryption = "s3"

// The role chain (rolechain.TrustRoleProps, config).
var (
	// SessionDurationSeconds is what the Next.js server requests for the trust role.
	SessionDurationSeconds = Range{Min: 900, Max: ChainedSessionSeconds, Default: 1800,
		Unit: "seconds (role chaining caps sessions at one hour)"}
)

// DefaultSessionName is the role session name the Next.js server uses for the trust role.
const DefaultSessionName = "webApplication-NextJS"

// Cross-account access (crossaccount.CrossAccountRoleProps, config).
var CrossAccountSessionSeconds = Range{Min: 3600, Max: 43200, Default: 3600, Unit: "seconds"}

// Asset functions (assetfn.AssetFunctionProps).
var (
	FunctionMemoryMB       = Range{Min: 128, Max: 10240, Default: 256, Unit: "MB"}
	FunctionTimeoutSeconds = Range{Min: 1, Max: 900, Default: 10, Unit: "seconds"}
)

// Periods is a closed set of periods in days, with a default (one of them).
type Periods struct {
	Days    []int
	Default int
	// What the periods are, for messages.
	What string
}

// Or is v, or the default for 0 (unset).
func (p Periods) Or(v int) int {
	if v == 0 {
		return p.Default
	}
	return v
}

// Check adds a problem when v is not one of the periods.
func (p Periods) Check(ps *Problems, field string, v int) {
	if !slices.Contains(p.Days, v) {
		ps.Add(field, v, fmt.Sprintf("must be one of %s: %v", p.What, p.Days))
	}
}

// LogRetentionDays are CloudWatch Logs' retention periods; the default is how long the
// functions' and the API's logs are kept.
var LogRetentionDays = Periods{
	Days:    []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653},
	Default: 90, What: "CloudWatch's retention periods",
}

// DefaultRegion is where an environment deploys unless it names a region.
const DefaultRegion = "ap-southeast-1"

// API tokens (the token service).
var (
	TokenLifetimeDays = Range{Min: 1, Max: 365, Default: 30, Unit: "days"}
	// MaxActiveTokens is how many current (unrevoked, unexpired) tokens one owner may hold;
	// issuing beyond it is a conflict, so tokens cannot pile up out of sight.
	MaxActiveTokens = Range{Min: 1, Max: 1000, Default: 20, Unit: "tokens"}
	// TokenListPage is how many tokens one list call returns; the answer's next cursor pages on.
	TokenListPage = Range{Min: 1, Max: 100, Default: 20, Unit: "tokens"}
)

// The token API (tokenapi.TokenAPIProps, config).
var (
	APIThrottleRateLimit  = Range{Min: 1, Max: 10000, Default: 50, Unit: "requests per second"}
	APIThrottleBurstLimit = Range{Min: 1, Max: 5000, Default: 100, Unit: "requests"}
	// AuthorizerCacheSeconds bounds how long an expired token keeps working (a revoke also
	// flushes the stage's cache, so a revoked one stops within seconds).
	AuthorizerCacheSeconds = Range{Min: 0, Max: 3600, Default: 60, Unit: "seconds (API Gateway caches an authorizer's answer at most an hour; 0 turns the cache off)"}
)
