import type { NextConfig } from 'next';
import outputs from './amplify_outputs.json';
import { appPolicy, browserEndpoints, securityHeaders } from './response-headers';

// Read when the build starts, after Next has loaded .env.local / .env.production (CDN_DOMAIN).
const endpoints = browserEndpoints(outputs, process.env);
const development = process.env.NODE_ENV === 'development';

const config: NextConfig = {
  reactStrictMode: true,
  // No serverActions.allowedOrigins: Next runs a server action only when its Origin names this
  // host (x-forwarded-host, else Host); proxy.ts refuses a request without one first.
  poweredByHeader: false,
  // web/ is its own project (its own lock file), inside the CDK app's repository.
  outputFileTracingRoot: import.meta.dirname,
  async headers() {
    return [
      // security-headers.json on every answer, with the app's one complete policy; without a
      // nonce here: pages get theirs from proxy.ts, which sends the same policy with one.
      { source: '/:path*', headers: securityHeaders(appPolicy(endpoints, { development })) },
    ];
  },
};

export default config;
