// After next build (make test-web): the browser's bundle (.next/static) holds none of the server's
// AWS clients or configuration. `import 'server-only'` stops the build when a client component
// imports a server module; this catches what reaches the browser another way (a client
// component importing an AWS client itself). Each marker is a string the SDK keeps through
// minification (the client's and service's names it passes to its command builder), or a name.
// Checked by hand: with `import { InvokeCommand } from '@aws-sdk/client-lambda'` and a use of it
// in app/uploads/gallery.tsx, next build succeeds and this check fails, naming the chunk.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const markers = {
  'STS (the role chain)': ['AssumeRoleCommand', '@aws-sdk/client-sts', 'STSClient', 'AWSSecurityTokenServiceV20110615', 'fromTemporaryCredentials'],
  'Lambda (the asset functions)': ['InvokeCommand', '@aws-sdk/client-lambda', 'client-lambda', 'LambdaClient', 'AWSGirApiService'],
  'SNS (feedback)': ['@aws-sdk/client-sns', 'SNSClient', 'AmazonSimpleNotificationService'],
  "the server's configuration": ['TRUST_ROLE_ARN', 'TOKEN_SERVICE_FUNCTION_NAME'],
};

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const staticDir = join(web, '.next', 'static');
const files = readdirSync(staticDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
if (files.length === 0) {
  console.error(`no JavaScript under ${relative(web, staticDir)}: run next build first`);
  process.exit(1);
}
const leaks = [];
for (const file of files) {
  const text = readFileSync(join(staticDir, file), 'utf8');
  for (const [what, strings] of Object.entries(markers)) {
    const found = strings.filter((s) => text.includes(s));
    if (found.length > 0) leaks.push(`.next/static/${file}: ${what}: ${found.join(', ')}`);
  }
}
if (leaks.length > 0) {
  console.error(`server code in the browser's bundle (a client component imports it; keep it in a server module with import 'server-only'):\n${leaks.map((l) => `  ${l}`).join('\n')}`);
  process.exit(1);
}
console.log(`the browser's bundle: ${files.length} chunks, no STS, Lambda or SNS client, no server configuration`);
