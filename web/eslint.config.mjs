// Next.js's own lint rules (core web vitals, TypeScript), as `next lint` used to run them.
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTypeScript from 'eslint-config-next/typescript';

const config = [
  ...nextVitals,
  ...nextTypeScript,
  { ignores: ['.next/**', 'test-results/**', 'next-env.d.ts'] },
];

export default config;
