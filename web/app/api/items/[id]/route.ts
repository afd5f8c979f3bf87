// GET and PUT /api/items/{id} — one of the signed-in caller's items, through the role chain.
import { mutationBody, respond } from '@/lib/http';
import { getItem, putItem } from '@/lib/items';
import { routeCall } from '@/lib/route-call';

type Params = { params: Promise<{ id: string }> };

export async function GET(_request: Request, { params }: Params) {
  const items = await routeCall((config) => config.assetFunctionName);
  return respond(await getItem(items, (await params).id));
}

export async function PUT(request: Request, { params }: Params) {
  const body = await mutationBody(request);
  if (!body.ok) return respond(body.answer);
  const items = await routeCall((config) => config.assetFunctionName);
  return respond(await putItem(items, (await params).id, body.body));
}
