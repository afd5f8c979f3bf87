// GET /api/items?limit=&next= — the signed-in caller's items, through the role chain.
import { respond } from '@/lib/http';
import { listItems } from '@/lib/items';
import { routeCall } from '@/lib/route-call';

export async function GET(request: Request) {
  const items = await routeCall((config) => config.assetFunctionName);
  return respond(await listItems(items, new URL(request.url).searchParams));
}
