// The browser test (make test-web): `next start` on the fixture's configuration, Debian's
// Chromium driven by playwright-core. The sign-in page shows the fields the outputs imply;
// signing in sends InitiateAuth (USER_SRP_AUTH) with the configured client id to the configured
// region's Cognito endpoint (intercepted and answered NotAuthorizedException, which the page
// shows); with MFA on, a TOTP challenge asks for the code; protected pages and the API routes
// refuse anonymous callers. Screenshots go to test-results/ (git-ignored).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = JSON.parse(readFileSync(join(web, 'amplify_outputs.json'), 'utf8'));
const port = 3457;
const base = `http://127.0.0.1:${port}`;
const shots = join(web, 'test-results');
mkdirSync(shots, { recursive: true });

const server = spawn(join(web, 'node_modules', '.bin', 'next'), ['start', '-p', String(port), '-H', '127.0.0.1'], {
  cwd: web, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
});
let serverLog = '';
server.stdout.on('data', (d) => { serverLog += d; });
server.stderr.on('data', (d) => { serverLog += d; });

async function ready() {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base)).ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`next start did not answer on ${base}:\n${serverLog}`);
}

let browser;
const checks = [];
const check = async (name, fn) => {
  try {
    await fn();
    checks.push(`ok    ${name}`);
  } catch (err) {
    checks.push(`FAIL  ${name}: ${err.message}`);
  }
};
// A malformed configuration stops the server at start-up, naming the variable (instrumentation.ts).
// The process's environment wins over .env.local, so one bad value is enough to try it.
await check('a malformed configuration stops next start, naming the variable', async () => {
  const bad = spawn(join(web, 'node_modules', '.bin', 'next'), ['start', '-p', String(port + 1), '-H', '127.0.0.1'], {
    cwd: web, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TRUST_ROLE_ARN: 'arn:aws:iam::123456789012:user/someone' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  bad.stdout.on('data', (d) => { log += d; });
  bad.stderr.on('data', (d) => { log += d; });
  const timer = setTimeout(() => bad.kill(), 20000);
  const code = await new Promise((resolve) => bad.on('exit', resolve));
  clearTimeout(timer);
  assert.equal(code, 1, `exit ${code}:\n${log}`);
  assert.match(log, /TRUST_ROLE_ARN="arn:aws:iam::123456789012:user\/someone" is not a role ARN/);
});
try {
  await ready();
  // The API routes refuse anonymous callers.
  await check('the API routes answer 401 without a session', async () => {
    for (const [method, path] of [['GET', '/api/items'], ['GET', '/api/items/a1'], ['PUT', '/api/items/a1'], ['GET', '/api/tokens'], ['POST', '/api/tokens'], ['GET', '/api/images/signature']]) {
      const answer = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json' }, body: method === 'GET' ? undefined : '{"name":"x","scopes":["read"]}' });
      assert.equal(answer.status, 401, `${method} ${path}: ${answer.status}`);
      assert.equal((await answer.json()).error.code, 'unauthorized');
    }
  });

  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const cognito = `https://cognito-idp.${outputs.auth.aws_region}.amazonaws.com/`;
  const cors = { 'Access-Control-Allow-Origin': base, 'Access-Control-Allow-Headers': '*', 'Access-Control-Allow-Methods': 'POST' };
  // A page whose Cognito calls are recorded and answered by answer(target, body): [status, body].
  const pageWithCognito = async (answer) => {
    const page = await browser.newPage();
    const calls = [];
    await page.route(`${cognito}**`, async (route) => {
      const request = route.request();
      if (request.method() === 'OPTIONS') return route.fulfill({ status: 200, headers: cors });
      const target = request.headers()['x-amz-target'].replace('AWSCognitoIdentityProviderService.', '');
      const body = JSON.parse(request.postData() ?? '{}');
      calls.push({ target, body });
      const [status, reply] = answer(target, body);
      const headers = { ...cors, 'Content-Type': 'application/x-amz-json-1.1' };
      if (status !== 200) headers['x-amzn-errortype'] = reply.__type;
      return route.fulfill({ status, headers, body: JSON.stringify(reply) });
    });
    // Nothing else leaves the machine.
    await page.route((url) => !url.href.startsWith(base) && !url.href.startsWith(cognito), (route) => route.abort());
    return { page, calls };
  };
  const refuse = (type, message) => [400, { __type: type, message }];
  const signIn = async (page) => {
    await page.getByLabel('Email').fill('someone@example.com');
    await page.getByLabel('Password', { exact: true }).fill('Not-The-Password-1!');
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const { page, calls } = await pageWithCognito(() => refuse('NotAuthorizedException', 'Incorrect username or password.'));

  await check('a protected page shows the sign-in the outputs imply', async () => {
    await page.goto(`${base}/uploads`);
    await page.getByLabel('Email').waitFor({ timeout: 15000 });
    await page.getByLabel('Password', { exact: true }).waitFor();
    // Self sign-up is on in the fixture: the Create Account tab is offered.
    assert.equal(await page.getByRole('tab', { name: 'Create Account' }).count(), outputs.custom?.self_sign_up_enabled ? 1 : 0);
    // Nothing of the page itself before sign-in.
    assert.equal(await page.getByRole('heading', { name: 'Your uploads' }).count(), 0);
    await page.screenshot({ path: join(shots, 'sign-in.png'), fullPage: true });
  });
  await check('signing in sends InitiateAuth with USER_SRP_AUTH and the configured client id; the error shows', async () => {
    await signIn(page);
    await page.getByText('Incorrect username or password.').waitFor({ timeout: 15000 });
    const initiate = calls.find((c) => c.target === 'InitiateAuth');
    assert.ok(initiate, `no InitiateAuth among ${JSON.stringify(calls.map((c) => c.target))}`);
    assert.equal(initiate.body.AuthFlow, 'USER_SRP_AUTH');
    assert.equal(initiate.body.ClientId, outputs.auth.user_pool_client_id);
    assert.equal(initiate.body.AuthParameters.USERNAME, 'someone@example.com');
    assert.ok(!JSON.stringify(initiate.body).includes('Not-The-Password-1!'), 'the password was sent');
    await page.screenshot({ path: join(shots, 'sign-in-refused.png'), fullPage: true });
  });
  // With MFA in the user pool (TOTP), the password step is followed by the authenticator code.
  // Cognito's side is played here: a PASSWORD_VERIFIER challenge with random SRP values (the
  // browser cannot tell), then SOFTWARE_TOKEN_MFA, then a refused code.
  if (outputs.auth.mfa_configuration !== 'NONE') {
    await check('with TOTP MFA, the code is asked for and sent with the session; a wrong code shows Cognito\'s error', async () => {
      const { page: mfaPage, calls: mfaCalls } = await pageWithCognito((target, body) => {
        if (target === 'InitiateAuth') {
          const user = '11111111-2222-4333-8444-555555555555';
          return [200, { ChallengeName: 'PASSWORD_VERIFIER', ChallengeParameters: {
            SRP_B: '5' + randomBytes(383).toString('hex'), SALT: randomBytes(16).toString('hex'),
            SECRET_BLOCK: randomBytes(64).toString('base64'), USER_ID_FOR_SRP: user, USERNAME: user } }];
        }
        if (body.ChallengeName === 'PASSWORD_VERIFIER') return [200, { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'mfa-session-1', ChallengeParameters: {} }];
        return refuse('CodeMismatchException', 'Invalid code received for user');
      });
      await mfaPage.goto(`${base}/uploads`);
      await signIn(mfaPage);
      await mfaPage.getByText('Confirm TOTP Code').waitFor({ timeout: 15000 });
      await mfaPage.screenshot({ path: join(shots, 'totp-code.png'), fullPage: true });
      await mfaPage.getByLabel('Code').fill('123456');
      await mfaPage.getByRole('button', { name: 'Confirm' }).click();
      await mfaPage.getByText('Invalid code received for user').waitFor({ timeout: 15000 });
      const answer = mfaCalls.at(-1);
      assert.equal(answer.target, 'RespondToAuthChallenge');
      assert.equal(answer.body.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      assert.equal(answer.body.Session, 'mfa-session-1');
      assert.equal(answer.body.ClientId, outputs.auth.user_pool_client_id);
      assert.equal(answer.body.ChallengeResponses.SOFTWARE_TOKEN_MFA_CODE, '123456');
      assert.equal(await mfaPage.getByRole('heading', { name: 'Your uploads' }).count(), 0);
      await mfaPage.screenshot({ path: join(shots, 'totp-refused.png'), fullPage: true });
    });
  }
  await check('the tokens page is protected too', async () => {
    await page.goto(`${base}/tokens`);
    await page.getByLabel('Email').waitFor({ timeout: 15000 });
    assert.equal(await page.getByRole('heading', { name: 'API tokens' }).count(), 0);
    await page.screenshot({ path: join(shots, 'tokens-signed-out.png'), fullPage: true });
  });
} finally {
  await browser?.close();
  server.kill();
}
console.log(checks.join('\n'));
if (checks.some((c) => c.startsWith('FAIL'))) {
  console.log(serverLog.split('\n').slice(-20).join('\n'));
  process.exit(1);
}
