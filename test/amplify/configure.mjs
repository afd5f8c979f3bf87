// Loads a generated amplify_outputs.json into the real Amplify JS v6 client (aws-amplify,
// pinned in package.json) and prints what it understood (Amplify.getConfig()) as JSON.
// Used by test/webconfig_test.go. Usage: node configure.mjs <amplify_outputs.json>
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';

const file = process.argv[2];
if (!file) {
  console.error('usage: node configure.mjs <amplify_outputs.json>');
  process.exit(2);
}
const outputs = JSON.parse(readFileSync(file, 'utf8'));
Amplify.configure(outputs);
process.stdout.write(JSON.stringify(Amplify.getConfig()));
