import { describe, expect, it } from 'vitest';
import outputs from '../amplify_outputs.json';
import { ownerKeyOf, ownerOfSession, ownFolder } from '../lib/owner';

describe('the owner key names the user\'s folder', () => {
  it('is what make web-config wrote from the deploy (the fixture is dev: the sub), and the identity id for an older deploy', () => {
    expect(ownerKeyOf(outputs)).toBe('sub');
    expect(ownerKeyOf({ custom: { owner_key: 'identityId' } })).toBe('identityId');
    expect(ownerKeyOf({ custom: {} })).toBe('identityId');
    expect(ownerKeyOf({})).toBe('identityId');
  });
  it('with the sub: the folder of the signed-in user\'s id, whatever the identity id', () => {
    const folder = ownFolder('sub', 'a1a1a1a1-0000-4000-8000-00000000000a');
    expect(folder).toBe('protected/a1a1a1a1-0000-4000-8000-00000000000a/');
  });
  it('with the identity id: Amplify fills the folder from the identity pool\'s id, not the user id', () => {
    const folder = ownFolder('identityId', 'a1a1a1a1-0000-4000-8000-00000000000a');
    expect(typeof folder).toBe('function');
    if (typeof folder === 'function') expect(folder({ identityId: 'ap-southeast-1:1111' })).toBe('protected/ap-southeast-1:1111/');
  });
  it('on the server: the session\'s ID-token sub or identity id, by the key, and nothing from a session without it', () => {
    const session = { identityId: 'ap-southeast-1:1111', idTokenSub: 'sub-a' };
    expect(ownerOfSession('sub', session)).toBe('sub-a');
    expect(ownerOfSession('identityId', session)).toBe('ap-southeast-1:1111');
    expect(ownerOfSession('sub', { identityId: 'ap-southeast-1:1111' })).toBeUndefined();
    expect(ownerOfSession('sub', { idTokenSub: 42 })).toBeUndefined();
    expect(ownerOfSession('identityId', { idTokenSub: 'sub-a' })).toBeUndefined();
  });
});
