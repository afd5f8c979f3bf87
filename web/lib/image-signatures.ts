// Private image delivery, server side: a signature from the signer function (through the role
// chain) for the caller's own folder, which the uploads page's action gives the gallery. The
// gallery appends its query to each image URL (lib/images.ts).
import 'server-only';
import { invoke, type AssetCall, type AssetError } from './assets';
import { refusal, unauthorized, type HttpResult } from './http';

interface SignerResponse {
  resource?: string;
  query?: string;
  expires?: number;
  error?: AssetError;
}

// The signer's own messages for these codes name its internals (the secret, the key): the
// browser gets the app's short ones instead.
const notConfigured: HttpResult = { status: 503, body: { error: { code: 'not_configured', message: 'image delivery is not set up in this environment' } } };
const transient = (code: string): HttpResult => ({
  status: 503,
  body: { error: { code, message: 'the images could not be signed just now; try again in a few seconds' } },
});

/**
 * idToken: the signed-in user's Cognito ID token, from the server-side session. The signer's
 * not_configured (no signing key) is a 503; internal (signing failed) and unavailable (the token
 * could not be checked now) are transient: 503, saying to try again in a few seconds.
 */
export async function imageSignature({ lambda, functionName, idToken }: AssetCall): Promise<HttpResult> {
  if (!functionName) return { status: 503, body: { error: { code: 'not_configured', message: 'SIGNER_FUNCTION_NAME is not set: this environment has no image delivery' } } };
  if (!idToken) return unauthorized;
  const out = await invoke<SignerResponse>(lambda, functionName, { idToken });
  if (!out.ok) return out.answer;
  const error = out.result.error;
  if (error?.code === 'not_configured') return notConfigured;
  if (error?.code === 'internal' || error?.code === 'unavailable') return transient(error.code);
  if (error) return refusal(error);
  return { status: 200, body: { resource: out.result.resource, query: out.result.query, expires: out.result.expires } };
}
