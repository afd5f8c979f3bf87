// Whose folder, items and tokens: the deploy's owner key (custom.owner_key in
// amplify_outputs.json, from the environment's ownerKey). With "identityId" (Amplify's
// convention, the default) Amplify Storage fills the folder from the identity pool's id; with
// "sub" the folder is the user pool's sub, the id the signed-in user's tokens carry, and the
// bucket's policy matches it against the session tag Cognito sets from the same token.

export type OwnerKey = 'identityId' | 'sub';

/** The owner key the outputs name; a deploy older than the option has the identity id. */
export function ownerKeyOf(outputs: { custom?: { owner_key?: string } }): OwnerKey {
  return outputs.custom?.owner_key === 'sub' ? 'sub' : 'identityId';
}

/** A path as Amplify Storage takes it: fixed, or built from the caller's identity id. */
export type StoragePath = string | ((input: { identityId?: string }) => string);

/**
 * The signed-in user's own folder (protected/<owner>/) as Amplify Storage takes it, for the
 * user whose user-pool id (sub: Amplify's userId) is userId.
 */
export function ownFolder(key: OwnerKey, userId: string): StoragePath {
  if (key === 'sub') return `protected/${userId}/`;
  return ({ identityId }) => `protected/${identityId}/`;
}

/**
 * The owner a server-side session names: the ID token's sub, or the identity id, by the key.
 * undefined when the session has no such value.
 */
export function ownerOfSession(key: OwnerKey, session: { identityId?: string; idTokenSub?: unknown }): string | undefined {
  const owner = key === 'sub' ? session.idTokenSub : session.identityId;
  return typeof owner === 'string' && owner !== '' ? owner : undefined;
}
