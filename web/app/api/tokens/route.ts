// GET /api/tokens — the caller's API tokens (never the tokens); POST — issue one (shown once).
import { callerSession } from '@/lib/amplify-server';
import { trustRoleLambda } from '@/lib/assets';
import { serverConfig } from '@/lib/config';
import { jsonBody, respond } from '@/lib/http';
import { issueToken, listTokens } from '@/lib/tokens';

async function context() {
  const config = serverConfig();
  const { idToken } = await callerSession();
  return { lambda: trustRoleLambda(config), functionName: config.tokenServiceFunctionName, idToken };
}

export async function GET() {
  return respond(await listTokens(await context()));
}

export async function POST(request: Request) {
  const body = await jsonBody(request);
  if (!body.ok) return respond(body.answer);
  return respond(await issueToken(await context(), body.body));
}
