// DELETE /api/tokens/{id} — revoke one of the caller's own tokens.
import { callerSession } from '@/lib/amplify-server';
import { trustRoleLambda } from '@/lib/assets';
import { serverConfig } from '@/lib/config';
import { mutationBody, respond } from '@/lib/http';
import { revokeToken } from '@/lib/tokens';

export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const checked = await mutationBody(request); // no body needed: same origin, and JSON if one is sent
  if (!checked.ok) return respond(checked.answer);
  const config = serverConfig();
  const { idToken } = await callerSession();
  return respond(await revokeToken({ lambda: trustRoleLambda(config), functionName: config.tokenServiceFunctionName, idToken }, (await params).id));
}
