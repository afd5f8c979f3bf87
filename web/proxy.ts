// Each page's Content-Security-Policy with a fresh nonce (response-headers.ts says why): Next reads
// the nonce from the request's policy and puts it on its own scripts; the browser gets the same
// policy, which replaces next.config.ts's nonce-less one, so a page sends one policy.
import { NextResponse, type NextRequest } from 'next/server';
import outputs from './amplify_outputs.json';
import { appPolicy, browserEndpoints } from './response-headers';

const endpoints = browserEndpoints(outputs, process.env);
const development = process.env.NODE_ENV === 'development';

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const policy = appPolicy(endpoints, { nonce, development });
  const headers = new Headers(request.headers);
  headers.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  // Pages only: not the API routes, static files or image optimizer (next.config.ts's policy
  // covers them), nor prefetches (their answers are not documents).
  matcher: [{
    source: '/((?!api/|_next/static/|_next/image|favicon.ico).*)',
    missing: [
      { type: 'header', key: 'next-router-prefetch' },
      { type: 'header', key: 'purpose', value: 'prefetch' },
    ],
  }],
};
