'use client';
// API tokens: issue one (shown once, with a curl to copy), list and revoke them, through the
// app's own routes (which call the token service through the role chain).
import { withAuthenticator } from '@aws-amplify/ui-react';
import outputs from '@/amplify_outputs.json';
import { signInOptions } from '@/lib/signin';
import { useEffect, useState } from 'react';

interface TokenInfo {
  id: string;
  scopes: string[];
  expiresAt: number;
  revoked: boolean;
  expired: boolean;
}

function Tokens() {
  const [tokens, setTokens] = useState<TokenInfo[]>([]);
  const [issued, setIssued] = useState<string>('');
  const [error, setError] = useState<string>('');
  const [version, setVersion] = useState(0); // bumped to list the tokens again
  useEffect(() => {
    let current = true;
    void fetch('/api/tokens')
      .then((answer) => answer.json() as Promise<{ tokens?: TokenInfo[]; error?: { message: string } }>)
      .then((body) => {
        if (!current) return;
        if (body.error) setError(body.error.message);
        else setTokens(body.tokens ?? []);
      });
    return () => {
      current = false;
    };
  }, [version]);
  const load = () => setVersion((v) => v + 1);
  const issue = async () => {
    const answer = await fetch('/api/tokens', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ scopes: ['read'] }) });
    const body = (await answer.json()) as { token?: string; error?: { message: string } };
    if (body.error) setError(body.error.message);
    else {
      setIssued(body.token ?? '');
      load();
    }
  };
  const revoke = async (id: string) => {
    await fetch(`/api/tokens/${id}`, { method: 'DELETE' });
    load();
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
      <ul>
        {tokens.map((t) => (
          <li key={t.id}>
            {t.scopes.join(', ')} · expires {new Date(t.expiresAt * 1000).toISOString()} {t.revoked ? '· revoked' : t.expired ? '· expired' : <button onClick={() => void revoke(t.id)}>Revoke</button>}
          </li>
        ))}
      </ul>
    </main>
  );
}

export default withAuthenticator(Tokens, signInOptions(outputs));
