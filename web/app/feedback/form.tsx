'use client';
// The feedback form, signed in: the server action publishes it with the session's owner (lib/owner).
// What the page says comes from the action, which keeps what went wrong on the server in its log.
import { Alert, Button, Flex, TextAreaField } from '@aws-amplify/ui-react';
import { useActionState } from 'react';
import { sendFeedback, type FeedbackState } from './actions';

export function FeedbackForm() {
  const [state, action, pending] = useActionState<FeedbackState, FormData>(sendFeedback, { status: 0, message: '' });
  return (
    <Flex as="form" action={action} direction="column" gap="medium" alignItems="flex-start">
      <TextAreaField name="message" label="Your feedback" maxLength={2000} isRequired rows={5} width="100%" />
      <Button type="submit" variation="primary" isLoading={pending} loadingText="Sending…">Send</Button>
      {state.message && (
        <Alert variation={state.status === 202 ? 'success' : 'error'} role="status">{state.message}</Alert>
      )}
    </Flex>
  );
}
