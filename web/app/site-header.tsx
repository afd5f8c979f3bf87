'use client';
// Every page's header: the app's name, its pages, and who is signed in with a Sign out button.
// The sign-in state is the one the pages' Authenticators share (providers.tsx); the name is read
// from the session's tokens in the browser's cookies, without a call to Cognito.
import { Button, Flex, Link, Text, View, useAuthenticator } from '@aws-amplify/ui-react';
import { signOut } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import NextLink from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';
import { signedInAs } from '@/lib/signin';

/** The app's pages, in the header's order. */
export const pages: { href: string; name: string }[] = [
  { href: '/', name: 'Home' },
  { href: '/uploads', name: 'Uploads' },
  { href: '/items', name: 'Items' },
  { href: '/tokens', name: 'API tokens' },
  { href: '/feedback', name: 'Feedback' },
];

export function SiteHeader() {
  const path = usePathname();
  const { authStatus } = useAuthenticator((context) => [context.authStatus]);
  const [name, setName] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (authStatus !== 'authenticated') return;
    let current = true;
    void cognitoUserPoolsTokenProvider.getTokens().then(
      (tokens) => current && setName(signedInAs(tokens)),
      () => current && setName(undefined),
    );
    return () => {
      current = false;
    };
  }, [authStatus]);
  return (
    <View as="header" backgroundColor="background.primary" borderColor="border.secondary" borderWidth="0 0 thin 0" borderStyle="solid" padding="small large">
      <Flex direction={{ base: 'column', medium: 'row' }} alignItems={{ base: 'flex-start', medium: 'center' }} justifyContent="space-between" gap="small">
        <Flex alignItems="baseline" gap="large" wrap="wrap">
          <Link as={NextLink} href="/" fontWeight="bold" fontSize="large" color="font.primary" textDecoration="none">
            gatehouse
          </Link>
          <Flex as="nav" aria-label="Pages" gap="medium" wrap="wrap">
            {pages.map((page) => (
              <Link key={page.href} as={NextLink} href={page.href} aria-current={page.href === path ? 'page' : undefined}
                fontWeight={page.href === path ? 'bold' : 'normal'}>
                {page.name}
              </Link>
            ))}
          </Flex>
        </Flex>
        {authStatus === 'authenticated' ? (
          <Flex alignItems="center" gap="small">
            <Text fontSize="small" color="font.secondary">
              Signed in{name === undefined ? '' : ' as '}
              {name !== undefined && <Text as="span" fontWeight="bold" color="font.primary">{name}</Text>}
            </Text>
            <Button size="small" onClick={() => void signOut()}>Sign out</Button>
          </Flex>
        ) : (
          authStatus === 'unauthenticated' && <Text fontSize="small" color="font.secondary">Not signed in</Text>
        )}
      </Flex>
    </View>
  );
}
