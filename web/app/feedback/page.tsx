'use client';
import { useActionState } from 'react';
import { sendFeedback, type FeedbackState } from './actions';

export default function FeedbackPage() {
  const [state, action, pending] = useActionState<FeedbackState, FormData>(sendFeedback, { status: 0, message: '' });
  return (
    <main>
      <h1>Feedback</h1>
      <form action={action}>
        <textarea name="message" maxLength={2000} required aria-label="Your feedback" />
        <button type="submit" disabled={pending}>Send</button>
      </form>
      {state.message && <p role="status">{state.message}</p>}
    </main>
  );
}
