'use server';
// The feedback form's server action: publishes with the runtime's own credentials (the SSR
// compute role on Amplify Hosting; the developer's profile locally), not the role chain, and
// only for a signed-in caller, whose owner key comes from the server-side session (without
// one: 401, nothing sent). The page gets publishFeedback's message, written for it; the server's
// log gets the detail of a failure.
import 'server-only';
import { callerSession } from '@/lib/amplify-server';
import { serverConfig } from '@/lib/config';
import { feedbackClient, publishFeedback } from '@/lib/feedback';

export interface FeedbackState {
  status: number;
  message: string;
}

export async function sendFeedback(_previous: FeedbackState, form: FormData): Promise<FeedbackState> {
  const config = serverConfig();
  const { owner } = await callerSession();
  const message = form instanceof FormData ? form.get('message') : undefined; // the browser may send anything
  const result = await publishFeedback(feedbackClient(config.region), config.feedbackTopicArn, owner, message);
  const error = (result.body as { error?: { message: string } }).error;
  return { status: result.status, message: error ? error.message : 'Thank you: your feedback was sent.' };
}
