// The server actions (app/**/actions.ts), as the pages call them: every one takes the caller
// only from the server-side session (lib/amplify-server's callerSession, played here), acts
// through the role chain (the trust role's client, the function the configuration names) with
// that session's ID token, and answers in words. Without a session each answers 401 and invokes
// nothing, whatever the browser sends; forged owners and tokens in the arguments go nowhere.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import type { CallerSession } from '../lib/amplify-server';
import { isTrustRoleClient } from '../lib/assets';
import { addItem, itemsPage } from '../app/items/actions';
import { issueReadToken, revokeOwnToken, tokensPage } from '../app/tokens/actions';
import { folderSignature } from '../app/uploads/actions';
import { lambdaMock, snsMock } from './aws-mocks';
import { env } from './fixture';

const session: { current: CallerSession } = { current: { owner: undefined, idToken: undefined } };
vi.mock('../lib/amplify-server', () => ({ callerSession: async () => session.current }));

const idToken = 'eyJraWQiOiJrMSJ9.eyJzdWIiOiJ1MSJ9.session-token';
const signedIn = { owner: '11111111-2222-4333-8444-555555555555', idToken };
const answer = (body: unknown) => ({ Payload: new TextEncoder().encode(JSON.stringify(body)) as never, StatusCode: 200 });
const sent = () => lambdaMock.commandCalls(InvokeCommand).map((call) => ({
  to: call.args[0].input.FunctionName,
  trustRole: isTrustRoleClient(call.thisValue as object),
  payload: JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)) as Record<string, unknown>,
}));
const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
};
const empty = { status: 0, message: '' };

const saved = { ...process.env };
beforeAll(() => {
  Object.assign(process.env, env);
});
afterAll(() => {
  process.env = saved;
});
afterEach(() => {
  session.current = { owner: undefined, idToken: undefined };
});

// Every action module under app/, found by walking the folder (a new one is checked too).
const app = join(import.meta.dirname, '..', 'app');
const modules = readdirSync(app, { recursive: true, encoding: 'utf8' }).filter((f) => /(^|\/)actions\.ts$/.test(f)).map((f) => join(app, f));

describe('every server action', () => {
  it('finds the action modules', () => {
    expect(modules.map((file) => relative(app, file)).sort()).toEqual(['feedback/actions.ts', 'items/actions.ts', 'tokens/actions.ts', 'uploads/actions.ts']);
  });
  it.each(modules.map((file) => [relative(app, file), file]))('%s: a server module', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').find((line) => !line.startsWith('//') && line.trim() !== '')).toBe("'use server';");
    expect(text).toMatch(/^import 'server-only';$/m);
  });
  it.each(modules.map((file) => [relative(app, file), file]))('%s: without a session, 401 in words, nothing sent, whatever the arguments', async (_name, file) => {
    const actions = (await import(file)) as Record<string, (...args: unknown[]) => Promise<{ status: number; message: string }>>;
    const forged = form({ id: 'a1', name: 'n', message: 'hi', owner: signedIn.owner, idToken });
    for (const [name, action] of Object.entries(actions).filter(([, value]) => typeof value === 'function')) {
      for (const args of [[], [empty, forged], ['a'.repeat(64)], [{ owner: signedIn.owner, idToken }]]) {
        const out = await action(...args);
        expect(out.status, `${name}(${JSON.stringify(args)})`).toBe(401);
        expect(out.message).toMatch(/^Sign in to .+: your session has ended or could not be verified\.$/);
      }
    }
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });
});

describe('the tokens page\'s actions', () => {
  const tokenId = 'a'.repeat(64);
  const info = { id: tokenId, scopes: ['read'], created: 1700000000, expiresAt: 1702592000, revoked: false, expired: false };
  it('list, issue and revoke through the trust role, with the session\'s ID token and nothing the browser names', async () => {
    session.current = signedIn;
    lambdaMock.on(InvokeCommand)
      .resolvesOnce(answer({ tokens: [info], next: 'cGFnZTI' }))
      .resolvesOnce(answer({ tokens: [] }))
      .resolvesOnce(answer({ token: 'ghapi_new', issued: info }))
      .resolvesOnce(answer({ tokens: [info] }))
      .resolvesOnce(answer({ revoked: { id: tokenId, flushed: true, effectiveWithinSeconds: 0 } }));
    expect(await tokensPage()).toEqual({ status: 200, message: '', tokens: [info], next: 'cGFnZTI' });
    expect(await tokensPage('cGFnZTI')).toEqual({ status: 200, message: '', tokens: [] });
    const curl = `curl -H "Authorization: Bearer ghapi_new" "${env.API_URL}items?limit=10"`;
    expect(await issueReadToken()).toEqual({ status: 201, message: '', token: 'ghapi_new', curl, tokens: [info] });
    expect(await revokeOwnToken(tokenId)).toEqual({ status: 200, message: '', revoked: { id: tokenId, flushed: true, effectiveWithinSeconds: 0 } });
    const to = env.TOKEN_SERVICE_FUNCTION_NAME;
    expect(sent()).toEqual([
      { to, trustRole: true, payload: { action: 'list', idToken } },
      { to, trustRole: true, payload: { action: 'list', next: 'cGFnZTI', idToken } },
      { to, trustRole: true, payload: { action: 'issue', scopes: ['read'], idToken } },
      { to, trustRole: true, payload: { action: 'list', idToken } },
      { to, trustRole: true, payload: { action: 'revoke', tokenId, idToken } },
    ]);
  });
  it('refuse a bad cursor or id before invoking, naming it', async () => {
    session.current = signedIn;
    expect(await tokensPage({ owner: 'someone' })).toMatchObject({ status: 400, message: 'next: must be the next value of the previous page, as the list answered it' });
    expect(await revokeOwnToken('ghapi_token')).toEqual({ status: 400, message: "tokenId: must be a token's id as the list shows it" });
    expect(await revokeOwnToken({ tokenId })).toMatchObject({ status: 400 });
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
  });
  it('say the cap on active tokens in the service\'s words, and show an issued token even when the list after it fails', async () => {
    session.current = signedIn;
    const cap = 'you hold 20 active tokens, the most allowed: revoke one first';
    lambdaMock.on(InvokeCommand).resolvesOnce(answer({ error: { code: 'conflict', message: cap } }))
      .resolvesOnce(answer({ token: 'ghapi_new', issued: info }))
      .resolvesOnce({ FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{}') as never });
    expect(await issueReadToken()).toEqual({ status: 409, message: cap });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await issueReadToken()).toMatchObject({ status: 201, message: 'The token service could not be reached just now. Please try again later.', token: 'ghapi_new' });
      expect(logged).toHaveBeenCalledWith('The token service: 502 upstream: the function failed (Unhandled)');
    } finally {
      logged.mockRestore();
    }
  });
});

describe('the items page\'s actions', () => {
  const item = { id: 'a1', name: 'n', body: 'b', createdAt: '2026-01-01T00:00:00Z' };
  it('add and list through the trust role, with the session\'s ID token; the form\'s owner and token go nowhere', async () => {
    session.current = signedIn;
    lambdaMock.on(InvokeCommand).resolvesOnce(answer({ items: [], next: 'cGFnZTI' })).resolvesOnce(answer({ item })).resolvesOnce(answer({ items: [item] }))
      .resolvesOnce(answer({ item: { ...item, id: 'a2', body: '' } })).resolvesOnce(answer({ items: [item] }));
    expect(await itemsPage()).toEqual({ status: 200, message: '', items: [], next: 'cGFnZTI' });
    const forged = form({ id: 'a1', name: 'n', body: 'b', owner: 'someone-else', idToken: 'another-token' });
    expect(await addItem(empty, forged)).toEqual({ status: 201, message: '', items: [item] });
    await addItem(empty, form({ id: 'a2', name: 'n', body: '' }));
    const to = env.ASSET_FUNCTION_NAME;
    expect(sent()).toEqual([
      { to, trustRole: true, payload: { action: 'list', idToken } },
      { to, trustRole: true, payload: { action: 'put', id: 'a1', name: 'n', body: 'b', idToken } },
      { to, trustRole: true, payload: { action: 'list', idToken } },
      { to, trustRole: true, payload: { action: 'put', id: 'a2', name: 'n', idToken } },
      { to, trustRole: true, payload: { action: 'list', idToken } },
    ]);
  });
  it('say a taken id and a failure in words, never an SDK error\'s name', async () => {
    session.current = signedIn;
    lambdaMock.on(InvokeCommand).resolvesOnce(answer({ error: { code: 'conflict', field: 'id', message: 'id "a1" is taken: choose another' } }))
      .rejectsOnce(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    expect(await addItem(empty, form({ id: 'a1', name: 'n' }))).toEqual({ status: 409, message: 'id "a1" is taken: choose another' });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const failed = await itemsPage();
      expect(failed).toEqual({ status: 502, message: 'The items service could not be reached just now. Please try again later.' });
      expect(logged).toHaveBeenCalledWith('The items service: 502 upstream: the function could not be invoked (AccessDeniedException)');
    } finally {
      logged.mockRestore();
    }
    // No id in the form: refused before invoking.
    expect(await addItem(empty, form({ name: 'n' }))).toEqual({ status: 400, message: 'id: must be a string' });
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(2);
  });
});

describe('the uploads page\'s action', () => {
  it('asks the signer through the trust role with the session\'s ID token, and passes its signature on', async () => {
    session.current = signedIn;
    const resource = `https://${env.CDN_DOMAIN}/protected/${signedIn.owner}/*`;
    lambdaMock.on(InvokeCommand).resolvesOnce(answer({ resource, query: 'Policy=p&Signature=s&Key-Pair-Id=K', expires: 1 }))
      .resolvesOnce(answer({ error: { code: 'not_configured', message: 'reading arn:aws:secretsmanager:…: ResourceNotFoundException' } }));
    expect(await folderSignature()).toEqual({ status: 200, message: '', resource, query: 'Policy=p&Signature=s&Key-Pair-Id=K' });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await folderSignature()).toEqual({ status: 503, message: 'Image delivery is not available in this environment.' });
      expect(logged).toHaveBeenCalledWith('Image delivery: 503 not_configured: image delivery is not set up in this environment');
    } finally {
      logged.mockRestore();
    }
    expect(sent()).toEqual([
      { to: env.SIGNER_FUNCTION_NAME, trustRole: true, payload: { idToken } },
      { to: env.SIGNER_FUNCTION_NAME, trustRole: true, payload: { idToken } },
    ]);
  });
});
