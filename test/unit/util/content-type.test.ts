import { describe, expect, it } from 'vitest';
import { contentTypeFor } from '../../../electron/core/util/content-type';

describe('contentTypeFor', () => {
  const allowed = new Set(['.png', '.html', '.json', '.txt']);

  it('types allowed extensions from the MIME table, with a charset for text', () => {
    expect(contentTypeFor('a.png', allowed)).toBe('image/png');
    expect(contentTypeFor('dir/INDEX.HTML', allowed)).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('x.json', allowed)).toBe('application/json; charset=utf-8');
    expect(contentTypeFor('notes.txt', allowed)).toBe('text/plain; charset=utf-8');
  });

  it('refuses what is not allowed, even when the table knows it', () => {
    expect(contentTypeFor('a.svg', allowed)).toBeUndefined();
    expect(contentTypeFor('no-extension', allowed)).toBeUndefined();
  });
});
