'use server';
// The tokens page's server actions: list a page of the caller's API tokens, issue a read token
// (shown once), revoke one. Each acts through the role chain (lib/action-call: the trust role's
// client, the token service, the ID token of the server-side session — never a user the browser
// names) and answers in words for the page; the detail of a failure goes to the server's log.
import 'server-only';
import { actionCall } from '@/lib/action-call';
import { serverConfig } from '@/lib/config';
import { inWords, listInWords, type Answer, type HttpResult, type ListPage } from '@/lib/http';
import { curlFor, issueToken, listTokens, revokeToken, type Revoked, type TokenInfo } from '@/lib/tokens';

export type TokensPage = ListPage<'tokens', TokenInfo>;

export type Issued = TokensPage & {
  /** The new token, shown once. */
  token?: string;
  /** A curl that calls the token API with it. */
  curl?: string;
};

export interface Revocation extends Answer {
  revoked?: Revoked;
}

const wording = { to: 'see and change your tokens', service: 'The token service' };
const tokenService = () => actionCall((config) => config.tokenServiceFunctionName);

const pageOf = (result: HttpResult): TokensPage => listInWords<'tokens', TokenInfo>(result, wording, 'tokens');

/** A page of the caller's tokens (never the tokens themselves); next: a previous page's cursor. */
export async function tokensPage(next?: unknown): Promise<TokensPage> {
  return pageOf(await listTokens(await tokenService(), next === undefined ? undefined : { next }));
}

/**
 * Issues a read token for the caller, then lists the tokens again from the first page. The token
 * comes back even when that list fails (its message then says so): it cannot be shown again.
 */
export async function issueReadToken(): Promise<Issued> {
  const service = await tokenService();
  const result = await issueToken(service, { scopes: ['read'] });
  const answer = inWords(result, wording); // 409: the cap on active tokens, in the service's words
  if (answer.message) return answer;
  const { token } = result.body as { token: string };
  const { apiUrl } = serverConfig();
  return { ...pageOf(await listTokens(service, undefined)), status: result.status, token, ...(apiUrl ? { curl: curlFor(apiUrl, token) } : {}) };
}

/** Revokes one of the caller's own tokens: the service refuses anyone else's. */
export async function revokeOwnToken(id: unknown): Promise<Revocation> {
  const result = await revokeToken(await tokenService(), id);
  const answer = inWords(result, wording);
  return answer.message ? answer : { ...answer, revoked: (result.body as { revoked: Revoked }).revoked };
}
