import { describe, expect, it } from 'vitest';
import type { LogView } from '../../../electron/shared/api';
import { en } from '../../../renderer/src/i18n/en';
import { resolveLanguage } from '../../../renderer/src/i18n';
import { zh } from '../../../renderer/src/i18n/zh';
import { appendLogs, BUFFER, matches, type LogFilter } from '../../../renderer/src/logs/filter';
import { fieldsText, shortScope } from '../../../renderer/src/logs/Logs';

const rec = (over: Partial<LogView> = {}): LogView => ({ ts: 1, level: 'info', scope: 'b1.bridge.inbox', msg: 'Delivered to CCCC', bridgeId: 'b1', ...over });
const all: LogFilter = { level: 'debug', bridgeId: '', chatId: '', search: '' };

describe('log filter', () => {
  it('keeps the chosen level and above, one bridge, one chat, and text in message, scope or fields', () => {
    expect(matches(rec({ level: 'debug' }), { ...all, level: 'info' })).toBe(false);
    expect(matches(rec({ level: 'error' }), { ...all, level: 'warn' })).toBe(true);
    expect(matches(rec(), { ...all, bridgeId: 'b2' })).toBe(false);
    expect(matches(rec({ chatId: 'c1' }), { ...all, chatId: 'c1' })).toBe(true);
    expect(matches(rec(), { ...all, chatId: 'c1' })).toBe(false);
    expect(matches(rec(), { ...all, search: 'delivered' })).toBe(true);
    expect(matches(rec(), { ...all, search: 'INBOX' })).toBe(true);
    expect(matches(rec({ fields: { event: 'ev42' } }), { ...all, search: 'ev42' })).toBe(true);
    expect(matches(rec(), { ...all, search: 'nothing' })).toBe(false);
  });

  it('appends in time order, drops a record seen twice (fetch and event), and keeps only the newest BUFFER', () => {
    let buf = appendLogs([], [rec({ ts: 2 }), rec({ ts: 1 })]);
    expect(buf.map((r) => r.ts)).toEqual([1, 2]);
    buf = appendLogs(buf, [rec({ ts: 2 })]);
    expect(buf).toHaveLength(2);
    const many = Array.from({ length: BUFFER + 10 }, (_, i) => rec({ ts: 10 + i }));
    buf = appendLogs(buf, many);
    expect(buf).toHaveLength(BUFFER);
    expect(buf.at(-1)?.ts).toBe(10 + BUFFER + 9);
  });

  it('shows the scope without the bridge id and the fields without the chat repeated', () => {
    expect(shortScope(rec())).toBe('bridge.inbox');
    expect(shortScope(rec({ bridgeId: undefined, scope: 'control' }))).toBe('control');
    expect(shortScope(rec({ scope: 'b1' }))).toBe('bridge');
    expect(fieldsText(rec({ chatId: 'c1', fields: { chat: 'c1', n: 2, s: 'x' } }))).toBe('n=2 s=x');
  });
});

describe('language', () => {
  it('follows the choice, else the first OS language it knows (any Chinese → 中文), else English', () => {
    expect(resolveLanguage('en', ['zh-CN'])).toBe('en');
    expect(resolveLanguage(undefined, ['zh-TW', 'en'])).toBe('zh');
    expect(resolveLanguage(undefined, ['fr-FR', 'en-US', 'zh'])).toBe('en');
    expect(resolveLanguage(undefined, ['de'])).toBe('en');
  });

  it('has every English text in Chinese too, with the same placeholders and tags', () => {
    const walk = (a: unknown, b: unknown, path: string): void => {
      if (typeof a === 'string') {
        expect(typeof b, path).toBe('string');
        const marks = (s: string) => [...s.matchAll(/\{\{\w+\}\}|<\w+\/>/g)].map((m) => m[0]).sort();
        expect(marks(b as string), path).toEqual(marks(a));
        expect((b as string).trim(), path).not.toBe('');
        return;
      }
      if (Array.isArray(a)) {
        expect(Array.isArray(b) && b.length === a.length, path).toBe(true);
        a.forEach((x, i) => walk(x, (b as unknown[])[i], `${path}[${i}]`));
        return;
      }
      const bo = b as Record<string, unknown>;
      expect(Object.keys(bo).sort(), path).toEqual(Object.keys(a as object).sort());
      for (const [k, v] of Object.entries(a as object)) walk(v, bo[k], `${path}.${k}`);
    };
    walk(en, zh, 'zh');
  });
});
