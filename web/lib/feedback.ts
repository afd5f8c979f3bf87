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

export async function publishFeedback(sns: SNSClient, topicArn: string | undefined, owner: string | undefined, message: unknown): Promise<HttpResult> {
  if (!topicArn) return { status: 503, body: { error: { code: 'not_configured', message: 'FEEDBACK_TOPIC_ARN is not set: this environment has no feedback topic' } } };
  if (typeof message !== 'string' || message.trim() === '' || message.length > maxFeedbackLength) {
    return invalid('message', `must be text of 1 to ${maxFeedbackLength} characters`);
  }
  try {
    await sns.send(new PublishCommand({
      TopicArn: topicArn,
      Message: message.trim(),
      // Who sent it, when signed in: from the session, never from the form.
      MessageAttributes: owner ? { owner: { DataType: 'String', StringValue: owner } } : undefined,
    }));
  } catch (err) {
    return { status: 502, body: { error: { code: 'upstream', message: `the feedback could not be published (${err instanceof Error ? err.name : 'Error'})` } } };
  }
  return { status: 202, body: { ok: true } };
}
