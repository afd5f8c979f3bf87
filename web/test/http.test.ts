// lib/http.ts: every API answer is uncached; every mutating route refuses what does not come as
// JSON from the app's own pages — and every mutating route handler under app/api uses that check.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { mutationBody, respond } from '../lib/http';
import { lambdaMock } from './aws-mocks';
import { env } from './fixture';

const app = 'http://127.0.0.1:3000';
const url = `${app}/api/tokens`;
// What Chromium sends with the page's own fetch: Origin, Sec-Fetch-Site, and the Host it asked.
const own = { Host: '127.0.0.1:3000', Origin: app, 'Sec-Fetch-Site': 'same-origin' };
const json = { 'Content-Type': 'application/json' };
// With the Content-Length a body comes with over HTTP (a Request built here has none by itself).
const request = (method: string, headers: Record<string, string>, body?: string) =>
  new Request(url, { method, headers: body === undefined ? headers : { 'Content-Length': String(Buffer.byteLength(body)), ...headers }, body });

describe('respond', () => {
  it('sends JSON that no browser or cache stores, with the answer\'s own headers', async () => {
    const answer = respond({ status: 503, headers: { 'Retry-After': '5' }, body: { error: { code: 'internal', message: 'm' } } });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('Cache-Control')).toBe('no-store');
    expect(answer.headers.get('Retry-After')).toBe('5');
    expect(answer.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(await answer.json()).toEqual({ error: { code: 'internal', message: 'm' } });
    // An answer cannot take no-store away.
    expect(respond({ status: 200, headers: { 'Cache-Control': 'max-age=60' }, body: {} }).headers.get('Cache-Control')).toBe('no-store');
  });
});

describe('mutationBody', () => {
  it('lets the app\'s own JSON through, and a DELETE without a body', async () => {
    expect(await mutationBody(request('POST', { ...own, ...json }, '{"scopes":["read"]}'))).toEqual({ ok: true, body: { scopes: ['read'] } });
    expect(await mutationBody(request('PUT', { ...own, 'Content-Type': 'application/json; charset=utf-8' }, '{"name":"n"}'))).toEqual({ ok: true, body: { name: 'n' } });
    expect(await mutationBody(request('PATCH', { ...own, ...json }, '{}'))).toEqual({ ok: true, body: {} });
    expect(await mutationBody(request('DELETE', own))).toEqual({ ok: true, body: undefined });
    // Behind a proxy the browser's host is X-Forwarded-Host; browsers without Sec-Fetch-Site.
    const proxied = { Host: 'internal:3000', 'X-Forwarded-Host': 'main.d1abc.amplifyapp.com', Origin: 'https://main.d1abc.amplifyapp.com' };
    expect(await mutationBody(request('POST', { ...proxied, ...json }, '{}'))).toEqual({ ok: true, body: {} });
  });

  const refused = async (req: Request) => {
    const out = await mutationBody(req);
    expect(out.ok).toBe(false);
    return out.ok ? undefined : out.answer;
  };
  const forbidden = (field: string, message: string) => ({ status: 403, body: { error: { code: 'forbidden', field, message } } });

  it('403: another site, by Sec-Fetch-Site, whatever the Origin says', async () => {
    for (const site of ['cross-site', 'same-site', 'none']) {
      expect(await refused(request('POST', { ...own, ...json, 'Sec-Fetch-Site': site }, '{}'))).toEqual(
        forbidden('Sec-Fetch-Site', `"${site}" is not allowed: only the app's own pages (same-origin) may send this request`));
    }
  });
  it('403: a foreign, opaque or missing Origin', async () => {
    const noOrigin = { Host: own.Host };
    expect(await refused(request('POST', { ...noOrigin, ...json }, '{}'))).toEqual(
      forbidden('Origin', "is missing: only the app's own pages may send this request"));
    for (const origin of ['http://127.0.0.1:3001', 'https://evil.example', 'null', 'http://127.0.0.1:3000.evil.example']) {
      expect(await refused(request('POST', { ...noOrigin, Origin: origin, ...json }, '{}'))).toEqual(
        forbidden('Origin', `${JSON.stringify(origin)} is not allowed: only the app's own pages (127.0.0.1:3000) may send this request`));
    }
    // Same-origin by Sec-Fetch-Site does not excuse a foreign Origin (both are checked).
    expect((await refused(request('DELETE', { ...own, Origin: 'https://evil.example' })))?.status).toBe(403);
  });
  it('403 comes before 415: a cross-site text/plain POST learns nothing more', async () => {
    expect((await refused(request('POST', { ...own, Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'text/plain' }, '{}')))?.status).toBe(403);
  });
  it('415: a body that is not declared application/json, naming the header and what is allowed', async () => {
    const unsupported = (message: string) => ({ status: 415, body: { error: { code: 'unsupported_media_type', field: 'Content-Type', message } } });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json']) {
      expect(await refused(request('POST', { ...own, 'Content-Type': type }, '{}'))).toEqual(unsupported(`${JSON.stringify(type)} is not allowed: send application/json`));
    }
    // A body without a type (fetch would call a string text/plain).
    expect(await refused(new Request(url, { method: 'PUT', headers: { ...own, 'Content-Length': '2' }, body: new Uint8Array([123, 125]) }))).toEqual(unsupported('is missing: send application/json'));
    // A DELETE that comes with a body is held to the same rule.
    expect((await refused(request('DELETE', { ...own, 'Content-Type': 'text/plain' }, 'x')))?.status).toBe(415);
  });
  it('400 naming "body" for JSON that does not parse', async () => {
    expect(await refused(request('POST', { ...own, ...json }, '{"scopes":'))).toEqual({ status: 400, body: { error: { code: 'invalid', field: 'body', message: 'must be JSON' } } });
  });
});

// Every mutating handler under app/api, found by walking the folder (a new one is checked too):
// a foreign request is refused before the session or the configuration is read, and nothing is
// invoked; the app's own request passes the check (and, with no session here, is a 401).
describe('every mutating route handler', () => {
  const api = join(import.meta.dirname, '..', 'app', 'api');
  const routes = readdirSync(api, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('route.ts')).map((f) => join(api, f));
  const saved = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, env);
  });
  afterAll(() => {
    process.env = saved;
  });

  it('finds the mutating handlers', async () => {
    const found: string[] = [];
    for (const file of routes) {
      const handlers = (await import(file)) as Record<string, unknown>;
      found.push(...['POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => m in handlers).map((m) => `${m} ${relative(api, file)}`));
    }
    expect(found).toEqual(expect.arrayContaining(['PUT items/[id]/route.ts', 'POST tokens/route.ts', 'DELETE tokens/[id]/route.ts']));
  });
  it.each(routes.map((file) => [relative(api, file), file]))('%s', async (_name, file) => {
    const handlers = (await import(file)) as Record<string, unknown>;
    const context = { params: Promise.resolve({ id: 'a'.repeat(64) }) };
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => typeof handlers[m] === 'function')) {
      const handler = handlers[method] as (request: Request, context: unknown) => Promise<Response>;
      const send = async (headers: Record<string, string>) => {
        const answer = await handler(request(method, headers, '{"name":"n","scopes":["read"]}'), context);
        return { status: answer.status, cache: answer.headers.get('Cache-Control'), body: (await answer.json()) as { error: { code: string } } };
      };
      expect(await send({ ...own, Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'text/plain' }), method)
        .toMatchObject({ status: 403, cache: 'no-store', body: { error: { code: 'forbidden' } } });
      expect(await send({ ...own, 'Content-Type': 'text/plain' }), method).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
      expect(await send({ ...own, ...json }), method).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    }
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});
