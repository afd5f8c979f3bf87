import type { NextConfig } from 'next';

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // web/ is its own project (its own lock file), inside the CDK app's repository.
  outputFileTracingRoot: import.meta.dirname,
};

export default config;
