// Route handlers' HTTP: what an answer is (HttpResult) and how it is sent (respond: JSON, never
// cached), the answers the asset functions' refusals and failures become (refusal, upstream),
// the checks every mutating route makes before anything else (mutationBody), and a list route's
// page query (pageQuery).
import 'server-only';
import { NextResponse } from 'next/server';
import { apiCacheControl } from '../response-headers';
import type { AssetError } from './assets';

/** What an HTTP answer of ours is: a status, a JSON body and any headers of its own. */
export interface HttpResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function invalid(field: string, message: string): HttpResult {
  return { status: 400, body: { error: { code: 'invalid', field, message } } };
}

export const unauthorized: HttpResult = { status: 401, body: { error: { code: 'unauthorized', message: 'sign in first' } } };

/** An asset function that failed or could not be reached: 502, with what happened. */
export function upstream(message: string): HttpResult {
  return { status: 502, body: { error: { code: 'upstream', message } } };
}

/** An asset function's refusal as an HTTP answer: its code's status, its error as the body. */
export function refusal(error: AssetError): HttpResult {
  const status = { invalid: 400, unauthorized: 401, not_found: 404, conflict: 409, not_configured: 503 }[error.code] ?? 502;
  return { status, body: { error } };
}

/** Sends result as JSON; no API answer may be stored by the browser or a cache in between. */
export function respond(result: HttpResult): NextResponse {
  return NextResponse.json(result.body, { status: result.status, headers: { ...result.headers, 'Cache-Control': apiCacheControl } });
}

const refuse = (status: 403 | 415, code: string, field: string, message: string): HttpResult =>
  ({ status, body: { error: { code, field, message } } });

// A page of this app on this host: what the browser says a request comes from.
function foreign(request: Request): HttpResult | undefined {
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') {
    return refuse(403, 'forbidden', 'Sec-Fetch-Site', `${JSON.stringify(site)} is not allowed: only the app's own pages (same-origin) may send this request`);
  }
  const origin = request.headers.get('origin');
  if (origin === null) return refuse(403, 'forbidden', 'Origin', "is missing: only the app's own pages may send this request");
  // The host the browser asked for: a proxy in front (Amplify Hosting, CloudFront) names it in
  // X-Forwarded-Host. A cross-site page cannot set that header: it would need a CORS preflight,
  // which nothing here answers. The host, not the scheme, is compared (as Next does for server
  // actions): TLS ends before this server, so its own idea of the scheme is not the browser's.
  const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() || request.headers.get('host');
  let originHost: string | undefined;
  try {
    originHost = new URL(origin).host;
  } catch {
    originHost = undefined; // "null" (a sandboxed or file page) and anything else unparsable
  }
  if (!originHost || !host || originHost !== host.toLowerCase()) {
    return refuse(403, 'forbidden', 'Origin', `${JSON.stringify(origin)} is not allowed: only the app's own pages (${host ?? 'this host'}) may send this request`);
  }
  return undefined;
}

const jsonType = /^application\/json\s*(;|$)/i;

/**
 * The checks every mutating route (POST, PUT, PATCH, DELETE) makes before anything else, then its
 * JSON body:
 * - 403 unless it comes from the app's own pages: Origin on this host, and Sec-Fetch-Site
 *   same-origin when the browser sends it. Cross-site forms and fetches, which carry the session
 *   cookies, stop here.
 * - 415 unless a body is declared application/json: a cross-site page can send text/plain, a
 *   form's encodings and multipart without asking (no CORS preflight), never application/json.
 *   A DELETE may come without a body (body undefined): a DELETE is never sent cross-site without
 *   a preflight, and an HTML form cannot send one, so a content type would add nothing; one that
 *   comes with a body is held to the same rule.
 * - 400 naming "body" when the body is not JSON.
 */
export async function mutationBody(request: Request): Promise<{ ok: true; body: unknown } | { ok: false; answer: HttpResult }> {
  const refused = foreign(request);
  if (refused) return { ok: false, answer: refused };
  const length = request.headers.get('content-length');
  const hasBody = request.method !== 'DELETE' || request.headers.has('transfer-encoding') || (length !== null && length !== '0');
  if (!hasBody) return { ok: true, body: undefined };
  const type = request.headers.get('content-type');
  if (type === null || !jsonType.test(type)) {
    const sent = type === null ? 'is missing' : `${JSON.stringify(type)} is not allowed`;
    return { ok: false, answer: refuse(415, 'unsupported_media_type', 'Content-Type', `${sent}: send application/json`) };
  }
  try {
    return { ok: true, body: await request.json() };
  } catch {
    return { ok: false, answer: invalid('body', 'must be JSON') };
  }
}

/** A list page's position: the limit and the previous page's next, both optional. */
export interface PageQuery {
  limit?: number;
  next?: string;
}

/**
 * ?limit=&next= of a list route: limit a whole number from 1 to 100; next the opaque cursor a
 * previous page answered (base64url, at most 1024 characters). Anything else is a 400 naming it.
 */
export function pageQuery(params: URLSearchParams): { ok: true; query: PageQuery } | { ok: false; answer: HttpResult } {
  const query: PageQuery = {};
  for (const [name, value] of params) {
    if (name === 'limit') {
      if (!/^[1-9]\d{0,2}$/.test(value) || Number(value) > 100) return { ok: false, answer: invalid('limit', 'must be a whole number from 1 to 100') };
      query.limit = Number(value);
    } else if (name === 'next') {
      if (!/^[A-Za-z0-9_-]{1,1024}$/.test(value)) return { ok: false, answer: invalid('next', 'must be the next value of the previous page, as the list answered it') };
      query.next = value;
    } else {
      return { ok: false, answer: invalid(name, 'unknown query parameter; allowed: limit, next') };
    }
  }
  return { ok: true, query };
}
