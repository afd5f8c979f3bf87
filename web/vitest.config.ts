// The unit tests run the server modules outside Next: `server-only` is what Next's server build
// makes of it (empty), as its `react-server` export does; `@/` is tsconfig's path. Every AWS call
// the server code sends in them is recorded (test/aws-calls.ts) and written to
// test-results/aws-calls.json at the end of the run, for the least-privilege check.
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      { find: /^server-only$/, replacement: fileURLToPath(new URL('./node_modules/server-only/empty.js', import.meta.url)) },
      { find: /^@\//, replacement: fileURLToPath(new URL('./', import.meta.url)) },
    ],
  },
  test: {
    setupFiles: ['./test/aws-calls.setup.ts'],
    // Vitest's own (which depend on where it runs), and the one that writes the record.
    reporters: [...configDefaults.reporters, './test/aws-calls.reporter.ts'],
  },
});
