// web/'s Node is the repository's: the node package both pin (npm's scripts and npx run
// node_modules/.bin/node), the one Amplify Hosting installs (amplify.yml), and what
// package.json's engines lets npm ci run on (.npmrc: engine-strict).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const web = join(import.meta.dirname, '..');
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { devDependencies: Record<string, string>; engines?: { node?: string } };

describe("web/'s Node", () => {
  const own = json(join(web, 'package.json'));
  const pin = own.devDependencies.node ?? '';
  it('is the repository\'s pin, exact', () => {
    expect(pin).toMatch(/^\d+\.\d+\.\d+$/);
    expect(json(join(web, '..', 'package.json')).devDependencies.node).toBe(pin);
  });
  it('is the one Amplify Hosting installs', () => {
    expect(readFileSync(join(web, '..', 'amplify.yml'), 'utf8')).toContain(`nvm install ${pin} && nvm use ${pin}`);
  });
  it('is the one npm ci may run on', () => {
    expect(own.engines?.node).toBe(`${pin.split('.')[0]}.x`);
    expect(readFileSync(join(web, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
  });
});
