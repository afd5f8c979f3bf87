// The record of AWS calls (aws-calls.ts) that test-results/aws-calls.json is written from: a test
// sends one command of each kind through the server's own clients, and what the setup recorded of
// it is checked once it is over (afterAll: the record is made after the test's own hooks). The
// credentials each client is recorded with are the ones it resolves.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand } from '@aws-sdk/nested-clients/sts';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { trustRoleLambda } from '../lib/assets';
import { serverConfig } from '../lib/config';
import { feedbackClient, publishFeedback } from '../lib/feedback';
import { imageSignature } from '../lib/image-signatures';
import { listItems } from '../lib/items';
import { listTokens } from '../lib/tokens';
import type { RecordedCall } from './aws-calls';
import { credentialsOf, lambdaMock, snsMock, stsMock } from './aws-mocks';
import { env } from './fixture';

const config = serverConfig(env);
const idToken = 'eyJraWQiOiJrMSJ9.eyJzdWIiOiJ1MSJ9.fake-signature';
const identityId = 'ap-southeast-1:11111111-aaaa-4aaa-8aaa-111111111111';
const answer = (body: unknown) => ({ Payload: new TextEncoder().encode(JSON.stringify(body)) as never, StatusCode: 200 });

afterEach(() => {
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
});

describe('the record of AWS calls', () => {
  it('records each command sent, with the credentials its client signs with', async () => {
    // The runtime's own credentials (the default chain's first source); the trust role's from STS.
    process.env.AWS_ACCESS_KEY_ID = 'AKIARUNTIME';
    process.env.AWS_SECRET_ACCESS_KEY = 'runtime-secret';
    stsMock.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIATRUSTROLE', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3600_000) },
    });
    lambdaMock.on(InvokeCommand).resolves(answer({}));
    snsMock.on(PublishCommand).resolves({ MessageId: 'm1' });

    const lambda = trustRoleLambda(config);
    expect((await lambda.config.credentials()).accessKeyId).toBe('ASIATRUSTROLE');
    expect(credentialsOf('lambda', lambda)).toBe('trust-role');
    // The STS client that fromTemporaryCredentials made to assume the trust role.
    const sts: unknown = stsMock.calls()[0]?.thisValue;
    expect((await (sts as LambdaClient).config.credentials()).accessKeyId).toBe('AKIARUNTIME');
    expect(credentialsOf('sts', sts)).toBe('runtime');
    const sns = feedbackClient(config.region);
    expect((await sns.config.credentials()).accessKeyId).toBe('AKIARUNTIME');
    expect(credentialsOf('sns', sns)).toBe('runtime');

    await listItems({ lambda, functionName: config.assetFunctionName, idToken }, undefined);
    await listTokens({ lambda, functionName: config.tokenServiceFunctionName, idToken }, undefined);
    await imageSignature({ lambda, functionName: config.signerFunctionName, idToken });
    expect((await publishFeedback(sns, config.feedbackTopicArn, identityId, 'the body')).status).toBe(202);
  });

  afterAll(({}, suite) => {
    const test = suite.tasks[0];
    // Left out (vitest -t) or failed: nothing to check here.
    if (test?.result?.state !== 'pass') return;
    expect(test.meta.awsCalls).toEqual([
      {
        credentials: 'runtime', client: 'sts', operation: 'AssumeRole',
        input: { RoleArn: env.TRUST_ROLE_ARN, RoleSessionName: env.ROLE_SESSION_NAME, DurationSeconds: Number(env.SESSION_DURATION_SECONDS) },
      },
      { credentials: 'trust-role', client: 'lambda', operation: 'Invoke', input: { FunctionName: env.ASSET_FUNCTION_NAME } },
      { credentials: 'trust-role', client: 'lambda', operation: 'Invoke', input: { FunctionName: env.TOKEN_SERVICE_FUNCTION_NAME } },
      { credentials: 'trust-role', client: 'lambda', operation: 'Invoke', input: { FunctionName: env.SIGNER_FUNCTION_NAME } },
      // No body (Message); the sender's identity id from the session.
      { credentials: 'runtime', client: 'sns', operation: 'Publish', input: { TopicArn: env.FEEDBACK_TOPIC_ARN, MessageAttributes: { owner: { DataType: 'String', StringValue: identityId } } } },
    ] satisfies RecordedCall[]);
  });

  it('refuses a client the server code does not make: its credentials would not be the server\'s', () => {
    expect(() => credentialsOf('lambda', new LambdaClient({ region: config.region }))).toThrow(/a lambda client the server code does not make/);
  });
});
