// GET /api/items?limit=&next= — the signed-in caller's items, through the role chain.
import { callerSession } from '@/lib/amplify-server';
import { trustRoleLambda } from '@/lib/assets';
import { serverConfig } from '@/lib/config';
import { respond } from '@/lib/http';
import { listItems } from '@/lib/items';

export async function GET(request: Request) {
  const config = serverConfig();
  const { idToken } = await callerSession();
  const params = new URL(request.url).searchParams;
  return respond(await listItems({ lambda: trustRoleLambda(config), functionName: config.assetFunctionName, idToken }, params));
}
