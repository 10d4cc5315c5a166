import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CardAllowance } from '../../../../electron/core/bridge/cards/card-allowance';
import { CARD_PERMISSIONS_FILE, CardPermissions } from '../../../../electron/core/bridge/cards/card-permissions';
import { LIVE_CARDS_FILE, LiveCards, type StreamEvent } from '../../../../electron/core/bridge/cards/live-cards';
import type { OutboxItem } from '../../../../electron/core/bridge/outbox/item';
import { appBuckets, type AppBuckets } from '../../../../electron/core/bridge/outbox/app-buckets';
import { cardPermissionProblem, type CardReadiness, type CreateCardRequest, type StreamCardRequest } from '../../../../electron/core/dingtalk/card-api';
import { BridgeError } from '../../../../electron/core/errors';
import { TokenBucket } from '../../../../electron/core/util/token-bucket';

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
/** Other groups' live cards (their own state dirs), closed after each test. */
let others: LiveCards[];
let calls: { at: number; kind: 'create' | 'stream'; req: CreateCardRequest | StreamCardRequest }[];
let enqueued: OutboxItem[];
/** Errors the next streaming calls answer with, one per call; the calls they refused. */
let streamErrors: Error[];
let refused: StreamCardRequest[];
/** Errors the next creates answer with, one per call. */
let createErrors: Error[];
/** Creates (and the permission probe) wait for this before they answer. */
let createHeld: Promise<void>;
let probeHeld: Promise<void>;
let probeAnswer: CardReadiness;
let problems: string[];
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
  others = [];
  calls = [];
  streamErrors = [];
  refused = [];
  createErrors = [];
  createHeld = Promise.resolve();
  probeHeld = Promise.resolve();
  probeAnswer = { state: 'ready' };
  problems = [];
  enqueued = [];
  allowance = 'full';
  outboxBusy = false;
  outboxSettled = Promise.resolve();
});

afterEach(async () => {
  await cards?.close();
  cards = undefined;
  for (const other of others) await other.close();
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

/** This group's live cards; `another`: a second group's, on its own state dir (the app's buckets passed to both). */
async function open(buckets: Pick<AppBuckets, 'card' | 'streaming'> = appBuckets(19, () => Date.now()), another = false): Promise<LiveCards> {
  const stateDir = another ? await mkdtemp(join(dir, 'group-')) : dir;
  const opened = await LiveCards.open({
    stateDir,
    cards: {
      createAndDeliver: async (req) => {
        const err = createErrors.shift();
        if (err) throw err;
        calls.push({ at: Date.now(), kind: 'create', req });
        await createHeld;
      },
      streaming: async (req) => {
        const err = streamErrors.shift();
        if (err) {
          refused.push(req);
          throw err;
        }
        calls.push({ at: Date.now(), kind: 'stream', req });
      },
      probeCardPermissions: async () => {
        await probeHeld;
        return probeAnswer;
      },
    },
    enqueue: async (items) => void enqueued.push(...items),
    queuedFor: () => (outboxBusy ? 1 : 0),
    settled: () => outboxSettled,
    settings: () => ({ enabled: true, templateId: 'tpl', lang: 'en' }),
    cardAllowance: () => allowance,
    // On the faked clock: the gates' waits are timers the tests advance.
    buckets,
    permissions: new CardPermissions(stateDir, 'app-1'),
    onProblem: (problem) => void problems.push(problem.code),
  });
  if (another) others.push(opened);
  else cards = opened;
  return opened;
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

  describe('when closed', () => {
    it('arm no timer: a create that comes back during close() leaves no finalization waiting', async () => {
      let answer!: () => void;
      createHeld = new Promise<void>((resolve) => (answer = resolve));
      const c = await open();
      await c.start(ev('start', ''), [{ chat: CHAT, label: 'boss' }]);
      await c.end(ev('end', 'whole'));
      await waitFor(() => calls.length === 1, 'the create under way');
      const closing = c.close();
      answer();
      await closing;
      cards = undefined;
      expect(vi.getTimerCount()).toBe(0);
    });

    it('wait for the permission probe still under way, and say nothing of its answer after', async () => {
      let answer!: () => void;
      probeHeld = new Promise<void>((resolve) => (answer = resolve));
      probeAnswer = { state: 'missing', scopes: ['Card.Streaming.Write'], problem: cardPermissionProblem(['Card.Streaming.Write']) };
      const c = await open();
      const closing = c.close();
      cards = undefined;
      answer();
      await closing;
      expect(JSON.parse(await readFile(join(dir, CARD_PERMISSIONS_FILE), 'utf8'))).toMatchObject({ apps: expect.any(Object) });
      expect(problems).toEqual([]);
    });
  });

  describe('behind the chat’s earlier messages', () => {
    const chats = [{ chat: CHAT, label: 'boss' }];
    const created = () => calls.filter((c) => c.kind === 'create').map((c) => c.req as CreateCardRequest);

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

    it('let a waiting card go when its failed batch is read again too late for a card: the answer goes at once, not at the sweep', async () => {
      const c = await open();
      // Read again after the follower's backoff, when the start is too old for a card.
      const stale = ev('start', 'hi', 's1');
      await c.start(stale, chats, Promise.resolve(false));
      await settleDown();
      await vi.advanceTimersByTimeAsync(3 * 60_000);
      await c.start(stale, chats, Promise.resolve(true));
      await c.end(ev('end', 'whole', 's1'));
      await c.settle('s1', CHAT.conversationId, 'whole', [item('m1', 'message')]);
      await waitFor(() => enqueued.length === 1, 'the first message');
      // Read again when cards may not open any more (the budget says 'plain').
      const fresh = ev('start', 'hi', 's2');
      await c.start(fresh, chats, Promise.resolve(false));
      await settleDown();
      allowance = 'plain';
      await c.start(fresh, chats, Promise.resolve(true));
      await c.end(ev('end', 'whole', 's2'));
      await c.settle('s2', CHAT.conversationId, 'whole', [item('m2', 'message')]);
      await waitFor(() => enqueued.length === 2, 'the second message');
      expect(enqueued.map((i) => i.id)).toEqual(['m1', 'm2']);
      expect(calls).toEqual([]);
      expect(c.covers('s1', CHAT.conversationId) || c.covers('s2', CHAT.conversationId)).toBe(false);
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

  describe('at the app’s rate (docs/dingtalk-protocol.md §4)', () => {
    const tooFast = () => new BridgeError({ code: 'dingtalk.rate_limited', message: 'Rate limited — will retry', retryable: true });
    const OTHER = { conversationId: 'cidOther==', conversationType: 'group' as const };
    /**
     * When the shared buckets let a call go, by kind. Measured at the grant, not at the call: a
     * create saves its record between the two, and while that real write runs this file's fake
     * clock moves on (10 ms per turn), so under load a call's own time says more about the disk
     * than about the pace.
     */
    const grants: Record<'create' | 'stream', number[]> = { create: [], stream: [] };
    const counted = (buckets: AppBuckets): AppBuckets => {
      for (const [name, kind] of [
        ['card', 'create'],
        ['streaming', 'stream'],
      ] as const) {
        const bucket = buckets[name];
        const take = bucket.tryTake.bind(bucket);
        bucket.tryTake = () => {
          const wait = take();
          if (wait === 0) grants[kind].push(Date.now());
          return wait;
        };
      }
      return buckets;
    };
    const spacing = (kind: 'create' | 'stream'): number[] => {
      const at = grants[kind];
      return at.slice(1).map((t, i) => t - at[i]!);
    };

    it('two groups’ live cards share the app’s buckets: one pace per API across them', async () => {
      // 1 call a second per API: slower than a card's own 500 ms, so only a shared gate explains the spacing.
      grants.create = [];
      grants.stream = [];
      const buckets = counted(appBuckets(1, () => Date.now()));
      const a = await open(buckets);
      const b = await open(buckets, true);
      await a.start(ev('start', '', 'sa'), [{ chat: CHAT, label: 'boss' }]);
      await b.start(ev('start', '', 'sb'), [{ chat: OTHER, label: 'boss' }]);
      await advanceUntil(() => calls.length === 2, 'both creates');
      a.update(ev('update', 'a1', 'sa'));
      b.update(ev('update', 'b1', 'sb'));
      await advanceUntil(() => streamed().length === 2, 'both pushes');
      await a.end(ev('end', 'a2', 'sa'));
      await b.end(ev('end', 'b2', 'sb'));
      await advanceUntil(() => streamed().filter((r) => r.isFinalize).length === 2, 'both finalized');
      // A second apart, less the few ms a token taken late keeps of its place (util/token-bucket.ts).
      expect(spacing('create')).toEqual([expect.any(Number)]);
      expect(Math.min(...spacing('create'))).toBeGreaterThanOrEqual(995);
      expect(spacing('stream')).toHaveLength(3);
      expect(Math.min(...spacing('stream'))).toBeGreaterThanOrEqual(995);
    });

    it('an update DingTalk answers “too fast” goes with the next push, the card stays open', async () => {
      const c = await open();
      await c.start(ev('start', ''), [{ chat: CHAT, label: 'boss' }]);
      await advanceUntil(() => calls.length === 1, 'the create');
      streamErrors.push(tooFast());
      c.update(ev('update', 'a'));
      await advanceUntil(() => streamErrors.length === 0, 'the refused push');
      await advanceUntil(() => streamed().length === 1, 'the push again');
      c.update(ev('update', 'ab'));
      await advanceUntil(() => streamed().length === 2, 'the next push');
      expect(streamed().map((r) => r.content)).toEqual(['a', 'ab']);
      expect(streamed().some((r) => r.isFinalize)).toBe(false);
      expect(enqueued).toEqual([]);
      expect(c.covers('s1', CHAT.conversationId)).toBe(true);
    });

    it('a finalization DingTalk answers “too fast” is sent again after the interval with the same guid; the card ends well', async () => {
      const c = await open();
      await c.start(ev('start', ''), [{ chat: CHAT, label: 'boss' }]);
      await advanceUntil(() => calls.length === 1, 'the create');
      streamErrors.push(tooFast());
      await c.end(ev('end', 'whole'));
      await advanceUntil(() => streamed().length === 1, 'the finalization again');
      expect(streamed()[0]).toMatchObject({ isFinalize: true, content: 'whole', guid: refused[0]!.guid });
      expect(refused[0]).toMatchObject({ isFinalize: true, guid: expect.any(String) });
      await c.settle('s1', CHAT.conversationId, 'whole', [item('m', 'message'), item('f', 'file')]);
      await waitFor(() => enqueued.length === 1, 'the file');
      expect(enqueued.map((i) => i.id)).toEqual(['f']);
      await settleDown();
      expect(streamed()).toHaveLength(1);
    });

    it('a create DingTalk answers “too fast” is made after the interval, with the newest text (a finalized one when the stream ended meanwhile)', async () => {
      const c = await open();
      const created = () => calls.filter((x) => x.kind === 'create').map((x) => x.req as CreateCardRequest);
      createErrors.push(tooFast());
      await c.start(ev('start', 'a', 's1'), [{ chat: CHAT, label: 'boss' }]);
      c.update(ev('update', 'ab', 's1'));
      await advanceUntil(() => created().length === 1, 'the create again');
      expect(created()[0]!.params['msgContent']).toBe('ab');
      c.update(ev('update', 'abc', 's1'));
      await advanceUntil(() => streamed().length === 1, 'a push into the card');
      createErrors.push(tooFast());
      await c.start(ev('start', '', 's2'), [{ chat: CHAT, label: 'boss' }]);
      await advanceUntil(() => createErrors.length === 0, 'the refused create');
      await c.end(ev('end', 'whole', 's2'));
      await advanceUntil(() => streamed().some((r) => r.isFinalize), 'the second card finalized');
      expect(created()[1]!.params['msgContent']).toBe('whole');
      await c.settle('s2', CHAT.conversationId, 'whole', [item('m', 'message')]);
      await settleDown();
      expect(enqueued).toEqual([]);
      expect(c.covers('s1', CHAT.conversationId)).toBe(true);
    });

    it('a push waiting for its turn goes with the newest text; one still waiting at close() is not made', async () => {
      // Streaming tokens appear only when the test moves this clock on (one a second).
      let tokenClock = 0;
      const c = await open({ card: appBuckets(19, () => Date.now()).card, streaming: new TokenBucket(1, 1, () => tokenClock) });
      await c.start(ev('start', '', 's1'), [{ chat: CHAT, label: 'boss' }]);
      await c.start(ev('start', '', 's2'), [{ chat: CHAT, label: 'boss' }]);
      await advanceUntil(() => calls.length === 2, 'both creates');
      c.update(ev('update', 'one', 's1'));
      await advanceUntil(() => streamed().length === 1, 'the first push');
      c.update(ev('update', 'two', 's2'));
      await settleDown();
      // s2's push waits at the gate; what the stream says meanwhile goes with it.
      c.update(ev('update', 'two, and more', 's2'));
      await settleDown();
      expect(streamed()).toHaveLength(1);
      tokenClock += 1_000;
      await advanceUntil(() => streamed().length === 2, 'the second push');
      await settleDown();
      expect(streamed().map((r) => r.content)).toEqual(['one', 'two, and more']);
      c.update(ev('update', 'one again', 's1'));
      await settleDown();
      await c.close();
      cards = undefined;
      tokenClock += 1_000;
      await settleDown();
      expect(streamed()).toHaveLength(2);
      // Stopping is not success: the card whose push did not get its turn still shows what it showed.
      const doc = JSON.parse(await readFile(join(dir, LIVE_CARDS_FILE), 'utf8')) as { cards: Record<string, { state: string; shown: string }> };
      expect(Object.values(doc.cards).map((r) => [r.state, r.shown])).toEqual([
        ['open', 'one'],
        ['open', 'two, and more'],
      ]);
    });
  });
});
