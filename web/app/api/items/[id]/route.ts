// GET and PUT /api/items/{id} — one of the signed-in caller's items, through the role chain.
import { callerSession } from '@/lib/amplify-server';
import { trustRoleLambda } from '@/lib/assets';
import { serverConfig } from '@/lib/config';
import { mutationBody, respond } from '@/lib/http';
import { getItem, putItem } from '@/lib/items';

type Params = { params: Promise<{ id: string }> };

export async function GET(_request: Request, { params }: Params) {
  const config = serverConfig();
  const { idToken } = await callerSession();
  return respond(await getItem({ lambda: trustRoleLambda(config), functionName: config.assetFunctionName, idToken }, (await params).id));
}

export async function PUT(request: Request, { params }: Params) {
  const body = await mutationBody(request);
  if (!body.ok) return respond(body.answer);
  const config = serverConfig();
  const { idToken } = await callerSession();
  return respond(await putItem({ lambda: trustRoleLambda(config), functionName: config.assetFunctionName, idToken }, (await params).id, body.body));
}
