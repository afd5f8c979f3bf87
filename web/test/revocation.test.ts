import { describe, expect, it } from 'vitest';
import { revokedNotice, revokeTiming } from '../lib/revocation';

describe('what the tokens page says about a revoke', () => {
  it('says how soon it takes effect, from the service\'s answer', () => {
    expect(revokedNotice({ id: 'a', flushed: true, effectiveWithinSeconds: 0 })).toBe('Revoked: API Gateway refuses it now');
    expect(revokedNotice({ id: 'a', flushed: false, effectiveWithinSeconds: 60 })).toBe('Revoked: API Gateway may accept it for up to 60 s more');
    expect(revokeTiming).toMatch(/within seconds.*authorizer cache is flushed.*expired token is refused from the second it expires/);
  });
});
