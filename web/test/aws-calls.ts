// The record of every AWS call the server code sends in the unit tests, for the least-privilege
// check (issue 21), which evaluates each call against the synthesized IAM roles. The mocked
// clients (aws-mocks.ts) keep the calls; after each test the setup (aws-calls.setup.ts) moves them
// into the test's metadata; at the end of the run the reporter (aws-calls.reporter.ts) writes them
// all to test-results/aws-calls.json. This module is the contract and the link between them; it
// loads no AWS code, so test files that mock nothing do not pay for it.

/** Whose credentials a call was sent with. */
export type Credentials =
  /** The server's own: the ECS webpage role, or the Amplify SSR compute role. */
  | 'runtime'
  /** Those from assuming the trust role (the role chain's intermediary). */
  | 'trust-role';

/** One command sent: an element of test-results/aws-calls.json (the checker reads this shape). */
export interface AwsCall {
  /** The vitest test's full name: its suites' names and its own, joined by " > ". */
  test: string;
  credentials: Credentials;
  client: 'sts' | 'lambda' | 'sns';
  /** The command's name without "Command": AssumeRole, Invoke, Publish. */
  operation: string;
  /** The command's input as sent, without the bodies (Payload, Message). */
  input: Record<string, unknown>;
}

/** A call as a test's metadata holds it: the reporter adds the test's name. */
export type RecordedCall = Omit<AwsCall, 'test'>;

declare module 'vitest' {
  interface TaskMeta {
    /** A test's AWS calls; on a test module, those sent outside any test (in beforeAll, afterAll). */
    awsCalls?: RecordedCall[];
  }
}

/** The input fields left out of the record: bodies, which no IAM policy looks at. */
export const bodies = ['Payload', 'Message'];

/** What a take gives: the calls, and why any were lost or left out (which fails the test). */
export interface Taken {
  calls: RecordedCall[];
  problems: string[];
}

let take: (() => Taken) | undefined;

/** aws-mocks.ts, once it has mocked the clients: how to take the calls sent since the last take. */
export function takeCallsWith(taker: () => Taken): void {
  take = taker;
}

/** The calls sent since the last take, in the order sent; none when no test here mocks AWS. */
export function takeCalls(): Taken {
  return take?.() ?? { calls: [], problems: [] };
}
