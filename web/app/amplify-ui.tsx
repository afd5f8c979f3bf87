'use client';
// Amplify UI's components for the Server Components (the layout and the pages): the package has
// no 'use client' of its own, so its components are passed through this client module. Page is
// every page's frame; PageLink is Amplify UI's Link on Next's (client-side navigation).
import { Alert, Card, Flex, Grid, Heading, Link, Text, View } from '@aws-amplify/ui-react';
import NextLink from 'next/link';

export { Alert, Card, Flex, Grid, Heading, Text, View };

/** A page's frame: its title as the one h1, then its content, evenly spaced. */
export function Page({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Flex direction="column" gap="medium">
      <Heading level={1}>{title}</Heading>
      {children}
    </Flex>
  );
}

export function PageLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <Link as={NextLink} href={href}>
      {children}
    </Link>
  );
}
