// The items routes' logic (app/api/items route handlers call it): each request carries the
// session's ID token, from which the items function derives the user; the body names only the item.
import 'server-only';
import { callAsSignedInUser, type AssetCall, type AssetError } from './assets';
import { invalid, pageQuery, unauthorized, type HttpResult } from './http';

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

/** The items function's call: AssetCall, whose function every environment has. */
export type ItemsContext = AssetCall & { functionName: string };

function call(ctx: ItemsContext, payload: Record<string, unknown>): Promise<HttpResult> {
  return callAsSignedInUser<ItemsResponse>(ctx, payload, payload.action === 'put');
}

export function listItems(ctx: ItemsContext, params: URLSearchParams): Promise<HttpResult> {
  if (!ctx.idToken) return Promise.resolve(unauthorized);
  const page = pageQuery(params);
  if (!page.ok) return Promise.resolve(page.answer);
  return call(ctx, { action: 'list', ...page.query });
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
