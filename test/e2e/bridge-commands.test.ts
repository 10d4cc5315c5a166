import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ImState } from '../../electron/core/cccc/im-state/im-state';
import { expectQuietFor, waitFor } from '../helpers/wait';
import { GROUP_CHAT, startE2E, textOf, type E2E } from './harness';

let e: E2E;
beforeAll(async () => {
  e = await startE2E();
  await e.subscribe();
});
afterAll(async () => e.close());
beforeEach(() => e.dt.clearSent());

describe('commands in a subscribed group chat', () => {
  it('/status shows the group, running state, actors and this chat (running read from the right place)', async () => {
    e.say('/status');
    const s = await e.reply(/Demo project/);
    expect(s.msgKey).toBe('markdown');
    const text = textOf(s);
    expect(text).toContain('🟢 运行中');
    expect(text).toMatch(/🟢 boss · 主管/);
    expect(text).toMatch(/helper · 成员/);
    expect(text).toContain('本会话：已订阅 · 详细模式关 · 推送中');
  });

  it('/help lists every command with tappable links', async () => {
    e.say('/h');
    const help = textOf(await e.reply(/CCCC 命令/));
    for (const cmd of ['/subscribe', '/unsubscribe', '/status', '/context', '/pause', '/resume', '/verbose', '/launch', '/quit', '/help']) {
      expect(help).toContain(`[${cmd}](dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(cmd)})`);
    }
    expect(help).toContain('/send @<智能体> <消息>');
  });

  it('/send routes to actors by id or title, @all and @peers, and names unknown agents', async () => {
    e.say('/send @helper,@BOSS first');
    e.say('/send @all second');
    e.say('/send @peers third');
    await waitFor(async () => (await e.fromPeople()).some((m) => m.data['text'] === 'third'), 'third message');
    const sent = (await e.fromPeople()).slice(-3).map((m) => [m.data['text'], m.data['to']]);
    expect(sent).toEqual([
      ['first', ['helper', 'boss']],
      ['second', ['@all']],
      ['third', ['@peers']],
    ]);
    e.say('/send @nobody hello');
    expect(textOf(await e.reply(/没有智能体 @nobody/))).toContain('@helper');
    e.say('/send @helper');
    await e.reply(/消息是空的/);
  });

  it('delivers agent-to-agent messages only in verbose mode, and never echoes people', async () => {
    await e.cccc.speak('boss', 'internal note for helper', { to: ['helper'] });
    await e.cccc.speak('boss', 'for the user', { to: ['user'] });
    await e.reply('for the user');
    expect(e.texts().some((t) => t.includes('internal note'))).toBe(false);

    e.say('/verbose');
    await e.reply(/详细模式已开启/);
    await e.cccc.speak('boss', 'second internal note', { to: ['helper'] });
    expect(textOf(await e.reply('second internal note'))).toBe('[boss → @helper] second internal note');
    e.say('/v off');
    await e.reply(/详细模式已关闭/);
    expect(e.texts().some((t) => t.includes('请检查'))).toBe(false);
  });

  it('holds messages while paused and sends them, in order, after /resume', async () => {
    e.say('/pause');
    await e.reply(/已暂停推送/);
    for (const n of [1, 2, 3]) await e.cccc.speak('boss', `held ${n}`, { to: ['user'] });
    // The bridge has read all three and kept them back (its held journal), and sends none of them.
    await waitFor(async () => (await readFile(join(e.stateDir, 'held.jsonl'), 'utf8').catch(() => '')).includes('held 3'), 'held 3 kept back on disk');
    await expectQuietFor(300, 'nothing held sent while paused', () => !e.texts().some((t) => t.includes('held')));
    expect(e.texts().some((t) => t.includes('held'))).toBe(false);
    e.say('/resume');
    await e.reply(/暂停期间有 3 条消息/);
    await e.reply('held 3');
    const order = e.texts().filter((t) => t.includes('held ') || t.includes('已恢复推送'));
    expect(order).toEqual(['▶️ 已恢复推送，暂停期间有 3 条消息，马上补发。', '[boss] held 1', '[boss] held 2', '[boss] held 3']);
  });

  it('forwards public notices as [系统] (the chat’s language) and keeps internal ones', async () => {
    await e.cccc.notify('Build failed on main', { visibility: 'public', title: 'CI' });
    await e.cccc.notify('internal bookkeeping', { visibility: 'internal' });
    expect(textOf(await e.reply(/Build failed/))).toBe('[系统]\nCI\nBuild failed on main');
    await expectQuietFor(300, 'the internal notice kept back', () => !e.texts().some((t) => t.includes('bookkeeping')));
    expect(e.texts().some((t) => t.includes('bookkeeping'))).toBe(false);
  });

  it('/quit and /launch stop and start the agents; /context summarises', async () => {
    e.say('/quit');
    await e.reply(/已停止/);
    e.say('/launch');
    await e.reply(/已启动|已在运行/);
    e.say('/ctx');
    await e.reply(/还没有设定目标|目标/);
  });

  it('answers unknown commands and unsupported message types politely', async () => {
    e.say('/frobnicate');
    await e.reply(/未知命令 \/frobnicate/);
    e.dt.injectMessage({ conversationId: GROUP_CHAT, conversationType: '2', msgtype: 'sticker', content: {} } as never);
    await e.reply(/暂不支持这种消息类型（sticker）/);
  });

  it('splits a long agent answer into ordered chunks that hold every character', async () => {
    const long = Array.from({ length: 400 }, (_, i) => `第 ${i} 行 result=${'x'.repeat(i % 30)}`).join('\n');
    await e.cccc.speak('boss', long, { to: ['user'] });
    await waitFor(() => e.texts().filter((t) => t.startsWith('[boss (')).length >= 7, 'chunks', 8_000);
    const chunks = e.texts().filter((t) => t.startsWith('[boss ('));
    const n = chunks.length;
    chunks.forEach((c, i) => expect(c.startsWith(`[boss (${i + 1}/${n})]\n`)).toBe(true));
    expect(chunks.map((c) => c.slice(c.indexOf('\n') + 1)).join('')).toBe(long);
  });

  it('/unsubscribe revokes: the chat gets nothing more and only /subscribe answers', async () => {
    e.say('/unsubscribe');
    await e.reply(/已取消订阅/);
    await e.cccc.speak('boss', 'after unsubscribe', { to: ['user'] });
    const status = e.say('/status');
    await waitFor(() => e.dt.acked().some((a) => a.msgId === status.msgId), 'the /status received');
    await expectQuietFor(
      500,
      'no answer and no agent message in the revoked chat',
      () => !e.texts().some((t) => t.includes('after unsubscribe') || t.includes('Demo project')),
    );
    expect(e.texts().some((t) => t.includes('after unsubscribe') || t.includes('Demo project'))).toBe(false);
    // Read from CCCC's own IM state files, as its Web UI and CLI would.
    expect(await new ImState({ groupDir: e.cccc.groupDir() }).isAuthorized(GROUP_CHAT)).toBe(false);
    await e.subscribe();
  });
});
