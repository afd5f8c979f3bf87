// DELETE /api/tokens/{id} — revoke one of the caller's own tokens.
import { callerSession } from '@/lib/amplify-server';
import { trustRoleLambda } from '@/lib/assets';
import { serverConfig } from '@/lib/config';
import { respond } from '@/lib/http';
import { revokeToken } from '@/lib/tokens';

export async function DELETE(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const config = serverConfig();
  const { idToken } = await callerSession();
  return respond(await revokeToken({ lambda: trustRoleLambda(config), functionName: config.tokenServiceFunctionName, idToken }, (await params).id));
}
