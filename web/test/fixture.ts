// The server's configuration the unit tests run on: the .env.local that `make web-config` writes from
// the deploy-shaped fixture (test/testdata/cdk-outputs.json; make test-web writes it when web/ has
// none), so that the AWS calls they record name the fixture's roles, functions and topic.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

const file = join(import.meta.dirname, '..', '.env.local');
const text = readFileSync(file, 'utf8');
if (!/^# Generated .* from test\/testdata\/cdk-outputs\.json /.test(text)) {
  throw new Error(`${file} is not the deploy-shaped fixture's configuration, which the unit tests run on: move it aside and run make test-web, which writes the fixture's`);
}
const values = parseEnv(text);

const names = [
  'AWS_REGION', 'TRUST_ROLE_ARN', 'ROLE_SESSION_NAME', 'SESSION_DURATION_SECONDS', 'ASSET_FUNCTION_NAME', 'FEEDBACK_TOPIC_ARN',
  'CDN_DOMAIN', 'SIGNER_FUNCTION_NAME', 'API_URL', 'TOKEN_SERVICE_FUNCTION_NAME',
] as const;

/** The fixture's .env.local: every variable the server reads (lib/config.ts). */
export const env = Object.fromEntries(names.map((name) => {
  const value = values[name];
  if (!value) throw new Error(`${file} has no ${name}`);
  return [name, value];
})) as Record<(typeof names)[number], string>;
