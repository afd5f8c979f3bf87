// The server's answers: what an answer is (HttpResult: a status and a JSON body), the answers the
// asset functions' refusals and failures become (refusal, upstream), how a server action puts one
// into words for the page (inWords), a list's page position (pageQuery), and the check the proxy
// makes on every request that is not a GET before anything else (fromOwnPages).
import 'server-only';
import type { AssetError } from './assets';

/** What an answer of ours is: a status and a JSON body. */
export interface HttpResult {
  status: number;
  body: unknown;
}

export function invalid(field: string, message: string): HttpResult {
  return { status: 400, body: { error: { code: 'invalid', field, message } } };
}

export const unauthorized: HttpResult = { status: 401, body: { error: { code: 'unauthorized', message: 'sign in first' } } };

/** An asset function that failed or could not be reached: 502, with what happened (for the log). */
export function upstream(message: string): HttpResult {
  return { status: 502, body: { error: { code: 'upstream', message } } };
}

/** An asset function's refusal as an answer: its code's status, its error as the body. */
export function refusal(error: AssetError): HttpResult {
  const status = { invalid: 400, unauthorized: 401, not_found: 404, conflict: 409, not_configured: 503 }[error.code] ?? 502;
  return { status, body: { error } };
}

/** What a server action answers its page: the status, and what the page says, in words. */
export interface Answer {
  status: number;
  /** Empty when the action did what was asked (the page says so in its own words). */
  message: string;
}

/** Whom a server action acts through, for its words: e.g. { to: 'see your tokens', service: 'The token service' }. */
export interface Wording {
  /** What signing in lets the visitor do here: "Sign in to <to>: …". */
  to: string;
  /** The service, as the page's visitor knows it. */
  service: string;
}

/**
 * A result as a server action answers it: 2xx with no message; 401 "Sign in to …"; a function
 * that failed or could not be reached, or is not deployed here, in the page's words, the detail
 * (an SDK error's name, a variable) in the server's log only; a refusal (400, 404, 409) in its
 * own words, which name the field.
 */
export function inWords(result: HttpResult, wording: Wording): Answer {
  const { status } = result;
  if (status < 300) return { status, message: '' };
  const error = (result.body as { error?: { code?: string; field?: string; message?: string } }).error ?? {};
  if (status === 401) return { status, message: `Sign in to ${wording.to}: your session has ended or could not be verified.` };
  if (status === 502 || (status === 503 && error.code === 'not_configured')) {
    console.error(`${wording.service}: ${status} ${error.code}: ${error.message}`);
    const message = status === 502 ? 'could not be reached just now. Please try again later.' : 'is not available in this environment.';
    return { status, message: `${wording.service} ${message}` };
  }
  const text = error.message ?? 'was refused';
  return { status, message: error.field && !text.startsWith(error.field) ? `${error.field}: ${text}` : text };
}

/** A list's page as an action answers it: its rows under key, and the following page's cursor. */
export type ListPage<K extends string, T> = Answer & { [key in K]?: T[] } & {
  /** Absent on the last page. */
  next?: string;
};

/** A list result as an action answers it (inWords), with its rows under key on success. */
export function listInWords<K extends string, T>(result: HttpResult, wording: Wording, key: K): ListPage<K, T> {
  const answer = inWords(result, wording);
  if (answer.message) return answer as ListPage<K, T>;
  const body = result.body as { next?: string } & Record<string, unknown>;
  return { ...answer, [key]: (body[key] as T[] | undefined) ?? [], ...(body.next === undefined ? {} : { next: body.next }) } as ListPage<K, T>;
}

/** A list page's position: the limit and the previous page's next, both optional. */
export interface PageQuery {
  limit?: number;
  next?: string;
}

/**
 * A list's page as a server action receives it (from the browser: anything): undefined for the
 * first page, or {limit?, next?} with limit a whole number from 1 to 100 and next the opaque
 * cursor a previous page answered (base64url, at most 1024 characters). Anything else is a 400
 * naming it.
 */
export function pageQuery(page: unknown): { ok: true; query: PageQuery } | { ok: false; answer: HttpResult } {
  if (page === undefined) return { ok: true, query: {} };
  if (typeof page !== 'object' || page === null || Array.isArray(page)) return { ok: false, answer: invalid('page', 'must be {"limit"?, "next"?}') };
  const query: PageQuery = {};
  for (const [name, value] of Object.entries(page)) {
    if (name === 'limit') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100) return { ok: false, answer: invalid('limit', 'must be a whole number from 1 to 100') };
      query.limit = value;
    } else if (name === 'next') {
      if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,1024}$/.test(value)) return { ok: false, answer: invalid('next', 'must be the next value of the previous page, as the list answered it') };
      query.next = value;
    } else {
      return { ok: false, answer: invalid(name, 'unknown field; allowed: limit, next') };
    }
  }
  return { ok: true, query };
}

/** A refusal of the proxy's check: 403, naming the header. */
export interface Refused {
  status: 403;
  body: { error: { code: 'forbidden'; field: string; message: string } };
}

const forbidden = (field: string, message: string): Refused => ({ status: 403, body: { error: { code: 'forbidden', field, message } } });

/**
 * The proxy's check of every request that is not a GET or HEAD (a server action is a POST to a
 * page), before the session or the configuration is read: the browser must say it comes from the
 * app's own pages. Sec-Fetch-Site, when sent, must be same-origin; Origin must be sent (every
 * browser sends it with a POST). Next then checks that Origin names this host (what it does for
 * every server action: x-forwarded-host, else Host). Cross-site forms and fetches, which carry
 * the session's cookies, stop at one or the other.
 */
export function fromOwnPages(headers: Headers): Refused | undefined {
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin') {
    return forbidden('Sec-Fetch-Site', `${JSON.stringify(site)} is not allowed: only the app's own pages (same-origin) may send this request`);
  }
  if (headers.get('origin') === null) return forbidden('Origin', "is missing: only the app's own pages may send this request");
  return undefined;
}
