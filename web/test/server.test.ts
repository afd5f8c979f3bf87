import { InvokeCommand } from '@aws-sdk/client-lambda';
import { PublishCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand } from '@aws-sdk/nested-clients/sts';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { trustRoleLambda } from '../lib/assets';
import { ConfigError, serverConfig } from '../lib/config';
import { feedbackClient, publishFeedback } from '../lib/feedback';
import { imageSignature } from '../lib/image-signatures';
import { signedImageURL } from '../lib/images';
import { listItems, putItem } from '../lib/items';
import { curlFor, issueToken, listTokens, revokeToken } from '../lib/tokens';
import { lambdaMock, snsMock, stsMock } from './aws-mocks';
import { env } from './fixture';

// The server's clients as the server actions make them, from the fixture's
// configuration: what they send is recorded with the credentials they sign with (aws-mocks.ts).
const config = serverConfig(env);
const lambda = () => trustRoleLambda(config);
const sns = () => feedbackClient(config.region);
const identityId = 'ap-southeast-1:11111111-aaaa-4aaa-8aaa-111111111111';
// The session's ID token as the actions pass it; the functions verify it, not these tests.
const idToken = 'eyJraWQiOiJrMSJ9.eyJzdWIiOiJ1MSJ9.fake-signature';

const sentPayloads = (): Record<string, unknown>[] => lambdaMock.commandCalls(InvokeCommand)
  .map((call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)) as Record<string, unknown>);
const sentPayload = (i = 0) => sentPayloads()[i];
afterEach(() => {
  const payloads = sentPayloads();
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  // The setup (aws-calls.setup.ts) records the calls, then resets the mocks.
  // The server never names a user: no payload of any test carries an owner.
  expect(payloads.filter((payload) => 'owner' in payload)).toEqual([]);
});

const answer = (body: unknown) => ({ Payload: new TextEncoder().encode(JSON.stringify(body)) as never, StatusCode: 200 });

describe('configuration', () => {
  it('reads every value make web-config writes', () => {
    expect(config).toMatchObject({ region: 'ap-southeast-1', sessionDurationSeconds: 1800, cdnDomain: env.CDN_DOMAIN, apiUrl: env.API_URL });
  });
  it('names every missing or malformed variable, one line each', () => {
    const bad = { ...env, TRUST_ROLE_ARN: 'arn:aws:iam::1:user/x', SESSION_DURATION_SECONDS: '7200', ASSET_FUNCTION_NAME: '', SIGNER_FUNCTION_NAME: undefined };
    try {
      serverConfig(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        'TRUST_ROLE_ARN="arn:aws:iam::1:user/x" is not a role ARN: regenerate it with `make web-config OUT_DIR=web`',
        'ASSET_FUNCTION_NAME is missing: write the configuration with `make web-config OUT_DIR=web` after a deploy',
        'SIGNER_FUNCTION_NAME is missing: write the configuration with `make web-config OUT_DIR=web` after a deploy',
        'SESSION_DURATION_SECONDS="7200" is not a whole number of seconds from 900 to 3600 (role chaining caps sessions at one hour)',
      ]);
    }
  });
});

describe('the role chain', () => {
  it('assumes the trust role with the exact role, session name and duration, then invokes the items function', async () => {
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'AKIA', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3600_000) },
    });
    lambdaMock.on(InvokeCommand).resolves(answer({ items: [] }));
    const client = trustRoleLambda(serverConfig(env));
    // The client's credentials are what the role chain gives: resolving them assumes the trust role.
    process.env.AWS_ACCESS_KEY_ID = 'AKIABASE'; // the runtime's own credentials, which assume the role
    process.env.AWS_SECRET_ACCESS_KEY = 'base-secret';
    const credentials = await client.config.credentials();
    expect(credentials.accessKeyId).toBe('AKIA');
    const result = await listItems({ lambda: client, functionName: config.assetFunctionName, idToken }, undefined);
    expect(result).toEqual({ status: 200, body: { items: [] } });
    expect(sentPayload()).toEqual({ action: 'list', idToken });
    expect(stsMock.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toEqual({
      RoleArn: env.TRUST_ROLE_ARN, RoleSessionName: 'webApplication-NextJS', DurationSeconds: 1800,
    });
    expect(lambdaMock.commandCalls(InvokeCommand)[0]!.args[0].input.FunctionName).toBe(env.ASSET_FUNCTION_NAME);
    // Later requests reuse the client and its cached credentials: no second AssumeRole.
    expect(trustRoleLambda(serverConfig(env))).toBe(client);
    await listItems({ lambda: trustRoleLambda(serverConfig(env)), functionName: config.assetFunctionName, idToken }, undefined);
    expect(stsMock.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(2);
  });
});

describe('items', () => {
  const ctx = (token: string | undefined) => ({ lambda: lambda(), functionName: config.assetFunctionName, idToken: token });

  it('sends the session\'s ID token and the item, never an owner', async () => {
    lambdaMock.on(InvokeCommand).resolves(answer({ item: { id: 'a1', name: 'n', body: '', createdAt: 't' } }));
    expect((await putItem(ctx(idToken), 'a1', { name: 'n' })).status).toBe(201);
    await putItem(ctx(idToken), 'a2', { name: 'n', body: 'b' });
    expect((await listItems(ctx(idToken), { limit: 5, next: 'x' })).status).toBe(200);
    expect(sentPayloads()).toEqual([
      { action: 'put', id: 'a1', name: 'n', idToken },
      { action: 'put', id: 'a2', name: 'n', body: 'b', idToken },
      { action: 'list', limit: 5, next: 'x', idToken },
    ]);
  });
  it('refuses a body that names an owner or a token, before invoking', async () => {
    expect(await putItem(ctx(idToken), 'a1', { name: 'n', owner: 'someone-else' })).toEqual({
      status: 400, body: { error: { code: 'invalid', field: 'owner', message: 'unknown field; allowed: name, body' } },
    });
    expect((await putItem(ctx(idToken), 'a1', { name: 'n', idToken: 'another-token' })).body).toMatchObject({ error: { field: 'idToken' } });
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
  });
  it('refuses anonymous callers with 401 and bad bodies with 400', async () => {
    expect((await listItems(ctx(undefined), undefined)).status).toBe(401);
    // Who asks comes before what they ask.
    expect((await putItem(ctx(undefined), 'a1', 'text')).status).toBe(401);
    expect((await listItems(ctx(undefined), { limit: 'x' })).status).toBe(401);
    expect((await putItem(ctx(idToken), 'a1', 'text')).status).toBe(400);
    expect((await putItem(ctx(idToken), ['a1'], { name: 'n' })).body).toMatchObject({ error: { field: 'id' } });
    expect((await listItems(ctx(idToken), { limit: 'x' })).body).toMatchObject({ error: { field: 'limit' } });
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
  });
  it('maps the function\'s answers: refusals to 4xx, failures to 502 with a message', async () => {
    lambdaMock.on(InvokeCommand).resolvesOnce(answer({ error: { code: 'unauthorized', message: 'the ID token has expired' } }))
      .resolvesOnce(answer({ error: { code: 'not_found', message: 'no item' } }))
      .resolvesOnce(answer({ error: { code: 'invalid', field: 'name', message: 'bad' } }))
      .resolvesOnce({ FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{}') as never })
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    expect(await listItems(ctx(idToken), undefined)).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: 'the ID token has expired' } } });
    expect((await listItems(ctx(idToken), undefined)).status).toBe(404);
    expect(await putItem(ctx(idToken), 'a1', { name: '' })).toMatchObject({ status: 400, body: { error: { field: 'name' } } });
    expect(await listItems(ctx(idToken), undefined)).toEqual({ status: 502, body: { error: { code: 'upstream', message: 'the function failed (Unhandled)' } } });
    expect(await listItems(ctx(idToken), undefined)).toEqual({ status: 502, body: { error: { code: 'upstream', message: 'the function could not be invoked (AccessDeniedException)' } } });
  });
});

describe('feedback', () => {
  it('publishes to the topic with the sender\'s identity id from the session', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm1' });
    const result = await publishFeedback(sns(), config.feedbackTopicArn, identityId, '  great app  ');
    expect(result.status).toBe(202);
    expect(snsMock.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      TopicArn: env.FEEDBACK_TOPIC_ARN, Message: 'great app', MessageAttributes: { owner: { DataType: 'String', StringValue: identityId } },
    });
  });
  it('refuses an anonymous caller, empty or long messages, and says when there is no topic', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await publishFeedback(sns(), config.feedbackTopicArn, undefined, 'hi')).toEqual({
        status: 401, body: { error: { code: 'unauthorized', message: 'Sign in to send feedback: your session has ended or could not be verified.' } },
      });
      expect((await publishFeedback(sns(), config.feedbackTopicArn, '', 'hi')).status).toBe(401);
      expect(await publishFeedback(sns(), config.feedbackTopicArn, identityId, ' ')).toEqual({
        status: 400, body: { error: { code: 'invalid', field: 'message', message: 'Write your feedback in 1 to 2000 characters.' } },
      });
      expect((await publishFeedback(sns(), config.feedbackTopicArn, identityId, 'x'.repeat(2001))).status).toBe(400);
      // The page hears that feedback is unavailable; the server's log, which variable is missing.
      expect(await publishFeedback(sns(), undefined, identityId, 'hi')).toEqual({
        status: 503, body: { error: { code: 'not_configured', message: 'Feedback is not available in this environment.' } },
      });
      expect(logged.mock.calls.map((call) => String(call[0]))).toEqual([expect.stringMatching(/^feedback: FEEDBACK_TOPIC_ARN is not set/)]);
      expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    } finally {
      logged.mockRestore();
    }
  });
  it('says a failed publish in words for the page, and logs the SDK\'s error on the server', async () => {
    const failure = Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: SNS:Publish'), { name: 'AuthorizationErrorException' });
    snsMock.on(PublishCommand).rejects(failure);
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const result = await publishFeedback(sns(), config.feedbackTopicArn, identityId, 'hi');
      expect(result).toEqual({ status: 502, body: { error: { code: 'upstream', message: 'Your feedback could not be sent just now. Please try again later.' } } });
      expect(JSON.stringify(result)).not.toMatch(/AuthorizationError|SNS|arn:/);
      expect(logged).toHaveBeenCalledWith(`feedback: publishing to ${env.FEEDBACK_TOPIC_ARN} failed:`, failure);
    } finally {
      logged.mockRestore();
    }
  });
});

describe('images', () => {
  it('asks the signer with the session\'s ID token and builds URLs in the caller\'s folder', async () => {
    lambdaMock.on(InvokeCommand).resolves(answer({ resource: 'r', query: 'Policy=p&Signature=s&Key-Pair-Id=K', expires: 1 }));
    expect(await imageSignature({ lambda: lambda(), functionName: config.signerFunctionName, idToken })).toEqual({
      status: 200, body: { resource: 'r', query: 'Policy=p&Signature=s&Key-Pair-Id=K', expires: 1 },
    });
    expect(sentPayload()).toEqual({ idToken });
    const resource = `https://${env.CDN_DOMAIN}/protected/${identityId}/*`;
    expect(signedImageURL(resource, 'Policy=p', `protected/${identityId}/a b.jpg`)).toBe(`https://${env.CDN_DOMAIN}/protected/${identityId}/a%20b.jpg?Policy=p`);
    // Nothing outside the folder the signature covers.
    expect(signedImageURL(resource, 'Policy=p', `protected/${identityId}-x/a.jpg`)).toBeUndefined();
    expect(signedImageURL(resource, 'Policy=p', `protected/${identityId}/`)).toBeUndefined();
    expect(signedImageURL(`https://${env.CDN_DOMAIN}/protected/${identityId}/a.jpg`, 'Policy=p', `protected/${identityId}/a.jpg`)).toBeUndefined();
  });
  it('maps unauthorized to 401, a missing key to 503, a transient failure to 503 saying to try again; never the signer\'s own text', async () => {
    const secret = 'arn:aws:secretsmanager:ap-southeast-1:123456789012:secret:gatehouse-dev-cdn-key-AbCdEf';
    lambdaMock.on(InvokeCommand).resolvesOnce(answer({ error: { code: 'unauthorized', message: 'x' } }))
      .resolvesOnce(answer({ error: { code: 'not_configured', message: `reading ${secret}: ResourceNotFoundException` } }))
      .resolvesOnce(answer({ error: { code: 'internal', message: 'could not sign: crypto/rsa: verification error' } }))
      .resolvesOnce(answer({ error: { code: 'unavailable', message: 'the token could not be checked now; try again' } }));
    expect((await imageSignature({ lambda: lambda(), functionName: config.signerFunctionName, idToken: 'bad' })).status).toBe(401);
    expect(await imageSignature({ lambda: lambda(), functionName: config.signerFunctionName, idToken: 'ok' })).toEqual({
      status: 503, body: { error: { code: 'not_configured', message: 'image delivery is not set up in this environment' } },
    });
    const retry = { status: 503, body: { error: { code: 'internal', message: 'the images could not be signed just now; try again in a few seconds' } } };
    expect(await imageSignature({ lambda: lambda(), functionName: config.signerFunctionName, idToken: 'ok' })).toEqual(retry);
    expect(await imageSignature({ lambda: lambda(), functionName: config.signerFunctionName, idToken: 'ok' })).toEqual({ ...retry, body: { error: { ...retry.body.error, code: 'unavailable' } } });
    expect((await imageSignature({ lambda: lambda(), functionName: config.signerFunctionName, idToken: undefined })).status).toBe(401);
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(4);
  });
});

describe('API tokens', () => {
  const ctx = (token: string | undefined) => ({ lambda: lambda(), functionName: config.tokenServiceFunctionName, idToken: token });
  const none = undefined;
  const tokenId = 'a'.repeat(64);
  const info = { id: tokenId, scopes: ['read'], created: 1700000000, expiresAt: 1702592000, revoked: false, expired: false };
  it('issues, lists and revokes with the session\'s ID token, never an owner', async () => {
    lambdaMock.on(InvokeCommand).resolves(answer({ token: 'ghapi_x', issued: info }));
    expect(await issueToken(ctx(idToken), { scopes: ['read'], lifetimeDays: 7 })).toEqual({ status: 201, body: { token: 'ghapi_x', issued: info } });
    await issueToken(ctx(idToken), { scopes: ['read', 'write'] });
    await listTokens(ctx(idToken), none);
    await revokeToken(ctx(idToken), tokenId);
    expect(sentPayloads()).toEqual([
      { action: 'issue', scopes: ['read'], lifetimeDays: 7, idToken },
      { action: 'issue', scopes: ['read', 'write'], idToken },
      { action: 'list', idToken },
      { action: 'revoke', tokenId, idToken },
    ]);
    expect(curlFor(env.API_URL, 'ghapi_x')).toBe(`curl -H "Authorization: Bearer ghapi_x" "${env.API_URL}items?limit=10"`);
  });
  it('pages the list: limit and next go to the service, its next comes back (absent on the last page)', async () => {
    const cursor = 'eyJpZCI6ImFhYSIsImNyZWF0ZWQiOjE3MDAwMDAwMDB9';
    lambdaMock.on(InvokeCommand).resolvesOnce(answer({ tokens: [info], next: cursor })).resolvesOnce(answer({ tokens: [] }));
    expect(await listTokens(ctx(idToken), { limit: 1 })).toEqual({ status: 200, body: { tokens: [info], next: cursor } });
    expect(await listTokens(ctx(idToken), { limit: 1, next: cursor })).toEqual({ status: 200, body: { tokens: [] } });
    expect(sentPayloads()).toEqual([
      { action: 'list', limit: 1, idToken },
      { action: 'list', limit: 1, next: cursor, idToken },
    ]);
  });
  it('refuses a bad page before invoking: limit 1 to 100, next base64url of at most 1024', async () => {
    for (const [page, field] of [
      [{ limit: 0 }, 'limit'], [{ limit: 101 }, 'limit'], [{ limit: 1.5 }, 'limit'], [{ limit: -1 }, 'limit'], [{ limit: '5' }, 'limit'], [{ limit: null }, 'limit'],
      [{ next: '' }, 'next'], [{ next: 'a+b' }, 'next'], [{ next: 'ab=' }, 'next'], [{ next: 'a'.repeat(1025) }, 'next'], [{ next: 7 }, 'next'], [{ owner: 'someone' }, 'owner'],
      ['limit=5', 'page'], [null, 'page'], [['x'], 'page'],
    ] as const) {
      expect((await listTokens(ctx(idToken), page)).body, JSON.stringify(page)).toMatchObject({ error: { code: 'invalid', field } });
    }
    expect((await listTokens(ctx(undefined), { limit: 0 })).status).toBe(401); // who asks, first
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
    lambdaMock.on(InvokeCommand).resolves(answer({ tokens: [] }));
    await listTokens(ctx(idToken), { limit: 100, next: 'a'.repeat(1024) });
    expect(sentPayload()).toMatchObject({ limit: 100, next: 'a'.repeat(1024) });
  });
  it('answers the cap on active tokens with 409 and the service\'s message', async () => {
    const message = 'you hold 20 active tokens, the most allowed: revoke one first';
    lambdaMock.on(InvokeCommand).resolves(answer({ error: { code: 'conflict', message } }));
    expect(await issueToken(ctx(idToken), { scopes: ['read'] })).toEqual({ status: 409, body: { error: { code: 'conflict', message } } });
  });
  it('passes on how soon a revoke takes effect', async () => {
    const flushed = { id: tokenId, flushed: true, effectiveWithinSeconds: 0 };
    const cached = { id: tokenId, flushed: false, effectiveWithinSeconds: 60 };
    lambdaMock.on(InvokeCommand).resolvesOnce(answer({ revoked: flushed })).resolvesOnce(answer({ revoked: cached }));
    expect(await revokeToken(ctx(idToken), tokenId)).toEqual({ status: 200, body: { revoked: flushed } });
    expect(await revokeToken(ctx(idToken), tokenId)).toEqual({ status: 200, body: { revoked: cached } });
  });
  it('refuses bad requests before invoking, and maps unauthorized to 401 and not_found to 404', async () => {
    expect((await issueToken(ctx(idToken), { scopes: [] })).body).toMatchObject({ error: { field: 'scopes' } });
    expect((await issueToken(ctx(idToken), { scopes: ['read'], owner: 'x' })).body).toMatchObject({ error: { field: 'owner' } });
    expect((await revokeToken(ctx(idToken), 'ghapi_token')).body).toMatchObject({ error: { field: 'tokenId' } });
    expect((await revokeToken(ctx(idToken), { id: 'a'.repeat(64) })).body).toMatchObject({ error: { field: 'tokenId' } });
    expect((await listTokens(ctx(undefined), none)).status).toBe(401);
    // An anonymous caller learns nothing about what a valid request looks like.
    expect((await issueToken(ctx(undefined), { name: 'x' })).status).toBe(401);
    expect((await revokeToken(ctx(undefined), 'not-an-id')).status).toBe(401);
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
    lambdaMock.on(InvokeCommand).resolvesOnce(answer({ error: { code: 'unauthorized', message: 'the ID token is not valid' } }))
      .resolvesOnce(answer({ error: { code: 'not_found', field: 'tokenId', message: 'no' } }));
    expect(await listTokens(ctx('a-foreign-token'), none)).toEqual({ status: 401, body: { error: { code: 'unauthorized', message: 'the ID token is not valid' } } });
    expect((await revokeToken(ctx(idToken), 'b'.repeat(64))).status).toBe(404);
  });
});
