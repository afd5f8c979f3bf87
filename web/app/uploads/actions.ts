'use server';
// The uploads page's server action: a signature for the caller's own folder on the private image
// distribution, from the signer through the role chain (lib/action-call: the trust role's
// client, the signer, the ID token of the server-side session — never a folder the browser
// names). The gallery appends it to each image's URL (lib/images.ts).
import 'server-only';
import { actionCall } from '@/lib/action-call';
import { inWords, type Answer } from '@/lib/http';
import { imageSignature } from '@/lib/image-signatures';

export interface FolderSignature extends Answer {
  /** https://<distribution>/protected/<owner>/*: what the signature opens. */
  resource?: string;
  /** Policy=…&Signature=…&Key-Pair-Id=…, for each image's URL. */
  query?: string;
}

export async function folderSignature(): Promise<FolderSignature> {
  const result = await imageSignature(await actionCall((config) => config.signerFunctionName));
  const answer = inWords(result, { to: 'see your images', service: 'Image delivery' });
  if (answer.message) return answer;
  const { resource, query } = result.body as { resource: string; query: string };
  return { ...answer, resource, query };
}
