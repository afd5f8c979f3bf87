// make web-preview's banner (lib/preview.ts): only with the one value that target sets.
import { describe, expect, it } from 'vitest';
import { previewNotice } from '../lib/preview';

describe('the preview banner', () => {
  it('shows with GATEHOUSE_PREVIEW=fixture, saying that sign-in and AWS calls cannot work', () => {
    const notice = previewNotice({ GATEHOUSE_PREVIEW: 'fixture' });
    expect(notice?.heading).toBe('Preview on the test fixture');
    expect(notice?.text).toMatch(/Sign-in and every AWS call .* cannot work offline/);
  });
  it('never shows otherwise: a deployment does not set the variable', () => {
    expect(previewNotice({})).toBeUndefined();
    for (const value of ['', '1', 'true', 'Fixture']) expect(previewNotice({ GATEHOUSE_PREVIEW: value })).toBeUndefined();
  });
});
