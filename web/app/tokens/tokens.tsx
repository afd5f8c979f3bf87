'use client';
// API tokens, signed in: issue one (shown once), list them a page at a time and revoke them,
// through the app's own routes (which call the token service through the role chain).
import { Alert, Badge, Button, Card, Flex, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@aws-amplify/ui-react';
import { revokedNotice, revokeTiming } from '@/lib/revocation';
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

export function Tokens() {
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
    <Flex direction="column" gap="medium" alignItems="flex-start">
      <Button variation="primary" onClick={() => void issue()}>Issue a read token</Button>
      {issued && (
        <Card variation="outlined" width="100%">
          <Text>Your new token, shown once (copy it now; the app cannot show it again):</Text>
          <Text as="code" fontFamily="monospace" style={{ wordBreak: 'break-all' }}>{issued}</Text>
        </Card>
      )}
      {error && <Alert variation="error">{error}</Alert>}
      {notice && <Alert variation="success" role="status">{notice}</Alert>}
      <Text color="font.secondary">{revokeTiming}</Text>
      {tokens.length === 0 ? <Text>You have no tokens yet.</Text> : (
        <Table size="small" variation="striped" highlightOnHover>
          <TableHead>
            <TableRow>
              <TableCell as="th">Scopes</TableCell>
              <TableCell as="th">Expires</TableCell>
              <TableCell as="th">State</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {tokens.map((t) => (
              <TableRow key={t.id}>
                <TableCell>{t.scopes.join(', ')}</TableCell>
                <TableCell>{new Date(t.expiresAt * 1000).toISOString()}</TableCell>
                <TableCell>
                  {t.revoked ? <Badge>revoked</Badge> : t.expired ? <Badge>expired</Badge> : <Button size="small" onClick={() => void revoke(t.id)}>Revoke</Button>}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {next !== undefined && <Button onClick={() => void more()}>More</Button>}
    </Flex>
  );
}
