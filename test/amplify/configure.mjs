// Loads a generated amplify_outputs.json into the real Amplify JS v6 client (aws-amplify,
// pinned in package.json) and prints what it understood (Amplify.getConfig()) as JSON.
// Used by test/webconfig_test.go. Usage: node configure.mjs <amplify_outputs.json>...
// (one line of JSON per file, in order).
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node configure.mjs <amplify_outputs.json>...');
  process.exit(2);
}
for (const file of files) {
  Amplify.configure(JSON.parse(readFileSync(file, 'utf8')));
  process.stdout.write(JSON.stringify(Amplify.getConfig()) + '\n');
}
