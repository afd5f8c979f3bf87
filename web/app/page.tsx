// The home page: what the reference app demonstrates, and a card for each of its pages.
import { Card, Grid, Heading, Page, PageLink, Text } from './amplify-ui';

const pages = [
  {
    href: '/uploads', name: 'Uploads',
    about: 'Amplify Storage into your own folder of the upload bucket (protected/<your id>/), which the bucket\'s policy lets no one else read; your images through the private image distribution, with one signature for the folder from the signer function.',
  },
  {
    href: '/items', name: 'Items',
    about: 'Your own items, read and written by the server through the role chain (the trust role, which may only invoke the items function, which verifies your ID token); server actions, no API of the app\'s own.',
  },
  {
    href: '/tokens', name: 'API tokens',
    about: 'Tokens for your scripts to call the token API without AWS credentials: issued, listed and revoked by the server through the role chain (the trust role, then the token service, which verifies your ID token).',
  },
  {
    href: '/feedback', name: 'Feedback',
    about: 'A server action publishing to an SNS topic with the server\'s own role (the SSR compute role on Amplify Hosting), with your id from the session; for signed-in users.',
  },
];

export default function Home() {
  return (
    <Page title="gatehouse reference app">
      <Text>
        A Next.js app configured only from what gatehouse&apos;s stacks output (amplify_outputs.json and .env.local,
        written by make web-config). It shows each access path the stacks set up: sign-in with the user pool (email,
        and TOTP when the pool asks for it) through Amplify UI&apos;s Authenticator; the browser reaching AWS with the
        identity pool&apos;s per-user credentials; and the server reaching the app&apos;s functions through the role chain,
        always for the signed-in caller&apos;s verified ID token, never a user a request names. Every page is sent with a
        strict Content-Security-Policy (a nonce per request, no inline script without it).
      </Text>
      <Grid templateColumns={{ base: '1fr', large: '1fr 1fr' }} gap="medium">
        {pages.map((page) => (
          <Card key={page.href} variation="outlined">
            <Heading level={3} marginBottom="small">
              <PageLink href={page.href}>{page.name}</PageLink>
            </Heading>
            <Text>{page.about}</Text>
          </Card>
        ))}
      </Grid>
    </Page>
  );
}
