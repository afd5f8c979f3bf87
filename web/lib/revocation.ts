// What the tokens page says about a revoke (browser-safe: no server code). The token service
// flushes the API stage's authorizer cache on each revoke; only when that fails can API Gateway
// still accept the token from its cache, for at most the cache's time to live.
import type { Revoked } from './tokens';

/** Beside the revoke buttons. */
export const revokeTiming = 'A revoke takes effect within seconds (the API stage\'s authorizer cache is flushed); an expired token is refused from the second it expires.';

/** After a revoke, from the token service's answer. */
export function revokedNotice(revoked: Revoked): string {
  return revoked.flushed
    ? 'Revoked: API Gateway refuses it now'
    : `Revoked: API Gateway may accept it for up to ${revoked.effectiveWithinSeconds} s more`;
}
