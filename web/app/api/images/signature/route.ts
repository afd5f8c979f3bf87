// GET /api/images/signature — a CloudFront signature for the caller's own folder, from the signer
// through the role chain, with the ID token of the server-side session.
import { respond } from '@/lib/http';
import { imageSignature } from '@/lib/image-signatures';
import { routeCall } from '@/lib/route-call';

export async function GET() {
  return respond(await imageSignature(await routeCall((config) => config.signerFunctionName)));
}
