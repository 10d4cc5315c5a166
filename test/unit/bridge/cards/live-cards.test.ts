import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CardAllowance } from '../../../../electron/core/bridge/cards/card-allowance';
import { LIVE_CARDS_FILE, LiveCards, type StreamEvent } from '../../../../electron/core/bridge/cards/live-cards';
import type { OutboxItem } from '../../../../electron/core/bridge/outbox/item';
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

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  dir = await mkdtemp(join(tmpdir(), 'live-cards-'));
  calls = [];
  enqueued = [];
  allowance = 'full';
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
    settings: () => ({ enabled: true, templateId: 'tpl', lang: 'en' }),
    cardAllowance: () => allowance,
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
    await vi.advanceTimersByTimeAsync(500);
    await waitFor(() => streamed().some((s) => s.isFinalize), 'the finalization');
    await c.settle('s1', CHAT.conversationId, 'the answer', [item('m', 'message'), item('f', 'file')]);
    await waitFor(() => enqueued.length === 1, 'the file');
    expect(enqueued.map((i) => i.id)).toEqual(['f']);
    expect(c.covers('s1', CHAT.conversationId)).toBe(false);
    await c.start(ev('start', '', 's2'), [{ chat: CHAT, label: 'boss' }]);
    await c.end(ev('end', 'what the card ended with', 's2'));
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
});
