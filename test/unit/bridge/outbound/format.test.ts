import { describe, expect, it } from 'vitest';
import { readAgentEvent, type AgentEvent } from '../../../../electron/core/bridge/outbound/agent-event';
import { formatAgentEvent, type MessageEvent } from '../../../../electron/core/bridge/outbound/format';
import { looksLikeMarkdown, toDingTalkMarkdown } from '../../../../electron/core/bridge/outbound/markdown';
import type { LedgerEvent } from '../../../../electron/core/cccc/ledger/event';

const titles: Record<string, string> = { boss: 'Boss', helper: 'Helper' };
const ctx = { title: (id: string) => titles[id] ?? id, systemLabel: 'SYSTEM' };

function ev(kind: string, by: string, data: Record<string, unknown>): LedgerEvent {
  return { v: 1, id: `e-${Math.random()}`, ts: '2026-01-01T00:00:00.000000Z', kind, group_id: 'g', scope_key: '', by, data };
}

const msg = (by: string, text: string, to: string[] = [], extra: Record<string, unknown> = {}) =>
  readAgentEvent(ev('chat.message', by, { text, to, ...extra })) as Extract<AgentEvent, { kind: 'message' }>;

describe('formatting', () => {
  it('labels the sender, and the recipients when it is not for the user', () => {
    expect(formatAgentEvent(msg('boss', 'done', ['user']), ctx).messages).toEqual([{ kind: 'text', content: '[Boss] done' }]);
    expect(formatAgentEvent(msg('boss', 'please review', ['helper']), ctx).messages).toEqual([{ kind: 'text', content: '[Boss → @Helper] please review' }]);
    expect(formatAgentEvent(msg('boss', 'line1\nline2'), ctx).messages).toEqual([{ kind: 'text', content: '[Boss]\nline1\nline2' }]);
  });

  it('uses Markdown for structured text, a link card for a bare URL, and [SYSTEM] for notices', () => {
    const md = formatAgentEvent(msg('boss', '## Plan\n- step one\n- step two'), ctx).messages[0]!;
    expect(md).toMatchObject({ kind: 'markdown', title: '[Boss] Plan' });
    expect(md.kind === 'markdown' && md.text).toBe('**[Boss]**\n\n## Plan\n- step one\n- step two');
    expect(formatAgentEvent(msg('boss', 'https://example.com/pr/1'), ctx).messages[0]).toEqual({
      kind: 'link',
      title: '[Boss]',
      text: 'https://example.com/pr/1',
      messageUrl: 'https://example.com/pr/1',
    });
    const notice = readAgentEvent(ev('system.notify', 'system', { title: 'Build', message: 'failed', im_visibility: 'public' })) as MessageEvent;
    expect(formatAgentEvent(notice, ctx).messages).toEqual([{ kind: 'text', content: '[SYSTEM]\nBuild\nfailed' }]);
  });

  it('names the sender one way in every message type and chunk', () => {
    const heads = (text: string) =>
      formatAgentEvent(msg('boss', text), ctx).messages.map((m) =>
        m.kind === 'text'
          ? m.content.split(/[ \n]/)[0]
          : m.kind === 'markdown'
            ? [m.title.split(' ')[0], m.text.split('\n')[0]]
            : m.kind === 'link'
              ? m.title
              : m.kind,
      );
    expect(heads('plain')).toEqual(['[Boss]']);
    expect(heads('## Plan\n- a')).toEqual([['[Boss]', '**[Boss]**']]);
    expect(heads('https://example.com')).toEqual(['[Boss]']);
    const long = heads(Array.from({ length: 200 }, (_, i) => `- item ${i}`).join('\n'));
    expect(long.length).toBeGreaterThan(1);
    long.forEach((h, i) => expect(h).toEqual(['[Boss]', `**[Boss (${i + 1}/${long.length})]**`]));
  });

  it('labels a notice in the chat’s language', () => {
    const notice = readAgentEvent(ev('system.notify', 'system', { message: '构建失败', im_visibility: 'public' })) as MessageEvent;
    expect(formatAgentEvent(notice, { ...ctx, systemLabel: '系统' }).messages).toEqual([{ kind: 'text', content: '[系统] 构建失败' }]);
  });

  it('splits long text into numbered chunks that together hold every character', () => {
    const text = Array.from({ length: 300 }, (_, i) => `第 ${i} 行：结果 ok`).join('\n');
    const out = formatAgentEvent(msg('boss', text), ctx).messages;
    expect(out.length).toBeGreaterThan(4);
    const bodies = out.map((m, i) => {
      expect(m.kind).toBe('text');
      const content = (m as { content: string }).content;
      expect(content.startsWith(`[Boss (${i + 1}/${out.length})]`)).toBe(true);
      expect(content.length).toBeLessThanOrEqual(4096);
      expect(content.split('\n').length).toBeLessThanOrEqual(64);
      return content.slice(content.indexOf(']') + 2);
    });
    expect(bodies.join('')).toBe(text);
  });

  it('passes attachments on after the caption', () => {
    const out = formatAgentEvent(msg('boss', 'report attached', ['user'], { attachments: [{ path: 'state/blobs/abc_r.pdf', title: 'r.pdf' }] }), ctx);
    expect(out.messages).toHaveLength(1);
    expect(out.files).toEqual([{ path: 'state/blobs/abc_r.pdf', title: 'r.pdf' }]);
    expect(formatAgentEvent(msg('boss', '', ['user'], { attachments: [{ path: 'state/blobs/x_a.png' }] }), ctx).messages).toEqual([]);
  });
});

describe('DingTalk Markdown subset', () => {
  it('rewrites tables as lists and leaves code alone', () => {
    const text = 'Results:\n| test | result |\n|---|:---:|\n| a | ok |\n| b | fail |\n\n```\n| not | a table |\n|---|---|\n```';
    expect(looksLikeMarkdown(text)).toBe(true);
    expect(toDingTalkMarkdown(text)).toBe(
      'Results:\n- **test**: a · **result**: ok\n- **test**: b · **result**: fail\n\n```\n| not | a table |\n|---|---|\n```',
    );
  });

  it('does not take ordinary prose for Markdown', () => {
    expect(looksLikeMarkdown('All tests pass. Ready to merge — shall I?')).toBe(false);
    expect(looksLikeMarkdown('代码已经检查完毕，没有问题。')).toBe(false);
  });
});
