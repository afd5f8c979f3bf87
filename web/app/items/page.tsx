// Items: the signed-in user's own items, read and written by the server through the role chain
// (the trust role, which may only invoke the items function; the function verifies the user's
// ID token and keeps each user's items apart). Scripts reach the same items with an API token.
import type { Metadata } from 'next';
import { Page, Text } from '../amplify-ui';
import { SignInFirst } from '../sign-in-first';
import { Items } from './items';

export const metadata: Metadata = { title: 'Items' };

export default function ItemsPage() {
  return (
    <Page title="Items">
      <Text>
        Your own items. The server reads and writes them through the role chain: it assumes the trust role, which may
        only invoke the items function, and sends your ID token from your session, never a user the page names; the
        function verifies it and keeps each user&apos;s items apart. Your scripts reach the same items with an API token.
      </Text>
      <SignInFirst to="add and list your items">
        <Items />
      </SignInFirst>
    </Page>
  );
}
