'use client';
// Amplify in the browser, configured only from amplify_outputs.json (make outputs), with the
// session in cookies so that route handlers and server actions see it.
import { Amplify } from 'aws-amplify';
import outputs from '@/amplify_outputs.json';

Amplify.configure(outputs, { ssr: true });

export function Providers({ children }: { children: React.ReactNode }) {
  return children;
}
