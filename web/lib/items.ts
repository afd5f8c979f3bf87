// The items routes' logic (app/api/items route handlers call it): each request carries the
// session's ID token, from which the items function derives the user; the body names only the item.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { callAsSignedInUser, invalid, unauthorized, type AssetError, type HttpResult } from './assets';

export interface Item {
  id: string;
  name: string;
  body: string;
  createdAt: string;
}

interface ItemsResponse {
  item?: Item;
  items?: Item[];
  next?: string;
  error?: AssetError;
}

export interface ItemsContext {
  lambda: LambdaClient;
  functionName: string;
  /** The signed-in caller's Cognito ID token, from the session; undefined: not signed in. */
  idToken: string | undefined;
}

function call(ctx: ItemsContext, payload: Record<string, unknown>): Promise<HttpResult> {
  return callAsSignedInUser<ItemsResponse>(ctx.lambda, ctx.functionName, ctx.idToken, payload, payload.action === 'put');
}

export function listItems(ctx: ItemsContext, params: URLSearchParams): Promise<HttpResult> {
  if (!ctx.idToken) return Promise.resolve(unauthorized);
  const payload: Record<string, unknown> = { action: 'list' };
  for (const [name, value] of params) {
    if (name === 'limit') {
      if (!/^\d{1,3}$/.test(value)) return Promise.resolve(invalid('limit', 'must be a whole number from 1 to 100'));
      payload.limit = Number(value);
    } else if (name === 'next') {
      payload.next = value;
    } else {
      return Promise.resolve(invalid(name, 'unknown query parameter; allowed: limit, next'));
    }
  }
  return call(ctx, payload);
}

export function getItem(ctx: ItemsContext, id: string): Promise<HttpResult> {
  return call(ctx, { action: 'get', id });
}

/** Puts {"name", "body"?} as item id. Anything else in the body is refused, owner included. */
export async function putItem(ctx: ItemsContext, id: string, body: unknown): Promise<HttpResult> {
  if (!ctx.idToken) return unauthorized;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid('body', 'must be a JSON object: {"name": "...", "body": "..."} (body optional)');
  }
  const fields = body as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (name !== 'name' && name !== 'body') return invalid(name, 'unknown field; allowed: name, body');
  }
  return call(ctx, { action: 'put', id, ...fields });
}
