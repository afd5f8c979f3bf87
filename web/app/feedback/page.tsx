// Feedback: a note to the app's operators, published to the feedback topic by a server action
// with the server's own credentials (the SSR compute role on Amplify Hosting). For signed-in
// users only: docs/web-app.md says why.
import type { Metadata } from 'next';
import { Page, Text } from '../amplify-ui';
import { SignInFirst } from '../sign-in-first';
import { FeedbackForm } from './form';

export const metadata: Metadata = { title: 'Feedback' };

export default function FeedbackPage() {
  return (
    <Page title="Feedback">
      <Text>
        A note to the people who run this app. The server publishes it to the environment&apos;s feedback topic with
        its own credentials, never yours, and attaches your id (from your session, not from the form), so
        feedback is never anonymous: sign in to send it.
      </Text>
      <SignInFirst to="send feedback">
        <FeedbackForm />
      </SignInFirst>
    </Page>
  );
}
