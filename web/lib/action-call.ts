// The one way a server action gets what it acts with: the trust role's Lambda client (from the
// server's configuration), the asset function it calls, and the signed-in caller's ID token from
// the server-side session — never anything the browser sends about who the caller is.
import 'server-only';
import { callerSession } from './amplify-server';
import { trustRoleLambda, type AssetCall } from './assets';
import { serverConfig, type ServerConfig } from './config';

/** The call an action makes: functionOf picks its asset function from the configuration. */
export async function actionCall<F extends string | undefined>(functionOf: (config: ServerConfig) => F): Promise<AssetCall & { functionName: F }> {
  const config = serverConfig();
  const { idToken } = await callerSession();
  return { lambda: trustRoleLambda(config), functionName: functionOf(config), idToken };
}
