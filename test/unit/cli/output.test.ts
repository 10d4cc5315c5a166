/** The CLI's one gate to the terminal: no escape sequence, control character or known secret gets through. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addOutputSecrets, err, formatRecord, out, printJson } from '../../../electron/cli/output';

const printed = (): string =>
  vi
    .mocked(process.stdout.write)
    .mock.calls.map((c) => String(c[0]))
    .join('') +
  vi
    .mocked(process.stderr.write)
    .mock.calls.map((c) => String(c[0]))
    .join('');

afterEach(() => vi.restoreAllMocks());

function capture(): void {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
}

// What a nickname or group title from DingTalk can carry.
const HOSTILE = [
  'Mallory\x1b[2J\x1b[H', // clear the screen
  '\x1b]0;pwned\x07title', // OSC: set the window title
  '\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\', // OSC 8 hyperlink
  'Bob\rApproved', // carriage return overwrites the line
  'a\u202Eexe.txt', // right-to-left override
  'x\u2066y\u2069z\u200F', // isolates and marks
  'c1\x9b31mred', // 8-bit CSI
  'bell\x07nul\x00del\x7f',
];

describe('CLI output', () => {
  it.each(HOSTILE)('strips escapes and controls from %j', (text) => {
    capture();
    out(`from ${text}`);
    err(text);
    const shown = printed();
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(shown).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]/);
    expect(shown.endsWith('\n')).toBe(true);
  });

  it('keeps the readable text', () => {
    capture();
    out('Bob\rApproved \x1b[31mred\x1b[0m 张三\tnext\nline');
    expect(printed()).toBe('BobApproved red 张三\tnext\nline\n');
  });

  it('masks a secret the command knows in every line, JSON included, and escapes bidi marks in JSON', () => {
    capture();
    addOutputSecrets('s3cr3t-app-secret-value');
    out('DingTalk rejected the request: Forbidden (the secret s3cr3t-app-secret-value is wrong)');
    printJson({ message: 'echo s3cr3t-app-secret-value', nick: 'a\u202Eb' });
    err(formatRecord({ ts: 0, level: 'warn', scope: 'x', msg: 'said s3cr3t-app-secret-value', fields: { nick: 'Eve\x1b[2J' } }));
    const shown = printed();
    expect(shown).not.toContain('s3cr3t-app-secret-value');
    expect(shown).toContain('***');
    expect(shown).toContain('"nick": "a\\u202eb"');
    expect(JSON.parse(shown.split('\n').slice(1, 5).join('\n'))).toEqual({ message: 'echo ***', nick: 'a\u202Eb' });
  });
});
