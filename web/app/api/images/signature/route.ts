// GET /api/images/signature — a CloudFront signature for the caller's own folder, from the signer
// through the role chain, with the ID token of the server-side session.
import { callerSession } from '@/lib/amplify-server';
import { trustRoleLambda } from '@/lib/assets';
import { serverConfig } from '@/lib/config';
import { respond } from '@/lib/http';
import { imageSignature } from '@/lib/image-signatures';

export async function GET() {
  const config = serverConfig();
  const { idToken } = await callerSession();
  return respond(await imageSignature(trustRoleLambda(config), config.signerFunctionName, idToken));
}
