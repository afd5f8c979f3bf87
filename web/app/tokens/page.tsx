'use client';
// API tokens: issue one (shown once, with a curl to copy), list them a page at a time and revoke
// them, through the app's own routes (which call the token service through the role chain).
import { withAuthenticator } from '@aws-amplify/ui-react';
import outputs from '@/amplify_outputs.json';
import { revokedNotice, revokeTiming } from '@/lib/revocation';
import { signInOptions } from '@/lib/signin';
import type { Revoked, TokenInfo } from '@/lib/tokens';
import { useEffect, useState } from 'react';

interface Failure {
  error?: { message: string };
}

/** A page of tokens from GET /api/tokens; next: the cursor of the following page, if any. */
async function tokensPage(next: string | undefined): Promise<{ tokens?: TokenInfo[]; next?: string } & Failure> {
  const answer = await fetch(next === undefined ? '/api/tokens' : `/api/tokens?next=${encodeURIComponent(next)}`);
  return (await answer.json()) as { tokens?: TokenInfo[]; next?: string } & Failure;
}

function Tokens() {
  const [tokens, setTokens] = useState<TokenInfo[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [issued, setIssued] = useState<string>('');
  const [notice, setNotice] = useState<string>('');
  const [error, setError] = useState<string>('');
  const [version, setVersion] = useState(0); // bumped to list the tokens again from the first page
  useEffect(() => {
    let current = true;
    void tokensPage(undefined).then((body) => {
      if (!current) return;
      if (body.error) setError(body.error.message);
      else {
        setTokens(body.tokens ?? []);
        setNext(body.next);
      }
    });
    return () => {
      current = false;
    };
  }, [version]);
  const more = async () => {
    const body = await tokensPage(next);
    if (body.error) setError(body.error.message);
    else {
      setTokens((shown) => [...shown, ...(body.tokens ?? [])]);
      setNext(body.next);
    }
  };
  const issue = async () => {
    setError('');
    setNotice('');
    const answer = await fetch('/api/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ scopes: ['read'] }) });
    const body = (await answer.json()) as { token?: string } & Failure;
    // 409: the caller holds as many active tokens as allowed; the service's message says so.
    if (body.error) setError(body.error.message);
    else {
      setIssued(body.token ?? '');
      setVersion((v) => v + 1);
    }
  };
  const revoke = async (id: string) => {
    setError('');
    setNotice('');
    const answer = await fetch(`/api/tokens/${id}`, { method: 'DELETE' });
    const body = (await answer.json()) as { revoked?: Revoked } & Failure;
    if (body.error) setError(body.error.message);
    else if (body.revoked) {
      setNotice(revokedNotice(body.revoked));
      setTokens((shown) => shown.map((t) => (t.id === id ? { ...t, revoked: true } : t)));
    }
  };
  return (
    <main>
      <h1>API tokens</h1>
      <button onClick={() => void issue()}>Issue a read token</button>
      {issued && (
        <p>
          Your new token, shown once: <code>{issued}</code>
        </p>
      )}
      {error && <p role="alert">{error}</p>}
      {notice && <p role="status">{notice}</p>}
      <p>{revokeTiming}</p>
      <ul>
        {tokens.map((t) => (
          <li key={t.id}>
            {t.scopes.join(', ')} · expires {new Date(t.expiresAt * 1000).toISOString()} {t.revoked ? '· revoked' : t.expired ? '· expired' : <button onClick={() => void revoke(t.id)}>Revoke</button>}
          </li>
        ))}
      </ul>
      {next !== undefined && <button onClick={() => void more()}>More</button>}
    </main>
  );
}

export default withAuthenticator(Tokens, signInOptions(outputs));
