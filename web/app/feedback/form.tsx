'use client';
// The feedback form, signed in: the server action publishes it with the session's owner (lib/owner).
// What the page says comes from the action, which keeps what went wrong on the server in its log.
import { Alert, Button, Flex, TextAreaField } from '@aws-amplify/ui-react';
import { entered, type Entered } from '@/lib/entered';
import { useActionState } from 'react';
import { sendFeedback, type FeedbackState } from './actions';

type SendState = FeedbackState & { entered?: Entered<'message'> };
const noneSent: SendState = { status: 0, message: '' };

export function FeedbackForm() {
  // Refused, the form keeps the message (send it again); sent, it is empty.
  const [state, action, pending] = useActionState<SendState, FormData>(async (_previous, form) => {
    const answer = await sendFeedback(noneSent, form);
    return answer.status === 202 ? answer : { ...answer, entered: entered(form, ['message']) };
  }, noneSent);
  return (
    <Flex as="form" action={action} direction="column" gap="medium" alignItems="flex-start">
      <TextAreaField name="message" label="Your feedback" maxLength={2000} isRequired rows={5} width="100%" defaultValue={state.entered?.message} />
      <Button type="submit" variation="primary" isLoading={pending} loadingText="Sending…">Send</Button>
      {state.message && (
        <Alert variation={state.status === 202 ? 'success' : 'error'} role="status">{state.message}</Alert>
      )}
    </Flex>
  );
}
