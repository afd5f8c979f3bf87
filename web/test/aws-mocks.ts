// The AWS clients the server code uses, mocked once for all the unit tests (aws-sdk-client-mock),
// so that every command they send is recorded (aws-calls.ts). Import the mocks from here (ESLint
// refuses aws-sdk-client-mock anywhere else) and do not reset them: after each test the setup
// (aws-calls.setup.ts) takes what was sent, then resets them, history and behaviours.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
// fromTemporaryCredentials calls STS through the SDK's own nested client.
import { STSClient } from '@aws-sdk/nested-clients/sts';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';

import { isTrustRoleClient } from '../lib/assets';
import { isFeedbackClient } from '../lib/feedback';
import { bodies, takeCallsWith, type AwsCall, type Credentials, type RecordedCall } from './aws-calls';

/** A mock as the tests get it: without reset and restore, which would lose the calls sent. */
type Mock<C> = Omit<AwsClientStub<C>, 'reset' | 'resetHistory' | 'restore'>;

const stubs = {
  sts: { client: STSClient, mock: mockClient(STSClient) },
  lambda: { client: LambdaClient, mock: mockClient(LambdaClient) },
  sns: { client: SNSClient, mock: mockClient(SNSClient) },
};
export const stsMock: Mock<STSClient> = stubs.sts.mock;
export const lambdaMock: Mock<LambdaClient> = stubs.lambda.mock;
export const snsMock: Mock<SNSClient> = stubs.sns.mock;

type ClientName = AwsCall['client'];

/**
 * Whose credentials client signs with, from how the server code made it: trustRoleLambda's
 * Lambda clients (lib/assets.ts) the trust role's; feedbackClient's SNS clients (lib/feedback.ts)
 * the runtime's own, the SDK's default chain; and so does the STS client with which
 * fromTemporaryCredentials assumes the trust role, since trustRoleLambda gives it no credentials
 * (neither masterCredentials nor clientConfig.credentials): it takes the Lambda client's default
 * chain. A client the server code does not make (one a test made itself) is refused: its calls
 * would say nothing about the server's. aws-calls.test.ts resolves each kind's credentials to show
 * that they are these.
 */
export function credentialsOf(name: ClientName, client: unknown): Credentials {
  if (typeof client === 'object' && client !== null) {
    if (name === 'lambda' && isTrustRoleClient(client)) return 'trust-role';
    if (name === 'sns' && isFeedbackClient(client)) return 'runtime';
    if (name === 'sts') return 'runtime';
  }
  throw new Error(`a command was sent through a ${name} client the server code does not make: make it with the app's own `
    + '(lib/assets.ts trustRoleLambda, lib/feedback.ts feedbackClient), so that the recorded credentials are the server\'s');
}

// The stub each mock had at the last take: another means the client was mocked anew or reset
// in between, and the calls sent to the stub it replaced are lost.
const expected = new Map(Object.entries(stubs).map(([name, { mock }]) => [name, mock.send]));

takeCallsWith(() => {
  const problems: string[] = [];
  const sent = [];
  for (const [name, { client, mock }] of Object.entries(stubs) as [ClientName, (typeof stubs)[ClientName]][]) {
    if (client.prototype.send !== expected.get(name) || mock.send !== expected.get(name)) {
      problems.push(`${client.name} was mocked anew or reset during the test, so AWS calls sent through it were lost: `
        + 'use the mocks of test/aws-mocks.ts, and leave resetting them to test/aws-calls.setup.ts');
    }
    sent.push(...mock.calls().map((call) => ({ name, call })));
  }
  sent.sort((a, b) => (a.call.calledBefore(b.call) ? -1 : 1));
  const calls: RecordedCall[] = [];
  for (const { name, call } of sent) {
    const command = call.args[0];
    const input = Object.fromEntries(Object.entries(command.input as Record<string, unknown>).filter(([field]) => !bodies.includes(field)));
    try {
      calls.push({
        credentials: credentialsOf(name, call.thisValue),
        client: name,
        operation: command.constructor.name.replace(/Command$/, ''),
        // As JSON: the metadata travels to the reporter, and the file is JSON.
        input: JSON.parse(JSON.stringify(input)) as Record<string, unknown>,
      });
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  // A fresh stub for the next test, in place of whatever the client's send is now.
  for (const [name, { mock }] of Object.entries(stubs)) expected.set(name, mock.reset().send);
  return { calls, problems };
});
