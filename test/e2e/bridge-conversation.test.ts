/**
 * The conversation as CCCC's main branch means it (docs/cccc-contract.md §10): agents' questions
 * to the people (reply requests) and the truth about delivery (runtime.delivery evidence), and
 * the released CCCC without either.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectQuietFor, waitFor } from '../helpers/wait';
import { startE2E, textOf, type E2E } from './harness';
import type { LedgerEvent } from '../fakes/cccc/ledger';

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

const tagOf = (event: LedgerEvent): string => `#${event.id.slice(0, 4)}`;
const thinkingOn = (msgId: string): boolean => e!.dt.emotions().some((r) => r.action === 'reply' && r.body['openMsgId'] === msgId);

/** The person's messages in the ledger with this text. */
async function sentByPerson(text: string): Promise<LedgerEvent> {
  return waitFor(async () => (await e!.fromPeople()).find((ev) => ev.data['text'] === text), `"${text}" in the ledger`);
}

async function contextText(): Promise<string> {
  e!.dt.clearSent();
  e!.say('/context');
  return textOf(await e!.reply(/./));
}

describe('reply requests: an agent waits for the people', () => {
  it('shows the question as needing a reply, with quick answers, and a quoted answer closes it in CCCC', async () => {
    e = await startE2E({ settings: { replyLanguage: 'en' } });
    await e.subscribe();
    const question = await e.cccc.speak('boss', 'Shall I deploy to staging?', { to: ['user'], requestReply: true });
    const card = await e.reply('Shall I deploy');
    expect(card.msgKey).toBe('actionCard');
    expect(textOf(card)).toContain(`boss needs your reply** ${tagOf(question)}`);
    expect(textOf(card)).toMatch(/Quote this message to answer/);
    const buttons = card.msgParam['btns'] as { title: string; actionURL: string }[];
    expect(buttons.map((b) => b.title)).toEqual(['👍 OK', '👎 No']);
    expect(decodeURIComponent(buttons[0]!.actionURL)).toBe(`dtmd://dingtalkclient/sendMessage?content=${tagOf(question)} OK`);
    expect(await contextText()).toContain(`${tagOf(question)} · boss: Shall I deploy to staging?`);

    e.say('yes, go ahead', { quote: card });
    const answer = await sentByPerson('yes, go ahead');
    expect(answer.data).toMatchObject({ reply_to: question.id, to: ['boss'] });
    // CCCC has the answer: the question is no longer open.
    await waitFor(async () => !(await contextText()).includes(tagOf(question)), 'question closed');
  });

  it('a plain message answers the only open question; with two open, only a tag or a quote says which', async () => {
    e = await startE2E({ settings: { replyLanguage: 'en' } });
    await e.subscribe();
    const first = await e.cccc.speak('boss', 'Which port?', { to: ['user'], requestReply: true });
    await e.reply('Which port?');
    e.say('8080');
    expect((await sentByPerson('8080')).data).toMatchObject({ reply_to: first.id, to: ['boss'] });

    const a = await e.cccc.speak('boss', 'Use Postgres?', { to: ['user'], requestReply: true });
    const b = await e.cccc.speak('helper', 'Rename the module?', { to: ['user'], requestReply: true });
    await e.reply('Rename the module?');
    e.say('what is going on?');
    const plain = await sentByPerson('what is going on?');
    expect(plain.data['reply_to']).toBeNull();
    expect(plain.data['to']).toEqual(['@foreman']);
    e.say(`${tagOf(b)} yes, rename it`);
    expect((await sentByPerson('yes, rename it')).data).toMatchObject({ reply_to: b.id, to: ['helper'] });
    e.say('not sure', { quote: { text: 'someone else said this' } });
    expect((await sentByPerson('not sure')).data['reply_to']).toBeNull();
    // The tapped quick answer of the other one.
    e.say(`${tagOf(a)} OK`);
    expect((await sentByPerson('OK')).data).toMatchObject({ reply_to: a.id, to: ['boss'] });
  });

  it('a cancelled question disappears from /context, and the open ones survive a restart', async () => {
    e = await startE2E();
    await e.subscribe();
    const kept = await e.cccc.speak('boss', '要不要升级依赖？', { to: ['user'], requestReply: true });
    const dropped = await e.cccc.speak('helper', '可以删掉旧接口吗？', { to: ['user'], requestReply: true });
    const card = await e.reply('可以删掉旧接口吗');
    expect(textOf(card)).toContain(`helper 需要你回复** ${tagOf(dropped)}`);
    expect(await contextText()).toMatch(new RegExp(`等你回复的问题[\\s\\S]*${tagOf(kept)}[\\s\\S]*${tagOf(dropped)}`));
    await e.cccc.cancelReplyRequest(dropped.id, { by: 'helper' });
    await waitFor(async () => !(await contextText()).includes(tagOf(dropped)), 'cancelled question gone');
    await e.restartBridge();
    expect(await contextText()).toContain(tagOf(kept));
    const stored = JSON.parse(await readFile(join(e.stateDir, 'reply-requests.json'), 'utf8')) as { open: Record<string, unknown> };
    expect(Object.keys(stored.open)).toEqual([kept.id]);
  });
});

describe('delivery truth: a message in CCCC is not yet with an agent', () => {
  it('shows 🤔 once an agent accepted the message', async () => {
    e = await startE2E();
    await e.subscribe();
    const m = e.say('please check the build');
    const sent = await sentByPerson('please check the build');
    await waitFor(() => thinkingOn(m.msgId), '🤔 after acceptance');
    const evidence = (await e.ledger()).filter((ev) => ev.kind === 'runtime.delivery' && ev.data['source_event_id'] === sent.id).map((ev) => ev.data['state']);
    expect(evidence).toEqual(['claimed', 'accepted']);
  });

  it('a paused group claims but does not hand over: no 🤔, and after a while the person hears why', async () => {
    e = await startE2E({ settings: { replyLanguage: 'en' }, services: { delivery: { pickupTimeoutMs: 600 } } });
    await e.subscribe();
    e.cccc.group().setState('paused');
    const m = e.say('anyone there?');
    await sentByPerson('anyone there?');
    const notice = await e.reply(/paused there/);
    expect(textOf(notice)).toContain('[/launch](dtmd://dingtalkclient/sendMessage?content=%2Flaunch)');
    expect(thinkingOn(m.msgId)).toBe(false);
  });

  it('a /send to an agent turned off is answered at once; a stopped group too', async () => {
    e = await startE2E({ settings: { replyLanguage: 'en' }, services: { delivery: { pickupTimeoutMs: 60_000 } } });
    await e.subscribe();
    e.cccc.group().actor('helper')!.enabled = false;
    const m = e.say('/send @helper review this');
    await sentByPerson('review this');
    const off = await e.reply(/@helper is turned off in CCCC/);
    expect(textOf(off)).toContain('ask an admin');
    expect(off.webhookBody?.['at']).toEqual({ atUserIds: ['staff-alice'] });
    expect(thinkingOn(m.msgId)).toBe(false);

    e.cccc.group().setRunning(false);
    e.dt.clearSent();
    e.say('hello?');
    await sentByPerson('hello?');
    await e.reply(/the group is stopped/);
  });

  it('tells the person when CCCC could not hand the message over', async () => {
    e = await startE2E({ settings: { replyLanguage: 'en' } });
    await e.subscribe();
    e.cccc.group().setState('paused');
    e.say('one more thing');
    const sent = await sentByPerson('one more thing');
    await e.cccc.group().appendEvent('runtime.delivery', 'system', {
      actor_id: 'boss',
      source_event_id: sent.id,
      delivery_id: 'delivery:boss:x',
      state: 'failed',
      transport: 'pty',
      reason: 'runtime rejected payload',
    });
    await e.reply(/could not hand your message to @boss: runtime rejected payload/);
  });
});

describe('the released CCCC (0.4.35rc1): no delivery evidence, no reply requests', () => {
  it('shows 🤔 as soon as the message is in the ledger and says nothing more', async () => {
    e = await startE2E({ cccc: { flavor: 'release' }, services: { delivery: { pickupTimeoutMs: 300 } } });
    await e.subscribe();
    e.cccc.group().actor('boss')!.enabled = false;
    const m = e.say('still there?');
    const sent = await sentByPerson('still there?');
    await waitFor(() => thinkingOn(m.msgId), '🤔 at once');
    expect((await e.ledger()).some((ev) => ev.kind === 'runtime.delivery')).toBe(false);
    await expectQuietFor(800, 'no notice', () => e!.dt.sentMessages().length === 0);
    expect(sent.data['to']).toEqual(['@foreman']);
  });
});
