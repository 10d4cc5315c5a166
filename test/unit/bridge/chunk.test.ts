import { describe, expect, it } from 'vitest';
import { chunkMarkdown, chunkText, DINGTALK_CHUNK_LIMITS } from '../../../electron/core/bridge/chunk';

const within = (chunk: string) => {
  expect(chunk.length).toBeLessThanOrEqual(DINGTALK_CHUNK_LIMITS.maxChars);
  expect(chunk.replace(/\n$/, '').split('\n').length).toBeLessThanOrEqual(DINGTALK_CHUNK_LIMITS.maxLines);
  expect(Buffer.byteLength(JSON.stringify(chunk)) - 2).toBeLessThanOrEqual(DINGTALK_CHUNK_LIMITS.maxBytes);
};

describe('chunkText', () => {
  it('returns short text unchanged', () => {
    expect(chunkText('hello\n  world')).toEqual(['hello\n  world']);
  });

  it('is lossless and within limits for long ASCII, CJK, emoji and many-line text', () => {
    const samples = [
      'word '.repeat(5000),
      '中文内容测试，'.repeat(3000),
      '😀🚀'.repeat(4000),
      Array.from({ length: 500 }, (_, i) => `line ${i}`).join('\n'),
      'x'.repeat(20_000),
      '"quoted\\"\t'.repeat(3000),
    ];
    for (const text of samples) {
      const chunks = chunkText(text);
      expect(chunks.length).toBeGreaterThan(1);
      expect(chunks.join('')).toBe(text);
      chunks.forEach(within);
    }
  });

  it('splits at line ends when it can', () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const chunks = chunkText(text);
    expect(chunks[0]!.endsWith('\n')).toBe(true);
    expect(chunks[0]!.split('\n').length - 1).toBe(64);
  });

  it('never splits a surrogate pair', () => {
    const text = 'a' + '😀'.repeat(3000);
    for (const c of chunkText(text, { maxChars: 101, maxLines: 64, maxBytes: 10_000 })) {
      expect(c.charCodeAt(c.length - 1) >= 0xd800 && c.charCodeAt(c.length - 1) <= 0xdbff).toBe(false);
    }
  });

  it('keeps CJK text under the byte budget (3 bytes per character)', () => {
    const chunks = chunkText('汉'.repeat(10_000));
    chunks.forEach(within);
    expect(chunks.join('')).toBe('汉'.repeat(10_000));
  });
});

describe('chunkMarkdown', () => {
  it('closes and reopens a code fence that spans chunks, keeping all code lines', () => {
    const code = Array.from({ length: 150 }, (_, i) => `const v${i} = ${i};`).join('\n');
    const text = `Result:\n\`\`\`ts\n${code}\n\`\`\`\nDone.`;
    const chunks = chunkMarkdown(text);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) {
      within(c);
      const fences = c.split('\n').filter((l) => l.startsWith('```')).length;
      expect(fences % 2).toBe(0);
    }
    expect(chunks[1]!.startsWith('```ts\n')).toBe(true);
    const allCode = chunks
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('const v'));
    expect(allCode).toEqual(code.split('\n'));
  });
});
