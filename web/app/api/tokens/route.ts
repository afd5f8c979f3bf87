// GET /api/tokens?limit=&next= — a page of the caller's API tokens (never the tokens); POST —
// issue one (shown once).
import { callerSession } from '@/lib/amplify-server';
import { trustRoleLambda } from '@/lib/assets';
import { serverConfig } from '@/lib/config';
import { mutationBody, respond } from '@/lib/http';
import { issueToken, listTokens } from '@/lib/tokens';

async function context() {
  const config = serverConfig();
  const { idToken } = await callerSession();
  return { lambda: trustRoleLambda(config), functionName: config.tokenServiceFunctionName, idToken };
}

export async function GET(request: Request) {
  return respond(await listTokens(await context(), new URL(request.url).searchParams));
}

export async function POST(request: Request) {
  const body = await mutationBody(request);
  if (!body.ok) return respond(body.answer);
  return respond(await issueToken(await context(), body.body));
}
