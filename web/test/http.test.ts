// The requests a server action answers: the proxy refuses every request but a GET or HEAD that
// does not come from the app's own pages, before anything else (lib/http.ts fromOwnPages), with
// an answer nothing stores; Next's own check of the Origin is left as Next ships it (no origin
// added by the configuration). And how an action puts a result into words (inWords).
import { NextRequest } from 'next/server';
import { describe, expect, it, vi } from 'vitest';

import { fromOwnPages, inWords } from '../lib/http';
import nextConfig from '../next.config';
import { proxy } from '../proxy';

const app = 'http://127.0.0.1:3000';
// What Chromium sends with the page's own server action: Origin and Sec-Fetch-Site.
const own = { Origin: app, 'Sec-Fetch-Site': 'same-origin' };
const forbidden = (field: string, message: string) => ({ status: 403, body: { error: { code: 'forbidden', field, message } } });

describe('fromOwnPages', () => {
  it('lets the app\'s own pages through, and a browser that sends no Sec-Fetch-Site', () => {
    expect(fromOwnPages(new Headers(own))).toBeUndefined();
    expect(fromOwnPages(new Headers({ Origin: 'https://main.d1abc.amplifyapp.com' }))).toBeUndefined();
  });
  it('403: another site, by Sec-Fetch-Site, whatever the Origin says', () => {
    for (const site of ['cross-site', 'same-site', 'none']) {
      expect(fromOwnPages(new Headers({ ...own, 'Sec-Fetch-Site': site }))).toEqual(
        forbidden('Sec-Fetch-Site', `"${site}" is not allowed: only the app's own pages (same-origin) may send this request`));
    }
  });
  it('403: no Origin (Next would only warn)', () => {
    expect(fromOwnPages(new Headers({ 'Sec-Fetch-Site': 'same-origin' }))).toEqual(forbidden('Origin', "is missing: only the app's own pages may send this request"));
    expect(fromOwnPages(new Headers())).toEqual(forbidden('Origin', "is missing: only the app's own pages may send this request"));
  });
});

describe('the proxy', () => {
  const send = (method: string, headers: Record<string, string>, path = '/tokens') => proxy(new NextRequest(`${app}${path}`, { method, headers }));
  it('refuses a foreign POST, PUT, PATCH, DELETE or OPTIONS with 403 that nothing stores, prefetch or not', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const foreign: Record<string, string>[] = [{ ...own, 'Sec-Fetch-Site': 'cross-site' }, { 'Next-Action': 'x' }, { ...own, 'Sec-Fetch-Site': 'same-site', 'Next-Router-Prefetch': '1' }];
      for (const headers of foreign) {
        const answer = send(method, headers);
        expect(answer.status, `${method} ${JSON.stringify(headers)}`).toBe(403);
        expect(answer.headers.get('Cache-Control')).toBe('no-store');
        expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      }
    }
  });
  it('passes the app\'s own action on to Next, and a GET with the page\'s policy and nonce', () => {
    const action = send('POST', { ...own, 'Next-Action': 'x' });
    expect(action.status).toBe(200);
    expect(action.headers.get('x-middleware-next')).toBe('1');
    const page = send('GET', {});
    expect(page.headers.get('x-middleware-next')).toBe('1');
    expect(page.headers.get('Content-Security-Policy')).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    // A prefetch's answer is not a document: no nonce (next.config.ts's policy).
    expect(send('GET', { 'Next-Router-Prefetch': '1' }).headers.get('Content-Security-Policy')).toBeNull();
  });
});

describe('Next\'s own check of a server action\'s Origin', () => {
  it('is left as Next ships it: no origin besides the host is allowed', () => {
    expect((nextConfig as Record<string, unknown>).serverActions).toBeUndefined();
    expect(nextConfig.experimental?.serverActions).toBeUndefined();
  });
});

describe('inWords', () => {
  const wording = { to: 'see your tokens', service: 'The token service' };
  it('says nothing when the action did what was asked', () => {
    expect(inWords({ status: 200, body: { tokens: [] } }, wording)).toEqual({ status: 200, message: '' });
    expect(inWords({ status: 201, body: {} }, wording)).toEqual({ status: 201, message: '' });
  });
  it('asks for a sign-in on a 401, whatever the function said', () => {
    expect(inWords({ status: 401, body: { error: { code: 'unauthorized', message: 'the ID token has expired' } } }, wording)).toEqual({
      status: 401, message: 'Sign in to see your tokens: your session has ended or could not be verified.',
    });
  });
  it('keeps a failure\'s detail (an SDK error\'s name, a variable) in the server\'s log, not the page', () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const failed = inWords({ status: 502, body: { error: { code: 'upstream', message: 'the function could not be invoked (AccessDeniedException)' } } }, wording);
      expect(failed).toEqual({ status: 502, message: 'The token service could not be reached just now. Please try again later.' });
      const absent = inWords({ status: 503, body: { error: { code: 'not_configured', message: 'TOKEN_SERVICE_FUNCTION_NAME is not set: this environment has no token API' } } }, wording);
      expect(absent).toEqual({ status: 503, message: 'The token service is not available in this environment.' });
      expect(logged.mock.calls).toEqual([
        ['The token service: 502 upstream: the function could not be invoked (AccessDeniedException)'],
        ['The token service: 503 not_configured: TOKEN_SERVICE_FUNCTION_NAME is not set: this environment has no token API'],
      ]);
    } finally {
      logged.mockRestore();
    }
  });
  it('passes a refusal\'s own words on, naming the field', () => {
    const cap = 'you hold 20 active tokens, the most allowed: revoke one first';
    expect(inWords({ status: 409, body: { error: { code: 'conflict', message: cap } } }, wording)).toEqual({ status: 409, message: cap });
    expect(inWords({ status: 400, body: { error: { code: 'invalid', field: 'tokenId', message: "must be a token's id as the list shows it" } } }, wording))
      .toEqual({ status: 400, message: "tokenId: must be a token's id as the list shows it" });
    expect(inWords({ status: 400, body: { error: { code: 'invalid', field: 'name', message: 'name is required: it must be 1 to 200 printable characters.' } } }, wording))
      .toEqual({ status: 400, message: 'name is required: it must be 1 to 200 printable characters.' });
    expect(inWords({ status: 503, body: { error: { code: 'unavailable', message: 'the images could not be signed just now; try again in a few seconds' } } }, wording))
      .toEqual({ status: 503, message: 'the images could not be signed just now; try again in a few seconds' });
  });
});
