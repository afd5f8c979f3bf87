// The README's and the guides' (docs/) Next.js code is the app's own: every ts/tsx block there
// starts with the line `// web/<file>` and is that file's text, verbatim (an excerpt of whole
// lines), so what users copy compiles and is tested here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
const blocks = pages.flatMap((page) =>
  [...readFileSync(join(root, page), 'utf8').matchAll(/^```(ts|tsx)\n([\s\S]*?)^```$/gm)].map((m) => m[2] ?? ''),
);

describe("the README's Next.js code", () => {
  it('has blocks to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });
  it.each(blocks.map((block) => [block.split('\n')[0] ?? '', block]))('%s is the file\'s own text', (first, block) => {
    const named = /^\/\/ (web\/\S+)$/.exec(first);
    expect(named, `a ts/tsx block must start with "// web/<file>", not ${JSON.stringify(first)}`).not.toBeNull();
    const file = named?.[1] ?? '';
    const source = readFileSync(join(root, file), 'utf8');
    const excerpt = block.split('\n').slice(1).join('\n');
    expect(excerpt.trim().length).toBeGreaterThan(0);
    expect(`\n${source}`.includes(`\n${excerpt}`), `README excerpt of ${file} differs from the file:\n${excerpt}`).toBe(true);
  });
});
