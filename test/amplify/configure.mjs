// Loads a generated amplify_outputs.json into the real Amplify JS v6 client (aws-amplify,
// pinned in package.json) and prints what it understood (Amplify.getConfig()) as JSON.
// Used by test/webconfig_test.go. Usage: node configure.mjs <amplify_outputs.json>..., or the
// files as a JSON array on stdin (the tests start it early and send the files when they exist).
// Prints one line of JSON per file, in order.
import { readFileSync } from 'node:fs';
import { Amplify } from 'aws-amplify';

const files = process.argv.length > 2 ? process.argv.slice(2) : JSON.parse(readFileSync(0, 'utf8') || '[]');
if (files.length === 0) {
  console.error('usage: node configure.mjs <amplify_outputs.json>... (or a JSON array of files on stdin)');
  process.exit(2);
}
for (const file of files) {
  Amplify.configure(JSON.parse(readFileSync(file, 'utf8')));
  process.stdout.write(JSON.stringify(Amplify.getConfig()) + '\n');
}
