// The browser test (make test-web): `next start` on the fixture's configuration, Debian's
// Chromium driven by playwright-core. The sign-in page shows the fields the outputs imply;
// signing in sends InitiateAuth (USER_SRP_AUTH) with the configured client id to the configured
// region's Cognito endpoint (intercepted and answered NotAuthorizedException, which the page
// shows); with MFA on, a TOTP challenge asks for the code; protected pages and the server actions
// refuse anonymous callers. Every page has the one layout (the header's pages, who is signed in
// and Sign out, its own title); each protected page says what it is above the sign-in, and
// feedback needs a session the server can verify. Pages and action answers carry the security
// headers (one complete CSP with a nonce that the page's scripts carry, no eval; action answers
// no-store), no page breaks a rule of its policy, and a real cross-site form and fetch from a
// second origin this test serves are refused, as is an action whose Origin is another host.
// The server actions run for real on the server, against the stand-ins of test/standins.mjs
// (Cognito's keys and identity pool; STS and Lambda for the role chain), and the test asserts
// what the server sent them: the trust role assumed with the runtime's credentials, each asset
// function invoked with the trust role's, with the session's ID token and the page's payload.
// make web-preview's banner shows in the preview only. Screenshots of every page, signed out
// and (with a session whose tokens the stand-in's pool signed) signed in, go to test-results/
// (git-ignored).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { awsStandIn, cognitoStandIn, runtimeKey, trustRoleKey } from './standins.mjs';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = JSON.parse(readFileSync(join(web, 'amplify_outputs.json'), 'utf8'));
const securityHeaders = JSON.parse(readFileSync(join(web, 'security-headers.json'), 'utf8'));
// Ports nothing listens on now, picked by the system: runs side by side (two checkouts, CI beside
// a developer's make test) do not collide.
const freePort = (host = '127.0.0.1') => new Promise((resolve, reject) => {
  const probe = createServer();
  probe.on('error', reject);
  probe.listen(0, host, () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const shots = join(web, 'test-results');
mkdirSync(shots, { recursive: true });

// next start on a port, with the environment's values added; log: all it has printed so far.
const start = (on, env = {}) => {
  const started = spawn(join(web, 'node_modules', '.bin', 'next'), ['start', '-p', String(on), '-H', '127.0.0.1'], {
    cwd: web, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { process: started, log: '' };
  started.stdout.on('data', (d) => { output.log += d; });
  started.stderr.on('data', (d) => { output.log += d; });
  return output;
};
// The stand-ins the server's AWS calls reach instead of AWS (test/standins.mjs).
const cognitoPool = await cognitoStandIn(outputs);
const aws = await awsStandIn();
const serverEnv = Object.fromEntries(readFileSync(join(web, '.env.local'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split(/=(.*)/s).slice(0, 2)));
// The server actions, from the build's manifest: each one's page, name and id.
const actions = Object.entries(JSON.parse(readFileSync(join(web, '.next', 'server', 'server-reference-manifest.json'), 'utf8')).node)
  .map(([id, { workers, exportedName }]) => ({ id, name: exportedName, path: Object.keys(workers)[0].replace(/^app/, '').replace(/\/page$/, '') }));
const action = (name) => actions.find((a) => a.name === name) ?? assert.fail(`no server action ${name} in the build`);
// The server every check uses: a run as a deployment's (no GATEHOUSE_PREVIEW, whatever the caller's environment).
const main = start(port, { GATEHOUSE_PREVIEW: '', ...cognitoPool.env, ...aws.env });
const server = main.process;
// make web-preview's run (its banner's check), started now so that it is up when needed.
const previewPort = await freePort();
const previewBase = `http://127.0.0.1:${previewPort}`;
const preview = start(previewPort, { GATEHOUSE_PREVIEW: 'fixture' });

async function ready(url = base, what = main) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`next start did not answer on ${url}:\n${what.log}`);
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
  const bad = start(await freePort(), { TRUST_ROLE_ARN: 'arn:aws:iam::123456789012:user/someone' });
  const timer = setTimeout(() => bad.process.kill(), 20000);
  const code = await new Promise((resolve) => bad.process.on('exit', resolve));
  clearTimeout(timer);
  assert.equal(code, 1, `exit ${code}:\n${bad.log}`);
  assert.match(bad.log, /TRUST_ROLE_ARN="arn:aws:iam::123456789012:user\/someone" is not a role ARN/);
});
try {
  await ready();
  // A session as Amplify keeps it in cookies: tokens the stand-in's pool signed (forged: signed by
  // another key under the pool's kid, which the server's check of the session refuses).
  const user = '11111111-2222-4333-8444-555555555555'; // the signed-in user's sub
  const client = outputs.auth.user_pool_client_id;
  const sessionCookies = ({ forged = false } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const times = { auth_time: now, iat: now, exp: now + 3600 };
    const prefix = `CognitoIdentityServiceProvider.${client}`;
    return [
      [`${prefix}.LastAuthUser`, user],
      [`${prefix}.${user}.accessToken`, cognitoPool.token({ sub: user, username: user, token_use: 'access', client_id: client, scope: 'aws.cognito.signin.user.admin', ...times }, { forged })],
      [`${prefix}.${user}.idToken`, cognitoPool.token({ sub: user, email: 'someone@example.com', token_use: 'id', aud: client, ...times }, { forged })],
    ];
  };
  const idTokenOf = (cookies) => cookies.find(([name]) => name.endsWith('.idToken'))[1];
  // A server action as the app's pages call it (React's encoding: the arguments as JSON), from here.
  const callAction = async (name, { origin = base, cookies = [], args = '[]' } = {}) => {
    const { id, path } = action(name);
    const headers = { 'Next-Action': id, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component' };
    if (origin) headers.Origin = origin;
    if (cookies.length > 0) headers.Cookie = cookies.map(([n, v]) => `${n}=${v}`).join('; ');
    const answer = await fetch(base + path, { method: 'POST', headers, body: args });
    return { status: answer.status, headers: answer.headers, text: await answer.text() };
  };
  await check('every server action answers 401 in words without a session, never to be stored, and sends nothing', async () => {
    assert.deepEqual(actions.map((a) => `${a.path} ${a.name}`).sort(), ['/feedback sendFeedback', '/items addItem', '/items itemsPage',
      '/tokens issueReadToken', '/tokens revokeOwnToken', '/tokens tokensPage', '/uploads folderSignature']);
    for (const { name } of actions) {
      for (const args of ['[]', JSON.stringify(['a'.repeat(64)]), JSON.stringify([{ owner: user, idToken: 'x' }])]) {
        const answer = await callAction(name, { args });
        assert.equal(answer.status, 200, `${name}(${args}): ${answer.status} ${answer.text}`);
        assert.match(answer.headers.get('cache-control'), /(^|, )no-store(,|$)/, name);
        assert.match(answer.text, /\{"status":401,"message":"Sign in to [^"]+: your session has ended or could not be verified\."\}/, `${name}: ${answer.text}`);
      }
    }
    assert.deepEqual(aws.calls, []);
  });
  // security-headers.json on every answer; one complete Content-Security-Policy.
  const policyOf = (headers) => {
    const policies = headers.filter((h) => h.name.toLowerCase() === 'content-security-policy');
    assert.equal(policies.length, 1, `one Content-Security-Policy header, not ${policies.length}`);
    return new Map(policies[0].value.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...sources]) => [name, sources]));
  };
  const assertSecurityHeaders = (headers, what) => {
    const get = (name) => headers.filter((h) => h.name.toLowerCase() === name.toLowerCase()).map((h) => h.value).join(', ');
    for (const name of ['Strict-Transport-Security', 'X-Content-Type-Options', 'Referrer-Policy', 'X-Frame-Options']) {
      assert.equal(get(name), securityHeaders[name], `${what}: ${name}`);
    }
    const policy = policyOf(headers);
    for (const directive of securityHeaders['Content-Security-Policy'].split('; ')) {
      const [name, ...sources] = directive.split(' ');
      assert.deepEqual(policy.get(name), sources, `${what}: the baseline's ${name}`);
    }
    assert.deepEqual(policy.get('frame-ancestors'), ["'none'"], what);
    assert.deepEqual(policy.get('default-src'), ["'self'"], what);
    for (const [name, sources] of policy) {
      assert.ok(!sources.includes("'unsafe-eval'"), `${what}: ${name} allows eval`);
    }
    assert.ok(!policy.get('script-src').includes("'unsafe-inline'"), `${what}: inline scripts allowed`);
    return policy;
  };
  await check('a page sends the security headers and one CSP whose nonce its scripts carry, a new one each time', async () => {
    const nonces = [];
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(`${base}/tokens`);
      const headers = [...answer.headers].map(([name, value]) => ({ name, value }));
      const policy = assertSecurityHeaders(headers, 'GET /tokens');
      const nonce = policy.get('script-src').find((s) => s.startsWith("'nonce-"))?.slice(7, -1);
      assert.ok(nonce, `no nonce in script-src ${policy.get('script-src').join(' ')}`);
      const scripts = (await answer.text()).match(/<script\b[^>]*>/g) ?? [];
      assert.ok(scripts.length > 0);
      assert.deepEqual(scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`)), [], 'scripts without the nonce');
      nonces.push(nonce);
    }
    assert.notEqual(nonces[0], nonces[1]);
  });
  await check('a server action\'s answer sends the security headers too', async () => {
    const answer = await callAction('tokensPage');
    assertSecurityHeaders([...answer.headers].map(([name, value]) => ({ name, value })), 'the action tokensPage');
  });

  // The preview's first page, rendered while Chromium starts (a server's first render is its slowest).
  const previewReady = ready(previewBase, preview).then(() => fetch(`${previewBase}/feedback`));
  previewReady.catch(() => undefined); // awaited, and its failure reported, by the preview's check
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  // Whatever a page's policy refuses shows in its console: no page may break its own policy.
  const violations = [];
  const watch = (page) => page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(`${page.url()}: ${message.text()}`);
  });
  const cognito = `https://cognito-idp.${outputs.auth.aws_region}.amazonaws.com/`;
  const cors = { 'Access-Control-Allow-Origin': base, 'Access-Control-Allow-Headers': '*', 'Access-Control-Allow-Methods': 'POST' };
  // A page whose Cognito calls are recorded and answered by answer(target, body): [status, body].
  const pageWithCognito = async (answer) => {
    const page = await browser.newPage();
    watch(page);
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
  // The app's pages (app/**/page.tsx): each one's title; for a protected one, what it says it is
  // before sign-in, what signing in gives, and a part of its content, which shows only after.
  const pages = [
    { path: '/', name: 'Home', title: 'gatehouse reference app', shot: 'home' },
    { path: '/uploads', name: 'Uploads', title: 'Uploads · gatehouse', shot: 'uploads', about: 'protected/<your user id>/',
      to: 'to upload images into your folder and see them.', content: (p) => p.getByRole('button', { name: 'Browse files' }) },
    { path: '/items', name: 'Items', title: 'Items · gatehouse', shot: 'items', about: 'The server reads and writes them through the role chain',
      to: 'to add and list your items.', content: (p) => p.getByRole('button', { name: 'Add' }) },
    { path: '/tokens', name: 'API tokens', title: 'API tokens · gatehouse', shot: 'tokens', about: 'Tokens for your scripts',
      to: 'to issue, list and revoke your tokens.', content: (p) => p.getByRole('button', { name: 'Issue a read token' }) },
    { path: '/feedback', name: 'Feedback', title: 'Feedback · gatehouse', shot: 'feedback', about: 'feedback is never anonymous: sign in to send it',
      to: 'to send feedback.', content: (p) => p.getByRole('textbox', { name: 'Your feedback' }) },
  ];
  const [home, uploads, items, tokens, feedback] = pages;
  // Every page's header: each page, the current one marked; who is signed in, and Sign out; and,
  // in a run that is not the preview, no preview banner.
  const assertLayout = async (p, current, signedInAs) => {
    // (After a client-side navigation the title and the marked page follow a moment later.)
    await p.waitForFunction((title) => document.title === title, current.title, { timeout: 5000 }).catch(() => undefined);
    assert.equal(await p.title(), current.title);
    const nav = p.getByRole('navigation', { name: 'Pages' });
    assert.deepEqual(await nav.getByRole('link').allInnerTexts(), pages.map((x) => x.name));
    await nav.locator('[aria-current="page"]').filter({ hasText: current.name }).waitFor({ timeout: 5000 });
    assert.equal(await nav.locator('[aria-current="page"]').count(), 1);
    const header = p.getByRole('banner');
    if (signedInAs) {
      await header.getByText(`Signed in as ${signedInAs}`).waitFor({ timeout: 15000 });
      await header.getByRole('button', { name: 'Sign out' }).waitFor();
    } else {
      await header.getByText('Not signed in').waitFor({ timeout: 15000 });
      assert.equal(await header.getByRole('button', { name: 'Sign out' }).count(), 0);
    }
    assert.equal(await p.getByRole('note', { name: 'Preview' }).count(), 0, 'a preview banner outside make web-preview');
  };

  // From the home page through the header's links (client-side navigation), ending on uploads,
  // where the sign-in checks go on.
  await check('every page has the layout and its own title; each protected page says what it is above the sign-in, and shows nothing of itself', async () => {
    await page.goto(`${base}/`);
    for (const p of [home, items, tokens, feedback, uploads]) {
      if (p !== home) await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: p.name }).click();
      await page.waitForURL(base + p.path);
      await assertLayout(page, p);
      if (p === home) {
        // The home page links every other page.
        assert.deepEqual(await page.getByRole('main').getByRole('link').allInnerTexts(), [uploads.name, items.name, tokens.name, feedback.name]);
      } else {
        await page.getByRole('main').getByText(p.about).waitFor();
        const signUp = outputs.custom?.self_sign_up_enabled ? ' (or create an account)' : '';
        await page.getByText(`Sign in${signUp} ${p.to}`).waitFor();
        await page.getByLabel('Email').waitFor({ timeout: 15000 });
        assert.equal(await p.content(page).count(), 0, `${p.path} shows its content before sign-in`);
      }
      await page.screenshot({ path: join(shots, `${p.shot}-signed-out.png`), fullPage: true });
    }
  });
  await check('a protected page shows the sign-in the outputs imply', async () => {
    await page.getByLabel('Password', { exact: true }).waitFor();
    // Self sign-up is on in the fixture: the Create Account tab is offered.
    assert.equal(await page.getByRole('tab', { name: 'Create Account' }).count(), outputs.custom?.self_sign_up_enabled ? 1 : 0);
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
      assert.equal(await uploads.content(mfaPage).count(), 0);
      await mfaPage.screenshot({ path: join(shots, 'totp-refused.png'), fullPage: true });
    });
  }
  await check('Chromium receives the page\'s headers as sent, and the page\'s own server action passes the same-origin checks', async () => {
    const answer = await page.goto(`${base}/`);
    assertSecurityHeaders(await answer.headersArray(), 'GET / in Chromium');
    // Chromium's same-origin POST (Origin, Sec-Fetch-Site: same-origin) gets past the proxy's and
    // Next's checks to the action: 401 in words, no session.
    const { path, id } = action('issueReadToken');
    const text = await page.evaluate(async ([to, actionId]) => (await fetch(to, {
      method: 'POST', headers: { 'Next-Action': actionId, 'Content-Type': 'text/plain;charset=UTF-8' }, body: '[]' })).text(), [path, id]);
    assert.match(text, /"status":401,"message":"Sign in to see and change your tokens/);
    assert.deepEqual(aws.calls, []);
  });
  // What an HTML injection would bring: an inline event handler ('unsafe-inline' would run it).
  await check('an injected inline handler does not run, and the console says why', async () => {
    const injected = await browser.newPage();
    const said = [];
    injected.on('console', (message) => said.push(message.text()));
    await injected.goto(`${base}/`);
    await injected.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<img src="/no-such-image.png" onerror="window.injected = 1">'));
    // The handler would run once the image fails to load: by then the console has said why not.
    for (let i = 0; i < 200 && !said.some((text) => /Content Security Policy/i.test(text)); i++) await injected.waitForTimeout(50);
    assert.equal(await injected.evaluate(() => window.injected), undefined);
    // The same words the watcher of every other page looks for.
    assert.ok(said.some((text) => /Content Security Policy/i.test(text)), said.join('\n'));
    await injected.close();
  });
  await check('a cross-site form (a server action without JavaScript) and fetch (text/plain) are refused (403) before anything is read', async () => {
    // The other site: a page on localhost (not 127.0.0.1: another site, not only another origin).
    // The form is what Next runs as a server action without JavaScript: multipart, with the action's id.
    const { path, id } = action('issueReadToken');
    const evil = createServer((request, response) => {
      response.setHeader('Content-Type', 'text/html');
      response.end(`<!doctype html><form method="POST" action="${base}${path}" enctype="multipart/form-data">
        <input name="$ACTION_ID_${id}" value=""></form>
        <script>
          window.sent = fetch('${base}${path}', { method: 'POST', mode: 'no-cors', credentials: 'include',
            headers: { 'Content-Type': 'text/plain', 'Next-Action': '${id}' }, body: '[]' }).then(() => 'sent', (e) => String(e));
        </script>`);
    });
    await new Promise((resolve) => evil.listen(0, 'localhost', resolve));
    const evilPort = evil.address().port;
    const context = await browser.newContext();
    try {
      const attacker = await context.newPage();
      const refused = (answer, type) => {
        assert.equal(answer.status(), 403, `${answer.request().resourceType()}: ${answer.status()}`);
        assert.match(answer.request().headers()['content-type'], type);
      };
      const fetched = attacker.waitForResponse(base + path);
      await attacker.goto(`http://localhost:${evilPort}/`);
      assert.equal(await attacker.evaluate(() => window.sent), 'sent');
      refused(await fetched, /^text\/plain/); // no-cors: the page cannot read it; the browser's network log can
      const posted = attacker.waitForResponse(base + path);
      await attacker.evaluate(() => document.forms[0].submit());
      refused(await posted, /^multipart\/form-data/);
      await attacker.waitForURL(base + path);
      // The answer (the page the form led to) says what Chromium sent: Sec-Fetch-Site cross-site.
      // forbidden, not unauthorized: the proxy stopped it before the session or the configuration was read.
      const { error } = JSON.parse(await attacker.locator('body').innerText());
      assert.deepEqual([error.code, error.field], ['forbidden', 'Sec-Fetch-Site']);
      assert.match(error.message, /^"cross-site" is not allowed/);
      await attacker.screenshot({ path: join(shots, 'cross-site-refused.png') });
      assert.deepEqual(aws.calls, []);
    } finally {
      await context.close();
      evil.close();
    }
  });
  await check('Next refuses a server action whose Origin is another host, even with a valid session; the proxy one without an Origin', async () => {
    const cookies = sessionCookies();
    // What a browser that sends no Sec-Fetch-Site would send from another site: Next's own check.
    const foreign = await callAction('tokensPage', { origin: 'http://localhost:9', cookies });
    assert.equal(foreign.status, 500, foreign.text);
    assert.match(foreign.headers.get('cache-control'), /(^|, )no-store(,|$)/);
    assert.doesNotMatch(foreign.text, /tokens|Sign in/);
    assert.match(main.log, /does not match `origin` header with value `localhost:9` from a forwarded Server Actions request\. Aborting the action\./);
    const missing = await callAction('tokensPage', { origin: null, cookies });
    assert.equal(missing.status, 403);
    assert.match(missing.headers.get('cache-control'), /(^|, )no-store(,|$)/);
    assert.deepEqual(JSON.parse(missing.text).error, { code: 'forbidden', field: 'Origin', message: "is missing: only the app's own pages may send this request" });
    assert.deepEqual(aws.calls, []);
    // The same request from the app's own origin runs: the session was good, the Origin was not.
    aws.answer = () => ({ tokens: [] });
    const own = await callAction('tokensPage', { cookies });
    assert.match(own.text, /\{"status":200,"message":"","tokens":\[\]\}/);
    assert.deepEqual(aws.calls.filter((c) => c.service === 'lambda').map((c) => [c.functionName, c.payload]),
      [[serverEnv.TOKEN_SERVICE_FUNCTION_NAME, { action: 'list', idToken: idTokenOf(cookies) }]]);
  });
  // Signed in: Amplify's cookies with the stand-in pool's tokens, which the server verifies
  // against its JWKS (forged: another key's, which it refuses).
  const signedIn = async ({ forged = false } = {}) => {
    const { page: signedInPage } = await pageWithCognito(() => refuse('NotAuthorizedException', 'no'));
    const cookies = sessionCookies({ forged });
    await signedInPage.context().addCookies(cookies.map(([name, value]) => ({ name, value, url: base })));
    signedInPage.idToken = idTokenOf(cookies);
    return signedInPage;
  };
  // What the server sent the asset functions since mark (aws.calls.length): [function, payload].
  const invokedSince = (mark) => aws.calls.slice(mark).filter((c) => c.service === 'lambda').map((c) => [c.functionName, c.payload]);
  // The gallery under the page's policy: the identity pool, the bucket's listing and the
  // distribution's images, each played here, are what the policy must allow, and all it allows.
  await check('the gallery reaches the identity pool, the bucket and the image distribution under the policy', async () => {
    const gallery = await signedIn();
    const identityId = `${outputs.auth.aws_region}:11111111-aaaa-4aaa-8aaa-111111111111`;
    // The folder is named by the deploy's owner key: the fixture (dev) keys it on the user's sub,
    // which the page takes from the session, and still signs in through the identity pool.
    assert.equal(outputs.custom.owner_key, 'sub', 'the fixture is dev, which keys owner folders on the sub');
    const owner = user;
    const bucket = `https://${outputs.storage.bucket_name}.s3.${outputs.storage.aws_region}.amazonaws.com/`;
    const cdn = `https://${/^CDN_DOMAIN=(.+)$/m.exec(readFileSync(join(web, '.env.local'), 'utf8'))?.[1]}/`;
    const cors = { 'Access-Control-Allow-Origin': base, 'Access-Control-Allow-Headers': '*', 'Access-Control-Allow-Methods': '*', 'Access-Control-Expose-Headers': '*' };
    const reached = [];
    const bucketKeys = [];
    await gallery.route(`https://cognito-identity.${outputs.auth.aws_region}.amazonaws.com/**`, (route) => {
      if (route.request().method() === 'OPTIONS') return route.fulfill({ status: 200, headers: cors });
      const target = route.request().headers()['x-amz-target'];
      reached.push(target.split('.').pop());
      const body = target.endsWith('GetId') ? { IdentityId: identityId } : { IdentityId: identityId, Credentials: {
        AccessKeyId: 'ASIAFAKE', SecretKey: 'secret', SessionToken: 'session', Expiration: Math.floor(Date.now() / 1000) + 3600 } };
      return route.fulfill({ status: 200, headers: { ...cors, 'Content-Type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });
    });
    await gallery.route(`${bucket}**`, (route) => {
      if (route.request().method() === 'OPTIONS') return route.fulfill({ status: 200, headers: cors });
      const url = new URL(route.request().url());
      // A listing says its prefix; anything else (StorageImage's object read before the
      // signature arrives) its key: each must be in the owner's folder.
      bucketKeys.push(url.searchParams.get('prefix') ?? decodeURIComponent(url.pathname.slice(1)));
      if (url.searchParams.get('list-type') === '2') reached.push('ListObjectsV2');
      return route.fulfill({ status: 200, headers: { ...cors, 'Content-Type': 'application/xml' }, body: `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${outputs.storage.bucket_name}</Name><Prefix>protected/${owner}/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>
<Contents><Key>protected/${owner}/a.png</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"e"</ETag><Size>68</Size><StorageClass>STANDARD</StorageClass></Contents></ListBucketResult>` });
    });
    // The signer's answer, to the uploads page's server action (which asks it through the role chain).
    const mark = aws.calls.length;
    aws.answer = () => ({ resource: `${cdn}protected/${owner}/*`, query: 'Policy=p&Signature=s&Key-Pair-Id=K1', expires: 1 });
    await gallery.route(`${cdn}**`, (route) => {
      reached.push(`image ${new URL(route.request().url()).pathname}`);
      return route.fulfill({ status: 200, contentType: 'image/png', body: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64') });
    });
    await gallery.goto(`${base}/uploads`);
    const image = gallery.getByRole('img', { name: `protected/${owner}/a.png` });
    await image.waitFor({ timeout: 15000 });
    await gallery.waitForFunction((alt) => document.querySelector(`img[alt="${alt}"]`)?.naturalWidth === 1, `protected/${owner}/a.png`, { timeout: 15000 });
    assert.deepEqual(reached.filter((r, i) => reached.indexOf(r) === i), ['GetId', 'GetCredentialsForIdentity', 'ListObjectsV2', `image /protected/${owner}/a.png`]);
    assert.ok(bucketKeys.length > 0 && bucketKeys.every((key) => key.startsWith(`protected/${owner}/`)), `bucket requests outside protected/${owner}/: ${bucketKeys}`);
    // The server asked the signer for the session's user, with the session's ID token alone.
    assert.deepEqual(invokedSince(mark), [[serverEnv.SIGNER_FUNCTION_NAME, { idToken: gallery.idToken }]]);
    await assertLayout(gallery, uploads, 'someone@example.com');
    await gallery.screenshot({ path: join(shots, 'uploads-signed-in.png'), fullPage: true });
    await gallery.close();
  });
  // The answers of a server action a page sent (its requests name the action in Next-Action).
  const actionAnswers = (p) => {
    const answers = [];
    p.on('response', (response) => {
      if (response.request().headers()['next-action']) answers.push(response);
    });
    return answers;
  };
  const noStore = (answers) => {
    assert.ok(answers.length > 0, 'no server action was sent');
    for (const answer of answers) assert.match(answer.headers()['cache-control'], /(^|, )no-store(,|$)/, answer.url());
  };
  await check('the items page lists with More and adds an item through the items function, with the session\'s token; a taken id is refused in words, keeping what was entered', async () => {
    const itemsPage = await signedIn();
    const answers = actionAnswers(itemsPage);
    const item = (id, name) => ({ id, name, body: '', createdAt: '2026-01-01T00:00:00Z' });
    const mark = aws.calls.length;
    aws.answer = (_name, payload) => {
      if (payload.action === 'list') return payload.next === 'cGFnZTI' ? { items: [item('i2', 'second')] } : { items: [item('i1', 'first')], next: 'cGFnZTI' };
      if (payload.id === 'i1') return { error: { code: 'conflict', field: 'id', message: 'id "i1" is already used by another of your items: choose another id' } };
      return { item: { ...item(payload.id, payload.name), body: payload.body } };
    };
    await itemsPage.goto(`${base}/items`);
    await items.content(itemsPage).waitFor({ timeout: 15000 });
    await assertLayout(itemsPage, items, 'someone@example.com');
    await itemsPage.getByRole('cell', { name: 'first' }).waitFor();
    await itemsPage.getByRole('button', { name: 'More' }).click();
    await itemsPage.getByRole('cell', { name: 'second' }).waitFor();
    assert.equal(await itemsPage.getByRole('button', { name: 'More' }).count(), 0); // the last page
    const add = async (id, name, body) => {
      await itemsPage.getByLabel('Id').fill(id);
      await itemsPage.getByLabel('Name').fill(name);
      await itemsPage.getByLabel('Body (optional)').fill(body);
      await itemsPage.getByRole('button', { name: 'Add' }).click();
    };
    // The form's fields hold want (React resets a form after its action: wait for that first).
    const fieldsHold = async (want) => {
      await itemsPage.waitForFunction((want) => ['id', 'name', 'body'].every((name, i) => document.querySelector(`form [name="${name}"]`)?.value === want[i]),
        want, { timeout: 5000 }).catch(() => undefined);
      assert.deepEqual(await Promise.all(['Id', 'Name', 'Body (optional)'].map((label) => itemsPage.getByLabel(label).inputValue())), want);
    };
    await add('i1', 'again', 'kept');
    await itemsPage.getByRole('status').getByText('id "i1" is already used by another of your items: choose another id').waitFor({ timeout: 15000 });
    await fieldsHold(['i1', 'again', 'kept']); // refused: what was typed stays, to fix the id
    await add('i3', 'third', 'hello');
    await itemsPage.getByRole('status').getByText('Added.').waitFor({ timeout: 15000 });
    await fieldsHold(['', '', '']); // added: the form is empty for the next
    const idToken = itemsPage.idToken;
    assert.deepEqual(invokedSince(mark), [
      { action: 'list' }, { action: 'list', next: 'cGFnZTI' }, { action: 'put', id: 'i1', name: 'again', body: 'kept' },
      { action: 'put', id: 'i3', name: 'third', body: 'hello' }, { action: 'list' },
    ].map((payload) => [serverEnv.ASSET_FUNCTION_NAME, { ...payload, idToken }]));
    noStore(answers);
    await itemsPage.screenshot({ path: join(shots, 'items-signed-in.png'), fullPage: true });
    await itemsPage.close();
  });
  // The tokens page's session goes on to the home and feedback pages (the header's links), then signs out.
  let tokensPage;
  await check('the tokens page pages with More, says how soon a revoke takes effect, and shows the cap on active tokens, through the token service with the session\'s token', async () => {
    tokensPage = await signedIn();
    const answers = actionAnswers(tokensPage);
    const token = (c, extra = {}) => ({ id: c.repeat(64), scopes: ['read'], created: 1700000000, expiresAt: 1702592000, revoked: false, expired: false, ...extra });
    const mark = aws.calls.length;
    aws.answer = (_name, payload) => {
      if (payload.action === 'list') {
        return payload.next === 'cGFnZTI' ? { tokens: [token('c')] } : { tokens: [token('a'), token('b', { expired: true })], next: 'cGFnZTI' };
      }
      if (payload.action === 'issue') return { error: { code: 'conflict', message: 'you hold 20 active tokens, the most allowed: revoke one first' } };
      const id = payload.tokenId;
      return { revoked: id === 'a'.repeat(64) ? { id, flushed: true, effectiveWithinSeconds: 0 } : { id, flushed: false, effectiveWithinSeconds: 60 } };
    };
    await tokensPage.goto(`${base}/tokens`);
    await tokens.content(tokensPage).waitFor({ timeout: 15000 });
    await assertLayout(tokensPage, tokens, 'someone@example.com');
    await tokensPage.getByText('A revoke takes effect within seconds').waitFor();
    await tokensPage.getByRole('button', { name: 'Revoke' }).waitFor({ timeout: 15000 });
    assert.equal(await tokensPage.getByRole('button', { name: 'Revoke' }).count(), 1); // b has expired
    await tokensPage.getByRole('button', { name: 'More' }).click();
    await tokensPage.getByRole('button', { name: 'Revoke' }).nth(1).waitFor();
    assert.equal(await tokensPage.getByRole('button', { name: 'More' }).count(), 0); // the last page
    await tokensPage.getByRole('button', { name: 'Revoke' }).first().click();
    await tokensPage.getByText('Revoked: API Gateway refuses it now').waitFor();
    await tokensPage.getByRole('button', { name: 'Revoke' }).click(); // c's, the one left
    await tokensPage.getByText('Revoked: API Gateway may accept it for up to 60 s more').waitFor();
    await tokensPage.getByRole('button', { name: 'Issue a read token' }).click();
    await tokensPage.getByRole('alert').getByText('you hold 20 active tokens, the most allowed: revoke one first').waitFor();
    const idToken = tokensPage.idToken;
    assert.deepEqual(invokedSince(mark), [
      { action: 'list' }, { action: 'list', next: 'cGFnZTI' }, { action: 'revoke', tokenId: 'a'.repeat(64) }, { action: 'revoke', tokenId: 'c'.repeat(64) },
      { action: 'issue', scopes: ['read'] },
    ].map((payload) => [serverEnv.TOKEN_SERVICE_FUNCTION_NAME, { ...payload, idToken }]));
    noStore(answers);
    await tokensPage.screenshot({ path: join(shots, 'tokens-signed-in.png'), fullPage: true });
  });
  await check('the session gone (its cookies cleared), the tokens page\'s action answers 401 in words and sends nothing', async () => {
    const mark = aws.calls.length;
    await tokensPage.context().clearCookies();
    await tokensPage.getByRole('button', { name: 'Issue a read token' }).click();
    await tokensPage.getByRole('alert').getByText('Sign in to see and change your tokens: your session has ended or could not be verified.').waitFor({ timeout: 15000 });
    assert.deepEqual(aws.calls.slice(mark), []);
  });
  await check('home and feedback signed in: the header names the user; the server checks the session itself and answers in words, not SDK names', async () => {
    const signedInPage = tokensPage;
    // The session's tokens now forged: signed by another key under the pool's kid.
    await signedInPage.context().addCookies(sessionCookies({ forged: true }).map(([name, value]) => ({ name, value, url: base })));
    await signedInPage.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Home' }).click();
    await signedInPage.waitForURL(`${base}/`);
    await assertLayout(signedInPage, home, 'someone@example.com');
    await signedInPage.screenshot({ path: join(shots, 'home-signed-in.png'), fullPage: true });
    await signedInPage.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Feedback' }).click();
    await feedback.content(signedInPage).fill('The gallery is great.');
    await assertLayout(signedInPage, feedback, 'someone@example.com');
    await signedInPage.getByRole('button', { name: 'Send' }).click();
    // The forged tokens are not the user pool's: the server's own check of the session (the
    // adapter verifies the ID token against the pool's keys) fails, and nothing is published.
    await signedInPage.getByRole('status').getByText('Sign in to send feedback: your session has ended or could not be verified.').waitFor({ timeout: 15000 });
    // Refused, the message stays (React resets a form after its action: wait for that first).
    await signedInPage.waitForFunction(() => document.querySelector('form [name="message"]')?.value === 'The gallery is great.', undefined, { timeout: 5000 }).catch(() => undefined);
    assert.equal(await feedback.content(signedInPage).inputValue(), 'The gallery is great.');
    assert.doesNotMatch(await signedInPage.getByRole('main').innerText(), /Exception|Error|arn:|FEEDBACK_TOPIC_ARN/);
    await signedInPage.screenshot({ path: join(shots, 'feedback-signed-in.png'), fullPage: true });
  });
  await check('Sign out in the header: the session\'s cookies go, and the page asks for a sign-in again', async () => {
    await tokensPage.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
    await tokensPage.getByRole('banner').getByText('Not signed in').waitFor({ timeout: 15000 });
    await tokensPage.getByLabel('Email').waitFor({ timeout: 15000 });
    assert.equal(await feedback.content(tokensPage).count(), 0);
    assert.deepEqual((await tokensPage.context().cookies()).filter((c) => c.name.startsWith('CognitoIdentityServiceProvider.') && /Token$/.test(c.name)), []);
    await tokensPage.close();
  });
  await check('make web-preview\'s banner shows on a page of the preview (GATEHOUSE_PREVIEW=fixture); no page of this run has one', async () => {
    await previewReady;
    const previewPage = await browser.newPage();
    watch(previewPage);
    await previewPage.route((url) => !url.href.startsWith(previewBase), (route) => route.abort());
    await previewPage.goto(`${previewBase}/feedback`);
    const banner = previewPage.getByRole('note', { name: 'Preview' });
    await banner.getByText('Preview on the test fixture').waitFor({ timeout: 15000 });
    assert.match(await banner.innerText(), /Sign-in and every AWS call .* cannot work offline/);
    await previewPage.screenshot({ path: join(shots, 'preview.png'), fullPage: true });
    await previewPage.close();
  });
  await check('no page broke a rule of its Content-Security-Policy', async () => {
    assert.deepEqual(violations, []);
  });
  await check('the server reached AWS only through the role chain: the trust role assumed with its own credentials, the asset functions invoked with the trust role\'s, never naming an owner', async () => {
    const assumed = aws.calls.filter((c) => c.service === 'sts');
    assert.ok(assumed.length > 0, 'the trust role was never assumed');
    for (const call of assumed) {
      assert.deepEqual(call, { service: 'sts', key: runtimeKey, roleArn: serverEnv.TRUST_ROLE_ARN, roleSessionName: serverEnv.ROLE_SESSION_NAME, durationSeconds: Number(serverEnv.SESSION_DURATION_SECONDS) });
    }
    const functions = [serverEnv.ASSET_FUNCTION_NAME, serverEnv.TOKEN_SERVICE_FUNCTION_NAME, serverEnv.SIGNER_FUNCTION_NAME];
    const invoked = aws.calls.filter((c) => c.service === 'lambda');
    assert.deepEqual([...new Set(invoked.map((c) => c.functionName))].sort(), [...functions].sort());
    for (const call of invoked) {
      assert.equal(call.key, trustRoleKey, `${call.functionName} invoked without the trust role's credentials`);
      assert.ok(!('owner' in call.payload), `${call.functionName} was told an owner: ${JSON.stringify(call.payload)}`);
      const [, claims] = call.payload.idToken.split('.');
      assert.equal(JSON.parse(Buffer.from(claims, 'base64url').toString()).sub, user);
    }
    assert.deepEqual(aws.calls.filter((c) => c.service === 'unknown'), []);
    // Only the pool's keys and the identity pool were asked for; nothing else left through the proxy.
    assert.ok(cognitoPool.reached.includes('jwks'), `the server never read the pool's keys: ${cognitoPool.reached}`);
    assert.deepEqual(cognitoPool.refused, []);
  });
} finally {
  await browser?.close();
  server.kill();
  preview.process.kill();
  cognitoPool.close();
  aws.close();
}
console.log(checks.join('\n'));
if (checks.some((c) => c.startsWith('FAIL'))) {
  console.log(main.log.split('\n').slice(-20).join('\n'));
  process.exit(1);
}
