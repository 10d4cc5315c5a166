import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { asciiOnly } from '../../../bin/cli-bundle.js';

function evaluate(code: string): unknown {
  return runInNewContext(code) as unknown;
}

describe('asciiOnly', () => {
  // A regular expression's `source` shows the escapes; what it matches is the same.
  it('writes every non-ASCII character as an escape that means the same', () => {
    const code = String.raw`
      const 名前 = '内容';
      const plain = /^[ \t${'\u3000'}]*(@[^\s,，]+)/;
      const unicode = /[😀，]/u;
      const escaped = '\，';
      const doubled = '\\，';
      JSON.stringify({ 名前, template: ${'`'}链接 ${'${'}名前}${'`'}, emoji: '😀', escaped, doubled,
        plain: plain.exec('${'\u3000'}@小明，你好')?.[1], unicode: ['😀', '，', 'x'].map((s) => unicode.test(s))});
    `;
    const ascii = asciiOnly(code);
    expect(ascii).not.toMatch(/[\u0080-\uffff]/);
    expect(evaluate(ascii)).toBe(evaluate(code));
    expect(JSON.parse(evaluate(ascii) as string)).toMatchObject({ 名前: '内容', escaped: '，', doubled: '\\，', plain: '@小明', unicode: [true, true, false] });
  });
});
