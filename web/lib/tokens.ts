// API tokens: issued, listed and revoked by the token service, through the role chain, for the
// signed-in caller only, whom the service derives from the session's ID token.
import 'server-only';
import { callAsSignedInUser, type AssetCall, type AssetError } from './assets';
import { invalid, pageQuery, unauthorized, type HttpResult } from './http';

/** A token as list shows it (never the token itself). */
export interface TokenInfo {
  id: string;
  scopes: string[];
  created: number;
  expiresAt: number;
  revoked: boolean;
  expired: boolean;
}

/** revoke's answer: flushed, API Gateway refuses the token now; else within effectiveWithinSeconds. */
export interface Revoked {
  id: string;
  flushed: boolean;
  effectiveWithinSeconds: number;
}

/**
 * The token service's answers: issue {token, issued}; list {tokens, next?} (next absent on the
 * last page); revoke {revoked}; or {error} (issue: conflict when the caller holds as many active
 * tokens as allowed, a 409 whose message the page shows).
 */
interface TokensResponse {
  token?: string;
  issued?: TokenInfo;
  tokens?: TokenInfo[];
  next?: string;
  revoked?: Revoked;
  error?: AssetError;
}

/** The token service's call (AssetCall): its function exists only with the token API. */
export type TokensContext = AssetCall;

async function call(ctx: TokensContext, payload: Record<string, unknown>): Promise<HttpResult> {
  const { functionName } = ctx;
  if (!functionName) return { status: 503, body: { error: { code: 'not_configured', message: 'TOKEN_SERVICE_FUNCTION_NAME is not set: this environment has no token API' } } };
  return callAsSignedInUser<TokensResponse>({ ...ctx, functionName }, payload, payload.action === 'issue');
}

/** body: {"scopes": [...], "lifetimeDays"?: n}. The token in the answer is shown once. */
export function issueToken(ctx: TokensContext, body: unknown): Promise<HttpResult> {
  if (!ctx.idToken) return Promise.resolve(unauthorized); // who asks comes before what they ask
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return Promise.resolve(invalid('body', 'must be a JSON object: {"scopes": ["read"], "lifetimeDays": 30}'));
  }
  const { scopes, lifetimeDays, ...rest } = body as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) return Promise.resolve(invalid(extra, 'unknown field; allowed: scopes, lifetimeDays'));
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === 'string')) {
    return Promise.resolve(invalid('scopes', 'must be a list of scope names, e.g. ["read"]'));
  }
  if (lifetimeDays !== undefined && (typeof lifetimeDays !== 'number' || !Number.isInteger(lifetimeDays))) {
    return Promise.resolve(invalid('lifetimeDays', 'must be a whole number of days'));
  }
  return call(ctx, { action: 'issue', scopes, ...(lifetimeDays === undefined ? {} : { lifetimeDays }) });
}

/** page: undefined (the first) or {limit?, next?} (lib/http.ts pageQuery), passed on to the service. */
export function listTokens(ctx: TokensContext, page: unknown): Promise<HttpResult> {
  if (!ctx.idToken) return Promise.resolve(unauthorized);
  const position = pageQuery(page);
  if (!position.ok) return Promise.resolve(position.answer);
  return call(ctx, { action: 'list', ...position.query });
}

export function revokeToken(ctx: TokensContext, tokenId: unknown): Promise<HttpResult> {
  if (!ctx.idToken) return Promise.resolve(unauthorized);
  if (typeof tokenId !== 'string' || !/^[0-9a-f]{64}$/.test(tokenId)) return Promise.resolve(invalid('tokenId', "must be a token's id as the list shows it"));
  return call(ctx, { action: 'revoke', tokenId });
}

/** The curl a user can copy to call the token API with a token. */
export function curlFor(apiUrl: string, token: string): string {
  return `curl -H "Authorization: Bearer ${token}" "${apiUrl}items?limit=10"`;
}
