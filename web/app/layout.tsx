import '@aws-amplify/ui-react/styles.css';
import type { Metadata } from 'next';
import { connection } from 'next/server';
import { previewNotice } from '@/lib/preview';
import { Alert, View } from './amplify-ui';
import { Providers } from './providers';
import { SiteHeader } from './site-header';

// Each page names itself ("Uploads · gatehouse"); the home page has the default.
export const metadata: Metadata = {
  title: { default: 'gatehouse reference app', template: '%s · gatehouse' },
  description: "gatehouse's reference Next.js app: sign-in, per-user uploads, items, API tokens and feedback through the stacks' access paths.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request, so that its scripts carry the request's CSP nonce
  // (proxy.ts; response-headers.ts says why a nonce).
  await connection();
  const preview = previewNotice();
  return (
    <html lang="en">
      <body style={{ margin: 0 }}>
        <Providers>
          <SiteHeader />
          {preview && (
            <Alert variation="warning" role="note" aria-label="Preview" heading={preview.heading} borderRadius="0">
              {preview.text}
            </Alert>
          )}
          <View as="main" maxWidth="64rem" margin="0 auto" padding="large">
            {children}
          </View>
        </Providers>
      </body>
    </html>
  );
}
