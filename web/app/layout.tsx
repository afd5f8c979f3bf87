import '@aws-amplify/ui-react/styles.css';
import Link from 'next/link';
import { Providers } from './providers';

export const metadata = { title: 'gatehouse reference app' };

export default function RootLayout({ children }: { children: React.ReactNode }) {
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
