// lib/entered: what a refused form gives back as its fields' defaults.
import { describe, expect, it } from 'vitest';
import { entered } from '../lib/entered';

describe('entered', () => {
  it('gives each named field its text, and "" for a missing field or a file', () => {
    const form = new FormData();
    form.set('id', 'i1');
    form.set('body', '');
    form.set('upload', new Blob(['x']), 'x.txt');
    form.set('other', 'not asked');
    expect(entered(form, ['id', 'name', 'body', 'upload'])).toEqual({ id: 'i1', name: '', body: '', upload: '' });
  });
});
