'use client';
// A protected page's content, behind Amplify UI's Authenticator, whose sign-in follows the
// deploy's outputs (lib/signin.ts: email as the username, sign-up only when the user pool allows
// it). Before sign-in the page shows its own heading and description (a Server Component above
// this) and, here, what signing in gives; nothing of the content itself.
import { Authenticator, Text, useAuthenticator } from '@aws-amplify/ui-react';
import outputs from '@/amplify_outputs.json';
import { signInOptions } from '@/lib/signin';

const options = signInOptions(outputs);

/** to: what the visitor may do once signed in, e.g. "upload images into your folder". */
export function SignInFirst({ to, children }: { to: string; children: React.ReactNode }) {
  const { authStatus } = useAuthenticator((context) => [context.authStatus]);
  return (
    <>
      {authStatus === 'unauthenticated' && (
        <Text>
          Sign in{options.hideSignUp ? '' : ' (or create an account)'} to {to}.
        </Text>
      )}
      <Authenticator {...options}>{children}</Authenticator>
    </>
  );
}
