package rules

// The environment variables that tell an asset function acting for users whose ID tokens it
// accepts: tokens of this user pool, for this web client, resolved to identity ids in this
// identity pool. constructs/assetfn sets them (AssetFunctionProps.VerifiesUsersOf); the
// functions' shared identity check (functions/internal/identity) reads them.
const (
	EnvUserPoolID       = "USER_POOL_ID"
	EnvUserPoolClientID = "USER_POOL_CLIENT_ID"
	EnvIdentityPoolID   = "IDENTITY_POOL_ID"
)
