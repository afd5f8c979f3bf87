// API tokens: tokens for the signed-in user's scripts, which call the token API with one instead
// of AWS credentials; issued, listed and revoked through the role chain (the token service).
import type { Metadata } from 'next';
import { serverConfig } from '@/lib/config';
import { Page, Text } from '../amplify-ui';
import { SignInFirst } from '../sign-in-first';
import { Tokens } from './tokens';

export const metadata: Metadata = { title: 'API tokens' };

export default function TokensPage() {
  const { apiUrl } = serverConfig();
  return (
    <Page title="API tokens">
      <Text>
        Tokens for your scripts: a program sends one as <code>Authorization: Bearer &lt;token&gt;</code> to the token
        API{apiUrl ? <> (<code>{apiUrl}</code>)</> : ' (this environment has none)'} and reaches your items as you, without
        your password or AWS credentials. A token is shown once, when it is issued; the service keeps only its hash.
        Revoke the ones you no longer need.
      </Text>
      <SignInFirst to="issue, list and revoke your tokens">
        <Tokens />
      </SignInFirst>
    </Page>
  );
}
