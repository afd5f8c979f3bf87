package limits

// The environment variables that tell an asset function acting for users whose ID tokens it
// accepts: tokens of this user pool, for this web client, resolved to identity ids in this
// identity pool. constructs/assetfn sets them (AssetFunctionProps.VerifiesUsersOf); the
// functions' shared identity check (functions/internal/identity) reads them.
const (
	EnvUserPoolID       = "USER_POOL_ID"
	EnvUserPoolClientID = "USER_POOL_CLIENT_ID"
	EnvIdentityPoolID   = "IDENTITY_POOL_ID"
)

// EnvOwnerKey tells an asset function which key names a user's folder, items and tokens: one
// of OwnerKeys. constructs/assetfn sets it with the identity variables above.
const EnvOwnerKey = "OWNER_KEY"

// The owner keys: what names a signed-in user's folder (protected/<owner>/), items and API
// tokens. OwnerKeyIdentityID is the identity pool's identity id (Amplify's convention, the
// default); OwnerKeySub is the user pool's sub, carried to S3 as the session's principal tag
// OwnerTag (attribute-based access control).
const (
	OwnerKeyIdentityID = "identityId"
	OwnerKeySub        = "sub"
	DefaultOwnerKey    = OwnerKeyIdentityID
)

// OwnerKeys are the allowed owner keys (config ownerKey, auth.UserAuthProps.OwnerKey).
var OwnerKeys = OneOf{OwnerKeyIdentityID, OwnerKeySub}

// OwnerTag is the session tag the identity pool sets from the ID token's sub claim when the
// owner key is the sub; owner policies name it as ${aws:PrincipalTag/sub}.
const OwnerTag = "sub"
