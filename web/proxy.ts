// Every request of a page passes here. One that is not a GET or HEAD (a server action is a POST
// to its page) must come from the app's own pages (lib/http.ts fromOwnPages), or it is refused
// (403, no-store) before the session or the configuration is read; Next then checks its Origin
// against the host, as it does for every server action. A page gets its Content-Security-Policy
// with a fresh nonce (response-headers.ts says why): Next reads the nonce from the request's
// policy and puts it on its own scripts; the browser gets the same policy, which replaces
// next.config.ts's nonce-less one, so a page sends one policy.
import { NextResponse, type NextRequest } from 'next/server';
import outputs from './amplify_outputs.json';
import { fromOwnPages } from './lib/http';
import { appPolicy, browserEndpoints, noStore } from './response-headers';

const endpoints = browserEndpoints(outputs, process.env);
const development = process.env.NODE_ENV === 'development';

export function proxy(request: NextRequest) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const refused = fromOwnPages(request.headers);
    if (refused) return NextResponse.json(refused.body, { status: refused.status, headers: { 'Cache-Control': noStore } });
  }
  // A prefetch's answer is not a document: next.config.ts's policy covers it.
  if (request.headers.has('next-router-prefetch') || request.headers.get('purpose') === 'prefetch') return NextResponse.next();
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const policy = appPolicy(endpoints, { nonce, development });
  const headers = new Headers(request.headers);
  headers.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  return response;
}

export const config = {
  // Every path but static files and the image optimizer (next.config.ts's policy covers them).
  matcher: ['/((?!_next/static/|_next/image|favicon.ico).*)'],
};
