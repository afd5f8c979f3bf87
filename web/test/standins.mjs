// The AWS services the Next server talks to in the browser test, on loopback, so that the server
// actions run for real (the calls happen on the server, where the browser cannot intercept them):
//
// - Cognito (cognitoStandIn): the user pool's published keys (JWKS) and the identity pool
//   (GetId, GetCredentialsForIdentity), at their real https://cognito-*.<region>.amazonaws.com
//   addresses, through an HTTPS proxy on loopback (the server's HTTPS_PROXY with Node's
//   NODE_USE_ENV_PROXY) that answers CONNECT for those two hosts alone with a certificate made
//   here (the server's NODE_EXTRA_CA_CERTS) and refuses every other host. The pool's keys are
//   test/testdata/cognito-standin-keys.pem's (those of test/calls' Cognito stand-in): the first
//   signs the pool's tokens, the second forges them under the same kid. Amplify's server side
//   (aws-jwt-verify) checks the session's tokens against this JWKS as against the pool's.
// - STS and Lambda (awsStandIn): the endpoints the SDK takes from AWS_ENDPOINT_URL_STS and
//   AWS_ENDPOINT_URL_LAMBDA. AssumeRole answers the trust role's session; Invoke answers for the
//   asset functions with what the test's answer(functionName, payload) returns. Every call is
//   recorded with the access key it was signed with, so the test asserts what the server sent:
//   which role, which function, whose token, which payload.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHTTPSServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const bodyOf = (request) => new Promise((resolve, reject) => {
  const chunks = [];
  request.on('data', (c) => chunks.push(c));
  request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  request.on('error', reject);
});

/** The n-th RSA key of test/testdata/cognito-standin-keys.pem. */
function standInKey(n) {
  const pem = readFileSync(join(import.meta.dirname, '..', '..', 'test', 'testdata', 'cognito-standin-keys.pem'), 'utf8');
  const keys = pem.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/g) ?? [];
  if (!keys[n]) throw new Error(`test/testdata/cognito-standin-keys.pem has no key ${n}`);
  return createPrivateKey(keys[n]);
}

const base64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/**
 * The Cognito stand-in for the user pool and identity pool of outputs (amplify_outputs.json).
 * env: what the Next server needs to reach it. token(claims, { forged }): a JWT signed with the
 * pool's key (or, forged, another key under the same kid). reached: the requests it answered;
 * refused: the hosts it would not connect.
 */
export async function cognitoStandIn(outputs) {
  const { aws_region: region, user_pool_id: pool } = outputs.auth;
  const hosts = [`cognito-idp.${region}.amazonaws.com`, `cognito-identity.${region}.amazonaws.com`];
  const kid = 'pool-key-1';
  const poolKey = standInKey(0);
  const forger = standInKey(1);
  const jwks = { keys: [{ ...createPublicKey(poolKey).export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
  // A certificate for the two hosts, which the server trusts (NODE_EXTRA_CA_CERTS); openssl makes it.
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-browser-'));
  const [keyFile, certFile] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-keyout', keyFile, '-out', certFile, '-subj', '/CN=gatehouse browser test Cognito stand-in',
      '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`openssl could not make the Cognito stand-in's certificate (apt-get install -y openssl): ${err.message}`);
  }
  const reached = [];
  const refused = [];
  const identityId = `${region}:11111111-aaaa-4aaa-8aaa-111111111111`;
  const tls = createHTTPSServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, async (request, response) => {
    const host = request.headers.host?.split(':')[0];
    const body = await bodyOf(request);
    if (host === hosts[0] && request.method === 'GET' && request.url === `/${pool}/.well-known/jwks.json`) {
      reached.push('jwks');
      response.writeHead(200, { 'Content-Type': 'application/json' });
      return response.end(JSON.stringify(jwks));
    }
    const target = String(request.headers['x-amz-target'] ?? '').split('.').pop();
    if (host === hosts[1] && (target === 'GetId' || target === 'GetCredentialsForIdentity')) {
      reached.push(target);
      response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
      return response.end(JSON.stringify(target === 'GetId' ? { IdentityId: identityId } : { IdentityId: identityId, Credentials: {
        AccessKeyId: 'ASIAIDENTITYSTANDIN', SecretKey: 'secret', SessionToken: 'session', Expiration: Math.floor(Date.now() / 1000) + 3600 } }));
    }
    refused.push(`${request.method} https://${host}${request.url} ${body.slice(0, 100)}`);
    response.writeHead(400, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ __type: 'NotAuthorizedException', message: 'the test stand-in does not answer this' }));
  });
  const proxy = createServer((request, response) => {
    refused.push(`${request.method} ${request.url} (plain HTTP through the proxy)`);
    response.writeHead(403).end();
  });
  proxy.on('connect', (request, socket, head) => {
    const [host, port] = request.url.split(':');
    if (!hosts.includes(host) || port !== '443') {
      refused.push(`CONNECT ${request.url}`);
      return socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length > 0) socket.unshift(head);
    tls.emit('connection', socket);
  });
  const proxyPort = await listen(proxy);
  const issuer = `https://${hosts[0]}/${pool}`;
  return {
    issuer,
    identityId,
    reached,
    refused,
    env: { NODE_USE_ENV_PROXY: '1', HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: '127.0.0.1,localhost', NODE_EXTRA_CA_CERTS: certFile },
    token(claims, { forged = false } = {}) {
      const unsigned = `${base64url({ alg: 'RS256', kid, typ: 'JWT' })}.${base64url({ iss: issuer, ...claims })}`;
      return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), forged ? forger : poolKey).toString('base64url')}`;
    },
    close() {
      proxy.close();
      tls.close();
    },
  };
}

// The access keys the server signs with: its own (the runtime's, from the environment), and the
// trust role's session, which AssumeRole hands out.
export const runtimeKey = 'AKIARUNTIMESTANDIN';
export const trustRoleKey = 'ASIATRUSTROLESTANDIN';
const signedWith = (request) => /Credential=([A-Z0-9]+)\//.exec(request.headers.authorization ?? '')?.[1];

/**
 * The STS and Lambda stand-in. calls: every request, as { service, key, ... }; answer: set by the
 * test, (functionName, payload) => the function's answer (an object, sent as JSON).
 */
export async function awsStandIn() {
  const standIn = {
    calls: [],
    answer: (functionName) => ({ error: { code: 'internal', message: `the test gave no answer for ${functionName}` } }),
  };
  const server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    const key = signedWith(request);
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.url ?? '');
    if (invoke) {
      const functionName = decodeURIComponent(invoke[1]);
      let payload;
      try {
        payload = JSON.parse(body);
      } catch {
        payload = body;
      }
      standIn.calls.push({ service: 'lambda', key, functionName, payload });
      response.writeHead(200, { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': '$LATEST' });
      return response.end(JSON.stringify(standIn.answer(functionName, payload)));
    }
    const params = new URLSearchParams(body);
    if (request.method === 'POST' && params.get('Action') === 'AssumeRole') {
      standIn.calls.push({ service: 'sts', key, roleArn: params.get('RoleArn'), roleSessionName: params.get('RoleSessionName'), durationSeconds: Number(params.get('DurationSeconds')) });
      const expires = new Date(Date.now() + 1800_000).toISOString();
      response.writeHead(200, { 'Content-Type': 'text/xml' });
      return response.end(`<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>${trustRoleKey}</AccessKeyId><SecretAccessKey>trust-secret</SecretAccessKey><SessionToken>trust-session</SessionToken><Expiration>${expires}</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/TrustRole/${params.get('RoleSessionName')}</Arn><AssumedRoleId>AROASTANDIN:${params.get('RoleSessionName')}</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>standin</RequestId></ResponseMetadata></AssumeRoleResponse>`);
    }
    standIn.calls.push({ service: 'unknown', key, method: request.method, url: request.url, body: body.slice(0, 200) });
    response.writeHead(400, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ message: 'the test stand-in does not answer this' }));
  });
  const port = await listen(server);
  const endpoint = `http://127.0.0.1:${port}`;
  standIn.env = {
    AWS_ENDPOINT_URL_STS: endpoint, AWS_ENDPOINT_URL_LAMBDA: endpoint,
    AWS_ACCESS_KEY_ID: runtimeKey, AWS_SECRET_ACCESS_KEY: 'runtime-secret', AWS_SESSION_TOKEN: '', AWS_PROFILE: '', AWS_EC2_METADATA_DISABLED: 'true',
  };
  standIn.close = () => server.close();
  return standIn;
}
