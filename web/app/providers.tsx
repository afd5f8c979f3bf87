'use client';
// Amplify in the browser, configured only from amplify_outputs.json (make web-config), with the
// session in cookies so that the server's actions see it; around every page,
// Amplify UI's theme and one sign-in state for the header and each page's Authenticator
// (Authenticator.Provider). The default theme: its CSS variables are in the stylesheet the layout
// imports, where a theme object here would inline all of them (about 120 kB) into every page.
import { Authenticator, ThemeProvider } from '@aws-amplify/ui-react';
import { Amplify } from 'aws-amplify';
import outputs from '@/amplify_outputs.json';

Amplify.configure(outputs, { ssr: true });

export function Providers({ children }: { children: React.ReactNode }) {
  return (
    <ThemeProvider>
      <Authenticator.Provider>{children}</Authenticator.Provider>
    </ThemeProvider>
  );
}
