// How the sign-in page (Amplify UI's Authenticator) follows the deploy's outputs: the username
// attribute (email) and whether sign-up is offered (the user pool's self sign-up). TOTP set-up
// and codes follow the user pool's own challenges (mfa_configuration in the outputs).

export interface AmplifyOutputs {
  auth: { username_attributes?: string[]; mfa_configuration?: string; mfa_methods?: string[] };
  custom?: { self_sign_up_enabled?: boolean };
}

/** The Authenticator's props that depend on the deploy. */
export interface SignInOptions {
  loginMechanisms: ('email' | 'phone_number' | 'username')[];
  hideSignUp: boolean;
}

export function signInOptions(outputs: AmplifyOutputs): SignInOptions {
  const attributes = outputs.auth.username_attributes ?? [];
  return {
    loginMechanisms: attributes.includes('email') ? ['email'] : ['username'],
    // Without self sign-up, the user pool refuses sign-ups: do not offer a form that cannot work.
    hideSignUp: outputs.custom?.self_sign_up_enabled !== true,
  };
}

/** The part of the signed-in session's tokens (Amplify's AuthTokens) the header reads. */
export interface SessionTokens {
  idToken?: { payload: Record<string, unknown> };
  signInDetails?: { loginId?: string };
}

/**
 * Who the header says is signed in: the ID token's email (the username in this user pool), or
 * the name typed at sign-in, or undefined when neither says.
 */
export function signedInAs(tokens: SessionTokens | null | undefined): string | undefined {
  const email = tokens?.idToken?.payload.email;
  if (typeof email === 'string' && email !== '') return email;
  return tokens?.signInDetails?.loginId || undefined;
}
