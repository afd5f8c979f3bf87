import { describe, expect, it } from 'vitest';
import { signedInAs, signInOptions } from '../lib/signin';
import outputs from '../amplify_outputs.json';

describe('the sign-in page follows the outputs', () => {
  it('uses what make web-config wrote from the deploy-shaped fixture (dev: email, sign-up offered)', () => {
    expect(signInOptions(outputs)).toEqual({ loginMechanisms: ['email'], hideSignUp: false });
  });
  it('hides sign-up when the user pool refuses it (or the outputs do not say)', () => {
    expect(signInOptions({ auth: { username_attributes: ['email'] }, custom: { self_sign_up_enabled: false } }))
      .toEqual({ loginMechanisms: ['email'], hideSignUp: true });
    expect(signInOptions({ auth: {} })).toEqual({ loginMechanisms: ['username'], hideSignUp: true });
  });
});

describe('the header names who is signed in', () => {
  it('by the ID token\'s email, else the name typed at sign-in, else not at all', () => {
    expect(signedInAs({ idToken: { payload: { email: 'someone@example.com' } }, signInDetails: { loginId: 'typed@example.com' } })).toBe('someone@example.com');
    expect(signedInAs({ idToken: { payload: { sub: 'u1' } }, signInDetails: { loginId: 'typed@example.com' } })).toBe('typed@example.com');
    expect(signedInAs({ idToken: { payload: { email: 42 } } })).toBeUndefined();
    expect(signedInAs({ signInDetails: { loginId: '' } })).toBeUndefined();
    expect(signedInAs(undefined)).toBeUndefined();
  });
});
