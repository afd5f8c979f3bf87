import '@aws-amplify/ui-react/styles.css';
import { Providers } from './providers';

export const metadata = { title: 'gatehouse reference app' };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <nav>
            <a href="/">Home</a> · <a href="/uploads">Uploads</a> · <a href="/tokens">API tokens</a> · <a href="/feedback">Feedback</a>
          </nav>
          {children}
        </Providers>
      </body>
    </html>
  );
}
