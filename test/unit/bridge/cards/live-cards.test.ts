import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CardAllowance } from '../../../../electron/core/bridge/cards/card-allowance';
import { CardPermissions } from '../../../../electron/core/bridge/cards/card-permissions';
import { LIVE_CARDS_FILE, LiveCards, type StreamEvent } from '../../../../electron/core/bridge/cards/live-cards';
import type { OutboxItem } from '../../../../electron/core/bridge/outbox/item';
import { appBuckets } from '../../../../electron/core/bridge/outbox/outbox';
import type { CreateCardRequest, StreamCardRequest } from '../../../../electron/core/dingtalk/card-api';

/** Polls on the event loop's check phase: setTimeout is faked here. */
async function waitFor(check: () => unknown, what: string): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 100_000) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

const CHAT = { conversationId: 'cidG==', conversationType: 'group' as const };

let dir: string;
let cards: LiveCards | undefined;
let calls: { at: number; kind: 'create' | 'stream'; req: CreateCardRequest | StreamCardRequest }[];
let enqueued: OutboxItem[];
let allowance: CardAllowance;
/** The chat's outbox: busy until `outboxDone()` (nothing queued by default). */
let outboxBusy: boolean;
let outboxSettled: Promise<void>;
let outboxDone: () => void;

function busyOutbox(): void {
  outboxBusy = true;
  outboxSettled = new Promise<void>((resolve) => (outboxDone = resolve));
  void outboxSettled.then(() => (outboxBusy = false));
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  dir = await mkdtemp(join(tmpdir(), 'live-cards-'));
  calls = [];
  enqueued = [];
  allowance = 'full';
  outboxBusy = false;
  outboxSettled = Promise.resolve();
});

afterEach(async () => {
  await cards?.close();
  cards = undefined;
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

async function open(): Promise<LiveCards> {
  cards = await LiveCards.open({
    stateDir: dir,
    cards: {
      createAndDeliver: async (req) => void calls.push({ at: Date.now(), kind: 'create', req }),
      streaming: async (req) => void calls.push({ at: Date.now(), kind: 'stream', req }),
      probeCardPermissions: async () => ({ state: 'ready' }),
    },
    enqueue: async (items) => void enqueued.push(...items),
    queuedFor: () => (outboxBusy ? 1 : 0),
    settled: () => outboxSettled,
    settings: () => ({ enabled: true, templateId: 'tpl', lang: 'en' }),
    cardAllowance: () => allowance,
    // On the faked clock: the gates' waits are timers the tests advance.
    buckets: appBuckets(19, () => Date.now()),
    permissions: new CardPermissions(dir, 'app-1'),
    onProblem: () => undefined,
  });
  return cards;
}

const ev = (op: StreamEvent['op'], text: string, streamId = 's1'): StreamEvent => ({
  kind: 'stream',
  id: `e-${Math.random()}`,
  by: 'boss',
  at: Date.now(),
  streamId,
  op,
  text,
  delta: false,
  to: ['user'],
  userFacing: true,
});

const item = (id: string, kind: 'message' | 'file'): OutboxItem => ({
  id,
  chat: CHAT,
  payload: kind === 'message' ? { kind: 'message', message: { kind: 'text', content: 'x' } } : { kind: 'file', path: '/tmp/f', fileName: 'f' },
  createdAt: 0,
});

const streamed = () => calls.filter((c) => c.kind === 'stream').map((c) => c.req as StreamCardRequest);

describe('live cards', () => {
  it('coalesce updates: one call per card per 500 ms, the latest text wins; 2 s when lean', async () => {
    const c = await open();
    await c.start(ev('start', ''), [{ chat: CHAT, label: 'boss' }]);
    await waitFor(() => calls.length === 1, 'the create');
    for (const text of ['a', 'ab', 'abc']) c.update(ev('update', text));
    await vi.advanceTimersByTimeAsync(499);
    expect(streamed()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await waitFor(() => streamed().length === 1, 'one push');
    expect(streamed()[0]!.content).toBe('abc');
    // The push is recorded on disk before the next step runs.
    let saved = '';
    await waitFor(() => {
      void readFile(join(dir, LIVE_CARDS_FILE), 'utf8').then((t) => (saved = t));
      return saved.includes('"shown": "abc"');
    }, 'the push saved');
    allowance = 'lean';
    c.update(ev('update', 'abcd'));
    await vi.advanceTimersByTimeAsync(1_999);
    expect(streamed()).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await waitFor(() => streamed().length === 2, 'the lean push');
    expect(calls[2]!.at - calls[1]!.at).toBeGreaterThanOrEqual(1_999);
  });

  it('set no timer without a card; close an abandoned one as interrupted after 30 min, let it go, and set none again', async () => {
    const c = await open();
    expect(vi.getTimerCount()).toBe(0);
    await c.start(ev('start', 'half an answer'), [{ chat: CHAT, label: 'boss' }]);
    await waitFor(() => calls.length === 1, 'the create');
    await vi.advanceTimersByTimeAsync(35 * 60_000);
    await waitFor(() => streamed().some((r) => r.isFinalize), 'the card closed as interrupted');
    expect(c.covers('s1', CHAT.conversationId)).toBe(true);
    await vi.advanceTimersByTimeAsync(35 * 60_000);
    await waitFor(() => !c.covers('s1', CHAT.conversationId), 'the record let go');
    expect(vi.getTimerCount()).toBe(0);
  });

  it("open no card when the budget says 'plain'", async () => {
    allowance = 'plain';
    const c = await open();
    await c.start(ev('start', ''), [{ chat: CHAT, label: 'boss' }]);
    expect(c.covers('s1', CHAT.conversationId)).toBe(false);
    expect(calls).toEqual([]);
  });

  it('send only the files of a final message whose text the card ended with, and all of one that differs', async () => {
    const c = await open();
    await c.start(ev('start', ''), [{ chat: CHAT, label: 'boss' }]);
    await c.end(ev('end', 'the answer'));
    await waitFor(() => calls.length === 1, 'the create');
    await vi.advanceTimersByTimeAsync(500);
    await waitFor(() => streamed().some((s) => s.isFinalize), 'the finalization');
    await c.settle('s1', CHAT.conversationId, 'the answer', [item('m', 'message'), item('f', 'file')]);
    await waitFor(() => enqueued.length === 1, 'the file');
    expect(enqueued.map((i) => i.id)).toEqual(['f']);
    expect(c.covers('s1', CHAT.conversationId)).toBe(false);
    await c.start(ev('start', '', 's2'), [{ chat: CHAT, label: 'boss' }]);
    await c.end(ev('end', 'what the card ended with', 's2'));
    await waitFor(() => calls.length === 3, 'the second create');
    await vi.advanceTimersByTimeAsync(500);
    await c.settle('s2', CHAT.conversationId, 'a different final text', [item('m2', 'message')]);
    await waitFor(() => enqueued.length === 2, 'the whole message');
    expect(enqueued.map((i) => i.id)).toEqual(['f', 'm2']);
  });

  it('after a crash mid-finalization, send the finalization again with the same guid', async () => {
    const c = await open();
    await c.start(ev('start', ''), [{ chat: CHAT, label: 'boss' }]);
    await waitFor(() => calls.length === 1, 'the create');
    await c.end(ev('end', 'whole'));
    const doc = JSON.parse(await readFile(join(dir, LIVE_CARDS_FILE), 'utf8')) as { cards: Record<string, { state: string; finalizeGuid: string }> };
    const [record] = Object.values(doc.cards);
    expect(record?.state).toBe('ending');
    // The process dies here: the record on disk is all the next run has.
    await c.close();
    cards = undefined;
    calls = [];
    await writeFile(join(dir, LIVE_CARDS_FILE), JSON.stringify(doc));
    await open();
    await waitFor(() => streamed().length === 1, 'the finalization sent again');
    expect(streamed()[0]).toMatchObject({ isFinalize: true, guid: record!.finalizeGuid, content: 'whole' });
  });

  describe('behind the chat’s earlier messages', () => {
    const chats = [{ chat: CHAT, label: 'boss' }];
    const created = () => calls.filter((c) => c.kind === 'create').map((c) => c.req as CreateCardRequest);
    /** One step: the fake clock 10 ms on, then a turn of the real loop (file writes finish). */
    const step = async (): Promise<void> => {
      await vi.advanceTimersByTimeAsync(10);
      await new Promise((r) => setImmediate(r));
    };
    const advanceUntil = async (check: () => unknown, what: string): Promise<void> => {
      const deadline = performance.now() + 5_000;
      while (!check()) {
        if (performance.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
        await step();
      }
    };
    /** Lets whatever is due happen: 3 s on the fake clock, and at least 100 ms of real time for the disk. */
    const settleDown = async (): Promise<void> => {
      for (let i = 0; i < 300; i++) await step();
      const until = performance.now() + 100;
      while (performance.now() < until) await new Promise((r) => setImmediate(r));
      await step();
    };

    it('open only once the outbox is through, with the newest text; updates meanwhile are coalesced, none lost', async () => {
      busyOutbox();
      const c = await open();
      await c.start(ev('start', ''), chats);
      for (const text of ['a', 'ab', 'abc']) c.update(ev('update', text));
      await settleDown();
      expect(calls).toEqual([]);
      outboxDone();
      await waitFor(() => calls.length === 1, 'the create');
      expect(created()[0]!.params['msgContent']).toBe('abc');
      c.update(ev('update', 'abcd'));
      await advanceUntil(() => streamed().length === 1, 'the push');
      await settleDown();
      expect(streamed().map((r) => r.content)).toEqual(['abcd']);
    });

    it('open no card for a stream that ends while held back: the final message goes whole, once', async () => {
      busyOutbox();
      const c = await open();
      await c.start(ev('start', ''), chats);
      c.update(ev('update', 'half'));
      await c.end(ev('end', 'whole'));
      await c.settle('s1', CHAT.conversationId, 'whole', [item('m', 'message'), item('f', 'file')]);
      await waitFor(() => enqueued.length === 2, 'the whole message');
      expect(enqueued.map((i) => i.id)).toEqual(['m', 'f']);
      expect(c.covers('s1', CHAT.conversationId)).toBe(false);
      outboxDone();
      await settleDown();
      expect(calls).toEqual([]);
    });

    it('wait for the items of the stream’s own batch; a start and end in one batch open and finalize at once when nothing was queued', async () => {
      const c = await open();
      let batchQueued: (done: boolean) => void = () => undefined;
      await c.start(ev('start', ''), chats, new Promise<boolean>((resolve) => (batchQueued = resolve)));
      await c.end(ev('end', 'whole'));
      await settleDown();
      expect(calls).toEqual([]);
      batchQueued(true);
      await advanceUntil(() => streamed().some((r) => r.isFinalize), 'the card finalized');
      expect(created()[0]!.params['msgContent']).toBe('whole');
      await c.settle('s1', CHAT.conversationId, 'whole', [item('m', 'message'), item('f', 'file')]);
      await waitFor(() => enqueued.length === 1, 'the file');
      expect(enqueued.map((i) => i.id)).toEqual(['f']);
      // The same, with the batch's earlier message queued: too late for a card.
      busyOutbox();
      await c.start(ev('start', '', 's2'), chats, new Promise<boolean>((resolve) => (batchQueued = resolve)));
      await c.end(ev('end', 'second', 's2'));
      batchQueued(true);
      await c.settle('s2', CHAT.conversationId, 'second', [item('m2', 'message')]);
      await waitFor(() => enqueued.length === 2, 'the second message');
      expect(enqueued.map((i) => i.id)).toEqual(['f', 'm2']);
      outboxDone();
      await settleDown();
      expect(created()).toHaveLength(1);
    });

    it('open a card once when its batch failed and is read again', async () => {
      const c = await open();
      const start = ev('start', 'hi');
      await c.start(start, chats, Promise.resolve(false));
      await settleDown();
      expect(calls).toEqual([]);
      await c.start(start, chats, Promise.resolve(true));
      await c.start(start, chats, Promise.resolve(true));
      await waitFor(() => calls.length === 1, 'the create');
      await settleDown();
      expect(created()).toHaveLength(1);
    });

    it('after a restart, let a card that was still waiting go without a call: the message goes whole', async () => {
      busyOutbox();
      const c = await open();
      await c.start(ev('start', ''), chats);
      await c.close();
      cards = undefined;
      const next = await open();
      await next.settle('s1', CHAT.conversationId, 'whole', [item('m', 'message')]);
      await waitFor(() => enqueued.length === 1, 'the whole message');
      outboxDone();
      await settleDown();
      expect(calls).toEqual([]);
      expect(next.covers('s1', CHAT.conversationId)).toBe(false);
    });
  });
});
