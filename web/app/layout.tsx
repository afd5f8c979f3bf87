import '@aws-amplify/ui-react/styles.css';
import Link from 'next/link';
import { connection } from 'next/server';
import { Providers } from './providers';

export const metadata = { title: 'gatehouse reference app' };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request, so that its scripts carry the request's CSP nonce
  // (proxy.ts; response-headers.ts says why a nonce).
  await connection();
  return (
    <html lang="en">
      <body>
        <Providers>
          <nav>
            <Link href="/">Home</Link> · <Link href="/uploads">Uploads</Link> · <Link href="/tokens">API tokens</Link> · <Link href="/feedback">Feedback</Link>
          </nav>
          {children}
        </Providers>
      </body>
    </html>
  );
}
