'use client';
// API tokens, signed in: issue one (shown once), list them a page at a time and revoke them,
// through the page's server actions (./actions.ts), which call the token service through the
// role chain for the session's user. What the page says comes from the actions.
import { Alert, Badge, Button, Card, Flex, Text } from '@aws-amplify/ui-react';
import { revokedNotice, revokeTiming } from '@/lib/revocation';
import type { TokenInfo } from '@/lib/tokens';
import { useEffect, useState, useTransition } from 'react';
import { List } from '../list';
import { issueReadToken, revokeOwnToken, tokensPage } from './actions';

export function Tokens() {
  const [tokens, setTokens] = useState<TokenInfo[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [issued, setIssued] = useState<{ token: string; curl?: string } | undefined>(undefined);
  const [notice, setNotice] = useState<string>('');
  const [error, setError] = useState<string>('');
  const [pending, startTransition] = useTransition();
  // The first page, once the page is signed in (this part shows only then).
  useEffect(() => {
    let current = true;
    void tokensPage().then((page) => {
      if (!current) return;
      if (page.message) setError(page.message);
      else {
        setTokens(page.tokens ?? []);
        setNext(page.next);
      }
    });
    return () => {
      current = false;
    };
  }, []);
  const act = (action: () => Promise<void>) => {
    setError('');
    setNotice('');
    startTransition(action);
  };
  const more = () => act(async () => {
    const page = await tokensPage(next);
    if (page.message) setError(page.message);
    else {
      setTokens((shown) => [...shown, ...(page.tokens ?? [])]);
      setNext(page.next);
    }
  });
  const issue = () => act(async () => {
    const answer = await issueReadToken();
    if (answer.token) setIssued({ token: answer.token, curl: answer.curl });
    if (answer.message) setError(answer.message);
    if (answer.tokens) {
      setTokens(answer.tokens);
      setNext(answer.next);
    }
  });
  const revoke = (id: string) => act(async () => {
    const answer = await revokeOwnToken(id);
    if (answer.message) setError(answer.message);
    else if (answer.revoked) {
      setNotice(revokedNotice(answer.revoked));
      setTokens((shown) => shown.map((t) => (t.id === id ? { ...t, revoked: true } : t)));
    }
  });
  return (
    <Flex direction="column" gap="medium" alignItems="flex-start">
      <Button variation="primary" isDisabled={pending} onClick={issue}>Issue a read token</Button>
      {issued && (
        <Card variation="outlined" width="100%">
          <Text>Your new token, shown once (copy it now; the app cannot show it again):</Text>
          <Text as="code" fontFamily="monospace" style={{ wordBreak: 'break-all' }}>{issued.token}</Text>
          {issued.curl && (
            <>
              <Text marginTop="small">Try it:</Text>
              <Text as="code" fontFamily="monospace" style={{ wordBreak: 'break-all' }}>{issued.curl}</Text>
            </>
          )}
        </Card>
      )}
      {error && <Alert variation="error">{error}</Alert>}
      {notice && <Alert variation="success" role="status">{notice}</Alert>}
      <Text color="font.secondary">{revokeTiming}</Text>
      <List heads={['Scopes', 'Expires', 'State']} none="You have no tokens yet." pending={pending} more={next === undefined ? undefined : more}
        rows={tokens.map((t) => ({ key: t.id, cells: [
          t.scopes.join(', '),
          new Date(t.expiresAt * 1000).toISOString(),
          t.revoked ? <Badge>revoked</Badge> : t.expired ? <Badge>expired</Badge> : <Button size="small" isDisabled={pending} onClick={() => revoke(t.id)}>Revoke</Button>,
        ] }))} />
    </Flex>
  );
}
