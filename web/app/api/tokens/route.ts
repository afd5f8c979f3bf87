// GET /api/tokens?limit=&next= — a page of the caller's API tokens (never the tokens); POST —
// issue one (shown once).
import { mutationBody, respond } from '@/lib/http';
import { routeCall } from '@/lib/route-call';
import { issueToken, listTokens } from '@/lib/tokens';

const tokenService = () => routeCall((config) => config.tokenServiceFunctionName);

export async function GET(request: Request) {
  return respond(await listTokens(await tokenService(), new URL(request.url).searchParams));
}

export async function POST(request: Request) {
  const body = await mutationBody(request);
  if (!body.ok) return respond(body.answer);
  return respond(await issueToken(await tokenService(), body.body));
}
