/**
 * Live answers: an agent's streamed answer grows in an AI card in each chat that should see it,
 * and reaches each chat exactly once — in the card, or as the ordinary message when the card
 * failed at any step — across restarts (docs/architecture.md §3, docs/dingtalk-protocol.md §7).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { chatMessageData, chatStreamData, makeEvent } from '../fakes/cccc/ledger';
import type { FakeCard } from '../fakes/dingtalk';
import { expectQuietFor, waitFor } from '../helpers/wait';
import { ALICE, GROUP_CHAT, SINGLE, SINGLE_CHAT, startE2E, textOf, type E2E, type E2EOptions } from './harness';

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

const single = SINGLE_CHAT;

async function started(options: E2EOptions = {}): Promise<E2E> {
  e = await startE2E(options);
  return e;
}

/** An agent streams `parts` (growing snapshots), ends, and CCCC writes the final message. */
async function streamAnswer(x: E2E, parts: string[], options: { to?: string[]; final?: boolean } = {}): Promise<string> {
  const to = options.to ?? ['user'];
  const start = await x.cccc.stream('boss', { op: 'start', text: '', to });
  const streamId = String(start.data['stream_id']);
  let text = '';
  for (const [i, part] of parts.entries()) {
    text += part;
    await x.cccc.stream('boss', { op: 'update', streamId, text, to, seq: i + 1 });
  }
  await x.cccc.stream('boss', { op: 'end', streamId, text, to, seq: parts.length + 1 });
  if (options.final !== false) await x.cccc.speak('boss', text, { to, streamId });
  return streamId;
}

const cardIn = (x: E2E, spaceId: string): FakeCard | undefined => x.dt.cardInstances().find((c) => c.space.id === spaceId);
const content = (card: FakeCard | undefined): string => card?.params['msgContent'] ?? '';
const streamingCalls = (x: E2E): number => x.dt.requests().filter((r) => r.api === 'card.streaming' && r.status === 200).length;
/** How often the whole answer reached a chat as ordinary messages. */
const copies = (x: E2E, chat: string, text: string): number => x.texts(chat).filter((t) => t.includes(text)).length;

/** The group's sends answer "over the QPS limit" a few times (its session webhook gone): what the bridge queues to it waits in the outbox. */
function holdGroupSends(x: E2E, times: number): void {
  x.dt.setFault({ webhookExpired: true, sendThrottled: times });
}
const throttled = (x: E2E): boolean =>
  x.dt.requests().some((r) => r.api === 'groupMessages.send' && r.code === 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi');
/** When DingTalk took the message carrying `text`. */
const sentAt = (x: E2E, text: string): number | undefined => x.dt.sentMessages().find((m) => textOf(m).includes(text))?.at;

describe('live answers in AI cards', () => {
  it('grow in a group card, end complete, and the final message is not sent again', async () => {
    const x = await started();
    await x.subscribe();
    const parts = ['First, ', 'I read the logs. ', 'Then ', 'the build passed.'];
    const start = await x.cccc.stream('boss', { op: 'start', text: '', to: ['user'] });
    const streamId = String(start.data['stream_id']);
    const card = await waitFor(() => cardIn(x, GROUP_CHAT), 'a card in the group');
    expect(card).toMatchObject({ space: { type: 'IM_GROUP' }, templateId: '382e4302-551d-4880-bf29-a30acfab2e71.schema', status: 'processing' });
    expect(card.params['msgTitle']).toBe('[boss]');
    let text = '';
    for (const part of parts) {
      text += part;
      await x.cccc.stream('boss', { op: 'update', streamId, text, to: ['user'] });
      await waitFor(() => content(cardIn(x, GROUP_CHAT)) === text, `the card shows “${text}”`);
    }
    await x.cccc.stream('boss', { op: 'end', streamId, text, to: ['user'] });
    await waitFor(() => cardIn(x, GROUP_CHAT)?.status === 'finished', 'the card finished');
    await x.cccc.speak('boss', text, { to: ['user'], streamId });
    await x.cccc.speak('boss', 'a later message', { to: ['user'] });
    await x.reply('a later message');
    expect(copies(x, GROUP_CHAT, 'the build passed')).toBe(0);
    const done = cardIn(x, GROUP_CHAT)!;
    expect(content(done)).toBe(text);
    expect(done.streams['msgContent']).toMatchObject({ finalized: true, lateUpdates: 0 });
    expect(done.blank).toBe(false);
  });

  it('open in a single chat by the person’s staff id', async () => {
    const x = await started();
    await x.subscribe(SINGLE, single);
    await streamAnswer(x, ['Hello ', 'Alice']);
    await waitFor(() => x.dt.cardInstances().find((c) => c.status === 'finished'), 'the card finished');
    expect(x.dt.cardInstances()).toHaveLength(1);
    expect(x.dt.cardInstances()[0]).toMatchObject({ space: { type: 'IM_ROBOT', id: ALICE.senderStaffId }, params: { msgContent: 'Hello Alice' } });
    await x.cccc.speak('boss', 'after', { to: ['user'] });
    await waitFor(() => x.dt.sentMessages().some((m) => textOf(m).includes('after')), 'the next message');
    expect(x.dt.sentMessages().some((m) => textOf(m).includes('Hello Alice'))).toBe(false);
  });

  it('coalesce a burst of updates: at most one call per card per 500 ms, the latest text wins', async () => {
    const x = await started();
    await x.subscribe();
    const parts = Array.from({ length: 40 }, (_, i) => `word${i} `);
    await streamAnswer(x, parts);
    await waitFor(() => cardIn(x, GROUP_CHAT)?.status === 'finished', 'the card finished');
    expect(content(cardIn(x, GROUP_CHAT))).toBe(parts.join(''));
    // 40 updates written at once: the create, a few coalesced pushes, the finalization.
    expect(streamingCalls(x)).toBeLessThanOrEqual(4);
    const times = x.dt
      .requests()
      .filter((r) => r.api.startsWith('card.') && r.status === 200)
      .map((r) => r.at);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(450);
  });

  it('follow the verbose and paused rules of messages', async () => {
    const x = await started();
    await x.subscribe();
    await x.subscribe(SINGLE, single);
    // Agent-to-agent: only a verbose chat watches it.
    x.say('/verbose', single);
    await x.reply(/详细模式已开启/, SINGLE);
    await streamAnswer(x, ['note for helper'], { to: ['helper'] });
    await waitFor(() => x.dt.cardInstances().find((c) => c.status === 'finished'), 'the verbose chat’s card');
    expect(x.dt.cardInstances().map((c) => c.space.id)).toEqual([ALICE.senderStaffId]);
    expect(x.dt.cardInstances()[0]!.params['msgTitle']).toBe('[boss → @helper]');
    // A paused chat gets no card; its message is held, as every message.
    x.say('/pause');
    await x.reply(/已暂停推送/);
    x.dt.clearSent();
    await streamAnswer(x, ['held answer']);
    await waitFor(() => x.dt.cardInstances().filter((c) => c.status === 'finished').length === 2, 'the single chat’s second card');
    expect(x.dt.cardInstances().every((c) => c.space.id === ALICE.senderStaffId)).toBe(true);
    x.say('/resume');
    await x.reply('held answer');
    expect(copies(x, GROUP_CHAT, 'held answer')).toBe(1);
  });

  for (const step of ['create', 'stream', 'finalize'] as const) {
    it(`deliver the whole answer exactly once when the card fails at ${step}`, async () => {
      const x = await started();
      await x.subscribe();
      x.dt.setFault({ cardFail: { [step]: 1 } });
      const start = await x.cccc.stream('boss', { op: 'start', text: '', to: ['user'] });
      const streamId = String(start.data['stream_id']);
      if (step !== 'create') await waitFor(() => cardIn(x, GROUP_CHAT), 'the card');
      await x.cccc.stream('boss', { op: 'update', streamId, text: 'Partial', to: ['user'] });
      if (step === 'stream') await waitFor(() => x.dt.requests().some((r) => r.api === 'card.streaming' && r.code === 'systemError'), 'the failed update');
      if (step === 'finalize') await waitFor(() => content(cardIn(x, GROUP_CHAT)) === 'Partial', 'the update');
      const text = 'Partial answer, then the whole of it.';
      await x.cccc.stream('boss', { op: 'end', streamId, text, to: ['user'] });
      await x.cccc.speak('boss', text, { to: ['user'], streamId });
      await x.reply(text);
      await expectQuietFor(700, 'no second copy', () => copies(x, GROUP_CHAT, text) === 1);
      // No card is left spinning: one that exists was closed with a note.
      const card = cardIn(x, GROUP_CHAT);
      if (step === 'create') expect(card).toBeUndefined();
      else expect(card?.streams['msgContent']?.finalized).toBe(true);
    });
  }

  it('close a card left open by a restart as interrupted, with the text it had, and send the answer once', async () => {
    const x = await started();
    await x.subscribe();
    const start = await x.cccc.stream('boss', { op: 'start', text: '', to: ['user'] });
    const streamId = String(start.data['stream_id']);
    await x.cccc.stream('boss', { op: 'update', streamId, text: 'Half of the', to: ['user'] });
    await waitFor(() => content(cardIn(x, GROUP_CHAT)) === 'Half of the', 'the card shows the first half');
    await x.restartBridge();
    const closed = await waitFor(() => (cardIn(x, GROUP_CHAT)?.streams['msgContent']?.finalized ? cardIn(x, GROUP_CHAT) : undefined), 'the orphan closed');
    expect(content(closed)).toMatch(/^Half of the\n\n⚠️ 已中断/);
    const text = 'Half of the answer, and the rest.';
    await x.cccc.stream('boss', { op: 'end', streamId, text, to: ['user'] });
    await x.cccc.speak('boss', text, { to: ['user'], streamId });
    await x.reply(text);
    await expectQuietFor(500, 'no second copy', () => copies(x, GROUP_CHAT, text) === 1);
    expect(x.dt.cardInstances()).toHaveLength(1);
  });

  it('a message waiting for its card’s outcome survives a restart', async () => {
    const x = await started();
    await x.subscribe();
    // DingTalk slow to finalize: the message is in the bridge's records, waiting, when it stops.
    const streamId = await streamAnswer(x, ['Slow ', 'answer'], { final: false });
    await waitFor(() => content(cardIn(x, GROUP_CHAT)).length > 0, 'the card');
    x.dt.setFault({ httpDelayMs: 400 });
    await x.cccc.speak('boss', 'Slow answer', { to: ['user'], streamId });
    await x.restartBridge();
    x.dt.clearFaults();
    await x.cccc.speak('boss', 'next', { to: ['user'] });
    await x.reply('next');
    await waitFor(() => cardIn(x, GROUP_CHAT)?.streams['msgContent']?.finalized, 'the card closed');
    // Ended well: no copy; closed as interrupted: exactly one.
    const ended = cardIn(x, GROUP_CHAT)?.status === 'finished' && content(cardIn(x, GROUP_CHAT)) === 'Slow answer';
    expect(copies(x, GROUP_CHAT, 'Slow answer')).toBe(ended ? 0 : 1);
  });

  it('hold the start of a long answer; the rest follows as ordinary messages, once', async () => {
    const x = await started();
    await x.subscribe();
    const paragraph = (i: number): string => `Paragraph ${i}: ${'lorem ipsum dolor sit amet '.repeat(8)}\n`;
    const text = Array.from({ length: 30 }, (_, i) => paragraph(i)).join('');
    await streamAnswer(x, [text]);
    const card = await waitFor(() => (cardIn(x, GROUP_CHAT)?.status === 'finished' ? cardIn(x, GROUP_CHAT) : undefined), 'the card finished');
    expect(card.blank).toBe(false);
    expect(content(card)).toContain('Paragraph 0:');
    expect(content(card)).toMatch(/⬇️ 内容较长，下文接续$/);
    await x.reply('Paragraph 29:');
    await x.cccc.speak('boss', 'after', { to: ['user'] });
    await x.reply('after');
    const all = x.texts().join('\n');
    expect(all.split('Paragraph 29:').length - 1).toBe(1);
    expect(all).not.toContain('Paragraph 0:');
  });

  it('without the card permissions: ordinary messages, and one clear problem naming them', async () => {
    const x = await started();
    x.dt.setFault({ permissionDenied: { 'card.createAndDeliver': ['Card.Instance.Write'], 'card.streaming': ['Card.Streaming.Write'] } });
    await x.restartBridge();
    await x.subscribe();
    // The first start's probe said "ready" and is remembered for a day (no probe now): the first
    // card tried is refused, which says so at once and has the next start probe again.
    await streamAnswer(x, ['Plain ', 'answer']);
    await x.reply('Plain answer');
    await waitFor(() => x.bridge.status().lastProblem?.code === 'dingtalk.card_permission_missing', 'the problem');
    await x.restartBridge();
    await waitFor(() => x.bridge.status().lastProblem?.hint?.includes('Card.Instance.Write, Card.Streaming.Write'), 'both permissions named after a new probe');
    await streamAnswer(x, ['Second ', 'answer']);
    await x.reply('Second answer');
    expect(x.dt.cardInstances()).toEqual([]);
    expect(x.log.records.filter((r) => r.msg.includes('card') && r.level === 'warn').length).toBeLessThanOrEqual(1);
  });

  it('stay under DingTalk’s QPS limit with many cards streaming at once: none refused, each complete, none sent twice', async () => {
    // DingTalk allows 5 calls a second per API here; the bridge's buckets take 4 (a token of burst on top).
    const x = await started({ dingtalk: { qpsLimit: 5 }, services: { outbox: { qpsPerApi: 4 } } });
    await x.subscribe();
    const answers = Array.from({ length: 8 }, (_, i) => `Answer ${i}`);
    const streams: string[] = [];
    for (const _ of answers) streams.push(String((await x.cccc.stream('boss', { op: 'start', text: '', to: ['user'] })).data['stream_id']));
    await waitFor(() => x.dt.cardInstances().length === answers.length, 'a card per answer', 15_000);
    const showing = (text: (answer: string) => string): boolean => answers.every((a) => x.dt.cardInstances().some((c) => content(c) === text(a)));
    // Two rounds of updates to every card at once: 16 streaming calls wanted within a second or so.
    for (const part of [1, 2]) {
      for (const [i, streamId] of streams.entries()) {
        await x.cccc.stream('boss', { op: 'update', streamId, text: `${answers[i]!}, part ${part}`, to: ['user'], seq: part });
      }
      await waitFor(() => showing((a) => `${a}, part ${part}`), `part ${part} on every card`, 15_000);
    }
    for (const [i, streamId] of streams.entries()) {
      const text = `${answers[i]!}, whole.`;
      await x.cccc.stream('boss', { op: 'end', streamId, text, to: ['user'], seq: 3 });
      await x.cccc.speak('boss', text, { to: ['user'], streamId });
    }
    await waitFor(() => x.dt.cardInstances().filter((c) => c.status === 'finished').length === answers.length, 'every card finished', 15_000);
    await x.cccc.speak('boss', 'a later message', { to: ['user'] });
    await x.reply('a later message');
    // (The permission probe's two 400s are expected; a rate-limit refusal is not.)
    const cardCalls = x.dt.requests().filter((r) => r.api.startsWith('card.'));
    expect(cardCalls.filter((r) => r.status === 403 || r.status === 429)).toEqual([]);
    expect(cardCalls.filter((r) => r.api === 'card.createAndDeliver' && r.status === 200)).toHaveLength(answers.length);
    expect(showing((a) => `${a}, whole.`)).toBe(true);
    expect(x.dt.cardInstances()).toHaveLength(answers.length);
    for (const a of answers) expect(copies(x, GROUP_CHAT, `${a}, whole.`)).toBe(0);
  }, 60_000);

  it('turned off in settings: ordinary messages', async () => {
    const x = await started({ settings: { cards: false } });
    await x.subscribe();
    await streamAnswer(x, ['No ', 'card']);
    await x.reply('No card');
    expect(x.dt.cardInstances()).toEqual([]);
    expect(x.dt.requests().some((r) => r.api.startsWith('card.'))).toBe(false);
  });

  describe('after what the chat was sent before', () => {
    const question = 'The question comes first.';

    /** A group with the question waiting in its outbox, its sends throttled `times` times. */
    async function questionHeldBack(times: number): Promise<E2E> {
      const x = await started();
      await x.subscribe();
      holdGroupSends(x, times);
      await x.cccc.speak('boss', question, { to: ['user'] });
      await waitFor(() => throttled(x), 'the earlier message held back');
      return x;
    }

    /** The card appears once the earlier message went out, then streams and ends as usual, the answer sent once. */
    async function answerAfter(x: E2E, streamId: string): Promise<void> {
      const card = await waitFor(() => cardIn(x, GROUP_CHAT), 'the card');
      const before = sentAt(x, question);
      expect(before, 'the earlier message went out before the card').toBeDefined();
      expect(card.createdAt).toBeGreaterThanOrEqual(before!);
      const text = 'And the answer follows it.';
      await x.cccc.stream('boss', { op: 'update', streamId, text, to: ['user'], seq: 1 });
      await x.cccc.stream('boss', { op: 'end', streamId, text, to: ['user'], seq: 2 });
      await waitFor(() => cardIn(x, GROUP_CHAT)?.status === 'finished', 'the card finished');
      await x.cccc.speak('boss', text, { to: ['user'], streamId });
      await x.cccc.speak('boss', 'a later message', { to: ['user'] });
      await x.reply('a later message');
      expect(content(cardIn(x, GROUP_CHAT))).toBe(text);
      expect(copies(x, GROUP_CHAT, text)).toBe(0);
      expect(copies(x, GROUP_CHAT, question)).toBe(1);
    }

    it('open a card only once an earlier message waiting in the outbox went out', async () => {
      const x = await questionHeldBack(2);
      const start = await x.cccc.stream('boss', { op: 'start', text: '', to: ['user'] });
      await answerAfter(x, String(start.data['stream_id']));
    });

    it('wait for an earlier message of the same ledger batch too', async () => {
      const x = await started();
      await x.subscribe();
      holdGroupSends(x, 2);
      const streamId = randomBytes(16).toString('hex');
      // One write: the bridge reads both events in one batch.
      await x.cccc
        .ledger()
        .append(
          makeEvent(x.groupId, 'chat.message', 'boss', chatMessageData(question, ['user'])),
          makeEvent(x.groupId, 'chat.stream', 'boss', chatStreamData(streamId, 'start', '', { to: ['user'] })),
        );
      await answerAfter(x, streamId);
    });

    it('open no card for a stream that ended while held back: its answer follows the earlier message, once', async () => {
      const x = await questionHeldBack(1_000);
      const text = 'A short answer, done before the card could open.';
      await streamAnswer(x, ['A short answer, ', 'done before the card could open.']);
      // The answer queued behind the question: the stream ended and its card was given up.
      await waitFor(() => x.bridge.status().outboxDepth === 2, 'the answer queued behind the question');
      x.dt.clearFaults();
      await x.reply(text);
      await expectQuietFor(700, 'no card and no second copy', () => copies(x, GROUP_CHAT, text) === 1 && x.dt.cardInstances().length === 0);
      expect(sentAt(x, text)!).toBeGreaterThanOrEqual(sentAt(x, question)!);
      expect(x.dt.requests().some((r) => r.api.startsWith('card.') && r.status === 200)).toBe(false);
    });
  });
});
