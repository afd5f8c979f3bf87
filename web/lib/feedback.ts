// Feedback: published to the feedback topic with the runtime's own credentials (the SSR compute
// role on Amplify Hosting, the developer's profile locally), not through the role chain: the
// trust role may only invoke asset functions.
import 'server-only';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { invalid, type HttpResult } from './http';

export const maxFeedbackLength = 2000;

/** The runtime's SNS client for region: one per process, so its credentials are resolved once. */
export function feedbackClient(region: string): SNSClient {
  let client = snsClients.get(region);
  if (!client) {
    client = new SNSClient({ region });
    snsClients.set(region, client);
  }
  return client;
}

const snsClients = new Map<string, SNSClient>();

/**
 * Whether client is one of feedbackClient's, which sign with the runtime's own credentials (the
 * SDK's default chain). Only the unit tests ask: they record which credentials each AWS call was
 * sent with.
 */
export function isFeedbackClient(client: object): boolean {
  return [...snsClients.values()].includes(client as SNSClient);
}

/**
 * Publishes a signed-in caller's feedback. owner: the caller's owner key (lib/owner) from the server-side
 * session (never from the form); without one the answer is 401 and nothing is sent (the form is
 * for signed-in users: docs/web-app.md says why). Every message in an answer is for the page's
 * visitor; what went wrong on the server (a missing topic, the SNS error) goes to the server's
 * log, never to the page.
 */
export async function publishFeedback(sns: SNSClient, topicArn: string | undefined, owner: string | undefined, message: unknown): Promise<HttpResult> {
  if (!owner) return { status: 401, body: { error: { code: 'unauthorized', message: 'Sign in to send feedback: your session has ended or could not be verified.' } } };
  if (!topicArn) {
    console.error('feedback: FEEDBACK_TOPIC_ARN is not set: this environment has no feedback topic (cdk.json: amplify)');
    return { status: 503, body: { error: { code: 'not_configured', message: 'Feedback is not available in this environment.' } } };
  }
  if (typeof message !== 'string' || message.trim() === '' || message.length > maxFeedbackLength) {
    return invalid('message', `Write your feedback in 1 to ${maxFeedbackLength} characters.`);
  }
  try {
    await sns.send(new PublishCommand({
      TopicArn: topicArn,
      Message: message.trim(),
      // Who sent it: from the session, never from the form.
      MessageAttributes: { owner: { DataType: 'String', StringValue: owner } },
    }));
  } catch (err) {
    console.error(`feedback: publishing to ${topicArn} failed:`, err);
    return { status: 502, body: { error: { code: 'upstream', message: 'Your feedback could not be sent just now. Please try again later.' } } };
  }
  return { status: 202, body: { ok: true } };
}
