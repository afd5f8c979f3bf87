// Next.js's own lint rules (core web vitals, TypeScript), as `next lint` used to run them.
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTypeScript from 'eslint-config-next/typescript';

const config = [
  ...nextVitals,
  ...nextTypeScript,
  { ignores: ['.next/**', 'test-results/**', 'next-env.d.ts'] },
  // The tests mock AWS clients only through test/aws-mocks.ts, whose mocks record every call sent.
  {
    ignores: ['test/aws-mocks.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'aws-sdk-client-mock', message: 'use the mocks of test/aws-mocks.ts: their calls are recorded (test/aws-calls.ts)' }] }],
    },
  },
];

export default config;
