// Private image delivery: a signature from the signer function (through the role chain) for the
// caller's own folder; the page appends its query to any image URL under that folder.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { invoke, refusal, unauthorized, type AssetError, type HttpResult } from './assets';

interface SignerResponse {
  resource?: string;
  query?: string;
  expires?: number;
  error?: AssetError;
}

/** idToken: the signed-in user's Cognito ID token, from the server-side session. */
export async function imageSignature(lambda: LambdaClient, signerFunctionName: string | undefined, idToken: string | undefined): Promise<HttpResult> {
  if (!signerFunctionName) return { status: 503, body: { error: { code: 'not_configured', message: 'SIGNER_FUNCTION_NAME is not set: this environment has no image delivery' } } };
  if (!idToken) return unauthorized;
  const out = await invoke<SignerResponse>(lambda, signerFunctionName, { idToken });
  if (!out.ok) return out.answer;
  if (out.result.error) return refusal(out.result.error);
  return { status: 200, body: { resource: out.result.resource, query: out.result.query, expires: out.result.expires } };
}

/**
 * The signed CDN URL of the object at path (as Amplify Storage lists it, e.g.
 * "protected/<identity id>/photo.jpg"), from a signature whose resource is
 * "https://<domain>/protected/<identity id>/*"; undefined for a path the signature does not cover.
 */
export function signedImageURL(resource: string, query: string, path: string): string | undefined {
  if (!resource.endsWith('/*')) return undefined;
  const base = resource.slice(0, -1); // "https://<domain>/protected/<identity id>/"
  const folder = new URL(base).pathname.slice(1); // "protected/<identity id>/"
  if (!path.startsWith(folder) || path.length === folder.length) return undefined;
  const name = path.slice(folder.length).split('/').map(encodeURIComponent).join('/');
  return `${base}${name}?${query}`;
}
