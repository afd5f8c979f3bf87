// The items page's logic (app/items/actions.ts calls it): each request carries the session's ID
// token, from which the items function derives the user; the payload names only the item.
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

/** page: undefined (the first) or {limit?, next?} (lib/http.ts pageQuery), passed on to the function. */
export function listItems(ctx: ItemsContext, page: unknown): Promise<HttpResult> {
  if (!ctx.idToken) return Promise.resolve(unauthorized);
  const position = pageQuery(page);
  if (!position.ok) return Promise.resolve(position.answer);
  return call(ctx, { action: 'list', ...position.query });
}

/** Puts {"name", "body"?} as item id. Anything else in the body is refused, owner included. */
export async function putItem(ctx: ItemsContext, id: unknown, body: unknown): Promise<HttpResult> {
  if (!ctx.idToken) return unauthorized;
  if (typeof id !== 'string') return invalid('id', 'must be a string');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalid('body', 'must be a JSON object: {"name": "...", "body": "..."} (body optional)');
  }
  const fields = body as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (name !== 'name' && name !== 'body') return invalid(name, 'unknown field; allowed: name, body');
  }
  return call(ctx, { action: 'put', id, ...fields });
}
