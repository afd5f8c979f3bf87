'use server';
// The items page's server actions: list a page of the caller's items, and add one. Each acts
// through the role chain (lib/action-call: the trust role's client, the items function, the ID
// token of the server-side session — never an owner the browser names) and answers in words for
// the page; the detail of a failure goes to the server's log.
import 'server-only';
import { actionCall } from '@/lib/action-call';
import { inWords, listInWords, type HttpResult, type ListPage } from '@/lib/http';
import { listItems, putItem, type Item } from '@/lib/items';

export type ItemsPage = ListPage<'items', Item>;

const wording = { to: 'see and add your items', service: 'The items service' };
const itemsFunction = () => actionCall((config) => config.assetFunctionName);

const pageOf = (result: HttpResult): ItemsPage => listInWords<'items', Item>(result, wording, 'items');

/** A page of the caller's items; next: a previous page's cursor. */
export async function itemsPage(next?: unknown): Promise<ItemsPage> {
  return pageOf(await listItems(await itemsFunction(), next === undefined ? undefined : { next }));
}

/**
 * The add form (useActionState): its id, name and body fields, nothing else of the form (an owner
 * field would be ignored; the function takes the owner from the token). Answers 201 with the
 * first page listed again, or the refusal in the function's words (409: the id is taken).
 */
export async function addItem(_previous: ItemsPage, form: FormData): Promise<ItemsPage> {
  const call = await itemsFunction();
  const text = (name: string) => {
    const value = form instanceof FormData ? form.get(name) : undefined; // the browser may send anything
    return typeof value === 'string' ? value : undefined;
  };
  const body = text('body');
  const result = await putItem(call, text('id'), { name: text('name') ?? '', ...(body ? { body } : {}) });
  const answer = inWords(result, wording);
  if (answer.message) return answer;
  return { ...pageOf(await listItems(call, undefined)), status: result.status };
}
