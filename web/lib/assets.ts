// The server's way to the asset functions: it assumes the trust role (the role chain's
// intermediary, which may only invoke them) and invokes one. Every request carries the signed-in
// caller's ID token from the server-side session; the function verifies it and derives the user.
// The server never names a user.
import 'server-only';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { ServerConfig } from './config';
import { refusal, unauthorized, upstream, type HttpResult } from './http';

/**
 * A Lambda client whose credentials come from assuming the trust role. One per process and
 * configuration: its credentials are cached and refreshed before they expire, so requests do not
 * each call STS.
 */
export function trustRoleLambda(config: ServerConfig): LambdaClient {
  const key = [config.region, config.trustRoleArn, config.roleSessionName, config.sessionDurationSeconds].join('\n');
  let client = trustRoleClients.get(key);
  if (!client) {
    client = new LambdaClient({
      region: config.region,
      credentials: fromTemporaryCredentials({
        params: {
          RoleArn: config.trustRoleArn,
          RoleSessionName: config.roleSessionName, // the trust policy requires it
          DurationSeconds: config.sessionDurationSeconds,
        },
        clientConfig: { region: config.region },
      }),
    });
    trustRoleClients.set(key, client);
  }
  return client;
}

const trustRoleClients = new Map<string, LambdaClient>();

/**
 * Whether client is one of trustRoleLambda's, which sign with the trust role's credentials. Only
 * the unit tests ask: they record which credentials each AWS call was sent with.
 */
export function isTrustRoleClient(client: object): boolean {
  return [...trustRoleClients.values()].includes(client as LambdaClient);
}

/** An asset function's refusal: {"error": {"code", "field"?, "message"}}. */
export interface AssetError {
  code: string;
  field?: string;
  message: string;
}

/**
 * What a server action needs to act for the signed-in caller through one asset function: the
 * trust role's Lambda client, the function (undefined: not deployed in this environment) and the
 * caller's ID token from the server-side session (undefined: not signed in). lib/action-call
 * makes one from the request's session.
 */
export interface AssetCall {
  lambda: LambdaClient;
  functionName: string | undefined;
  idToken: string | undefined;
}

/**
 * Invokes functionName with payload. A function that failed, or could not be reached, is a 502
 * with a message for the server's log; its own refusals come back as { error } for the caller
 * to map.
 */
export async function invoke<T extends { error?: AssetError }>(
  lambda: LambdaClient, functionName: string, payload: unknown,
): Promise<{ ok: true; result: T } | { ok: false; answer: HttpResult }> {
  try {
    const out = await lambda.send(new InvokeCommand({
      FunctionName: functionName,
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }));
    const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
    if (out.FunctionError) return { ok: false, answer: upstream(`the function failed (${out.FunctionError})`) };
    return { ok: true, result: JSON.parse(text) as T };
  } catch (err) {
    const name = err instanceof Error ? err.name : 'Error';
    return { ok: false, answer: upstream(`the function could not be invoked (${name})`) };
  }
}

/**
 * Runs one request of the signed-in caller through an asset function, with their ID token: 401
 * without one, the function's refusals mapped (refusal), its answer as 200 — or 201 when created.
 */
export async function callAsSignedInUser<T extends { error?: AssetError }>(
  call: AssetCall & { functionName: string }, payload: Record<string, unknown>, created: boolean,
): Promise<HttpResult> {
  if (!call.idToken) return unauthorized;
  const out = await invoke<T>(call.lambda, call.functionName, { ...payload, idToken: call.idToken });
  if (!out.ok) return out.answer;
  if (out.result.error) return refusal(out.result.error);
  return { status: created ? 201 : 200, body: out.result };
}
