'use client';
// Items, signed in: add one (the form's server action) and list them a page at a time, through
// the page's server actions (./actions.ts), which call the items function through the role chain
// for the session's user. What the page says comes from the actions.
import { Alert, Button, Flex, TextAreaField, TextField } from '@aws-amplify/ui-react';
import { entered, type Entered } from '@/lib/entered';
import type { Item } from '@/lib/items';
import { useActionState, useEffect, useState, useTransition } from 'react';
import { List } from '../list';
import { addItem, itemsPage, type ItemsPage } from './actions';

type AddState = ItemsPage & { entered?: Entered<'id' | 'name' | 'body'> };
const noneAdded: AddState = { status: 0, message: '' };

export function Items() {
  const [items, setItems] = useState<Item[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string>('');
  const [paging, startTransition] = useTransition();
  const show = (page: ItemsPage, append: boolean) => {
    if (page.message) return setError(page.message);
    setError('');
    setItems((shown) => (append ? [...shown, ...(page.items ?? [])] : page.items ?? []));
    setNext(page.next);
  };
  // The first page, once the page is signed in (this part shows only then).
  useEffect(() => {
    let current = true;
    void itemsPage().then((page) => current && show(page, false));
    return () => {
      current = false;
    };
  }, []);
  // Refused, the form keeps what was entered (fix the id and add again); added, it is empty.
  const [added, add, adding] = useActionState<AddState, FormData>(async (_previous, form) => {
    const answer = await addItem(noneAdded, form);
    if (answer.message) return { ...answer, entered: entered(form, ['id', 'name', 'body']) };
    show(answer, false);
    return answer;
  }, noneAdded);
  const more = () => startTransition(async () => show(await itemsPage(next), true));
  return (
    <Flex direction="column" gap="medium" alignItems="flex-start">
      <Flex as="form" action={add} direction="column" gap="small" width="100%">
        <TextField name="id" label="Id" descriptiveText="1 to 64 of A-Z, a-z, 0-9, _ and -; an id you have used is refused" isRequired maxLength={64}
          defaultValue={added.entered?.id} />
        <TextField name="name" label="Name" isRequired maxLength={200} defaultValue={added.entered?.name} />
        <TextAreaField name="body" label="Body (optional)" rows={3} defaultValue={added.entered?.body} />
        <Button type="submit" variation="primary" isLoading={adding} loadingText="Adding…" alignSelf="flex-start">Add</Button>
        {added.status === 201 && <Alert variation="success" role="status">Added.</Alert>}
        {added.message && <Alert variation="error" role="status">{added.message}</Alert>}
      </Flex>
      {error && <Alert variation="error">{error}</Alert>}
      <List heads={['Id', 'Name', 'Body', 'Created']} none="You have no items yet." pending={paging} more={next === undefined ? undefined : more}
        rows={items.map((item) => ({ key: item.id, cells: [item.id, item.name, item.body, item.createdAt] }))} />
    </Flex>
  );
}
