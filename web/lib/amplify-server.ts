// Amplify on the server: the signed-in caller's session (owner, ID token) from the request's
// cookies, for server actions and pages. Nothing here trusts the request body or query
// for who the caller is.
import 'server-only';
import { createServerRunner } from '@aws-amplify/adapter-nextjs';
import { fetchAuthSession } from 'aws-amplify/auth/server';
import { cookies } from 'next/headers';
import outputs from '@/amplify_outputs.json';
import { ownerKeyOf, ownerOfSession } from '@/lib/owner';

export const { runWithAmplifyServerContext } = createServerRunner({ config: outputs });

export interface CallerSession {
  /** The caller's owner key (lib/owner): who sent feedback. */
  owner: string | undefined;
  /** The caller's Cognito ID token, for the asset functions, which verify it. */
  idToken: string | undefined;
}

/** The signed-in caller, or an empty session. */
export async function callerSession(): Promise<CallerSession> {
  try {
    const session = await runWithAmplifyServerContext({
      nextServerContext: { cookies },
      operation: (context) => fetchAuthSession(context),
    });
    if (!session.tokens) return { owner: undefined, idToken: undefined };
    const owner = ownerOfSession(ownerKeyOf(outputs), { identityId: session.identityId, idTokenSub: session.tokens.idToken?.payload.sub });
    return { owner, idToken: session.tokens.idToken?.toString() };
  } catch {
    return { owner: undefined, idToken: undefined };
  }
}
