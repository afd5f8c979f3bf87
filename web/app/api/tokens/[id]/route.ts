// DELETE /api/tokens/{id} — revoke one of the caller's own tokens.
import { mutationBody, respond } from '@/lib/http';
import { routeCall } from '@/lib/route-call';
import { revokeToken } from '@/lib/tokens';

export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const checked = await mutationBody(request); // no body needed: same origin, and JSON if one is sent
  if (!checked.ok) return respond(checked.answer);
  const tokenService = await routeCall((config) => config.tokenServiceFunctionName);
  return respond(await revokeToken(tokenService, (await params).id));
}
