// After the unit tests (check.sh): test-results/aws-calls.json, which the least-privilege check
// reads, has the agreed shape and lists, with the fixture's values (.env.local), the trust role's
// AssumeRole (with its session name and duration), an Invoke of each asset function (items, token
// service, signer) and the feedback Publish, each with the credentials the server sends it with.
// Prints how many calls it holds and any call with values that are not the fixture's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

const web = join(import.meta.dirname, '..');
const file = join(web, 'test-results', 'aws-calls.json');
const env = parseEnv(readFileSync(join(web, '.env.local'), 'utf8'));
const fail = (message) => {
  console.error(`${file}: ${message}`);
  process.exit(1);
};

let calls;
try {
  calls = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  fail(`not written by the unit tests' reporter (test/aws-calls.reporter.ts): ${err.message}`);
}
if (!Array.isArray(calls)) fail('not a JSON array');

const operations = { sts: 'AssumeRole', lambda: 'Invoke', sns: 'Publish' };
const keys = 'client,credentials,input,operation,test';
calls.forEach((call, i) => {
  const at = `entry ${i} (${JSON.stringify(call)})`;
  if (typeof call !== 'object' || call === null || Object.keys(call).sort().join() !== keys) fail(`${at}: not {${keys}}`);
  if (typeof call.test !== 'string' || call.test === '') fail(`${at}: no test name`);
  if (!['runtime', 'trust-role'].includes(call.credentials)) fail(`${at}: credentials neither runtime nor trust-role`);
  if (operations[call.client] !== call.operation) fail(`${at}: not one of ${JSON.stringify(operations)}`);
  if (typeof call.input !== 'object' || call.input === null || 'Payload' in call.input || 'Message' in call.input) fail(`${at}: input not an object without Payload and Message`);
});

// What the fixture's configuration makes the server send, and with whose credentials.
const expected = [
  { credentials: 'runtime', client: 'sts', input: { RoleArn: env.TRUST_ROLE_ARN, RoleSessionName: env.ROLE_SESSION_NAME, DurationSeconds: Number(env.SESSION_DURATION_SECONDS) } },
  ...[env.ASSET_FUNCTION_NAME, env.TOKEN_SERVICE_FUNCTION_NAME, env.SIGNER_FUNCTION_NAME].map((name) => ({ credentials: 'trust-role', client: 'lambda', input: { FunctionName: name } })),
  { credentials: 'runtime', client: 'sns', input: { TopicArn: env.FEEDBACK_TOPIC_ARN } },
];
const matches = (call, want) => call.client === want.client && Object.entries(want.input).every(([field, value]) => call.input[field] === value);
for (const want of expected) {
  const found = calls.filter((call) => matches(call, want));
  const what = `${operations[want.client]} ${JSON.stringify(want.input)}`;
  if (found.length === 0) fail(`no ${what}: the unit tests no longer send it`);
  const other = found.find((call) => call.credentials !== want.credentials);
  if (other) fail(`${what} sent with the ${other.credentials} credentials in "${other.test}", not the ${want.credentials}`);
}

const unexpected = calls.filter((call) => !expected.some((want) => matches(call, want)));
const tests = new Set(calls.map((call) => call.test));
console.log(`aws calls: ${calls.length} from ${tests.size} tests in ${file}; `
  + `${unexpected.length === 0 ? 'all with the fixture\'s values' : `${unexpected.length} with other values:`}`);
for (const call of unexpected) console.log(`  ${call.test}: ${call.credentials} ${call.operation} ${JSON.stringify(call.input)}`);
