package limits

// The token service's environment (constructs/tokenapi sets it; functions/tokens reads it),
// besides the table name and the identity check's.
const (
	// EnvTokenAPIID and EnvTokenAPIStage name the REST API stage whose authorizer cache a revoke
	// flushes (FlushStageAuthorizersCache).
	EnvTokenAPIID    = "TOKEN_API_ID"
	EnvTokenAPIStage = "TOKEN_API_STAGE"
	// EnvMaxActiveTokens is MaxActiveTokens as configured (api.maxActiveTokensPerOwner).
	EnvMaxActiveTokens = "MAX_ACTIVE_TOKENS"
	// EnvAuthorizerCacheSeconds is the stage's authorizer cache (api.authorizerCacheSeconds): how
	// long a revoked token may still work when the flush fails, which a revoke's answer reports.
	EnvAuthorizerCacheSeconds = "AUTHORIZER_CACHE_SECONDS"
)
