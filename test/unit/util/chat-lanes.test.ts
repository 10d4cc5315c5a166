import { describe, expect, it } from 'vitest';
import { ChatLanes } from '../../../electron/core/util/chat-lanes';
import { waitFor } from '../../helpers/wait';

interface Item {
  id: string;
  chat: string;
}

/** Gives way to the other chats a random number of times (0–3), so their work interleaves differently on every run. */
const tick = async (): Promise<void> => {
  for (let n = Math.floor(Math.random() * 4); n > 0; n--) await Promise.resolve();
};

describe('ChatLanes', () => {
  it('keeps order within a chat, runs chats in parallel, and reports idle', async () => {
    const done: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let overlaps = 0;
    const perChat = new Map<string, number>();
    const lanes = new ChatLanes<Item>(
      (i) => i.chat,
      async (i) => {
        inFlight++;
        perChat.set(i.chat, (perChat.get(i.chat) ?? 0) + 1);
        if (perChat.get(i.chat)! > 1) overlaps++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await tick();
        perChat.set(i.chat, 0);
        inFlight--;
        done.push(i.id);
        return true;
      },
      () => undefined,
    );
    const items = Array.from({ length: 60 }, (_, n) => ({ id: `${'abc'[n % 3]}${n}`, chat: 'abc'[n % 3]! }));
    lanes.push(items.slice(0, 30));
    expect(lanes.depthByKey()).toEqual({ a: 10, b: 10, c: 10 });
    expect([lanes.depthOf('a'), lanes.depthOf('nobody')]).toEqual([10, 0]);
    lanes.push(items.slice(30));
    await lanes.idle();
    for (const chat of 'abc') {
      expect(done.filter((id) => id.startsWith(chat))).toEqual(items.filter((i) => i.chat === chat).map((i) => i.id));
    }
    expect(overlaps).toBe(0);
    expect(maxInFlight).toBe(3);
    expect(lanes.depth()).toBe(0);
  });

  it('idle() waits only for what was pushed before it was called', async () => {
    const gates = new Map<string, () => void>();
    const lanes = new ChatLanes<Item>(
      (i) => i.chat,
      (i) => new Promise<boolean>((r) => gates.set(i.id, () => r(true))),
      () => undefined,
    );
    lanes.push([{ id: 'a1', chat: 'a' }]);
    let idle = false;
    void lanes.idle().then(() => (idle = true));
    lanes.push([
      { id: 'b1', chat: 'b' },
      { id: 'a2', chat: 'a' },
    ]);
    await waitFor(() => gates.has('a1') && gates.has('b1'), 'a1 and b1 started');
    gates.get('a1')!();
    await waitFor(() => idle, 'idle() after a1');
    expect(idle).toBe(true);
    expect(lanes.depthByKey()).toEqual({ a: 1, b: 1 });
    const rest = lanes.idle();
    gates.get('b1')!();
    await waitFor(() => lanes.depthByKey()['b'] === undefined && gates.has('a2'), 'b1 finished, a2 started');
    gates.get('a2')!();
    await rest;
    expect(lanes.depth()).toBe(0);
  });

  it('stop() waits for work in progress and leaves unfinished items queued', async () => {
    let release: (finished: boolean) => void = () => undefined;
    const lanes = new ChatLanes<Item>(
      (i) => i.chat,
      () => new Promise<boolean>((r) => (release = r)),
      () => undefined,
    );
    lanes.push([
      { id: '1', chat: 'a' },
      { id: '2', chat: 'a' },
    ]);
    const stopped = lanes.stop();
    release(false);
    await stopped;
    expect(lanes.depth()).toBe(2);
    await lanes.idle();
  });

  it('retries the head of a chat whose work throws, by itself and in order, without touching other chats', async () => {
    const crashes: string[] = [];
    const done: string[] = [];
    let failuresLeft = 2;
    const lanes = new ChatLanes<Item>(
      (i) => i.chat,
      async (i) => {
        if (i.id === 'a1' && failuresLeft-- > 0) throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
        done.push(i.id);
        return true;
      },
      (_err, i) => crashes.push(i.id),
      { baseMs: 5, capMs: 20, jitterMs: 0 },
    );
    lanes.push([
      { id: 'a1', chat: 'a' },
      { id: 'b1', chat: 'b' },
    ]);
    // A later push must not start a second worker on the waiting chat.
    lanes.push([{ id: 'a2', chat: 'a' }]);
    await lanes.idle();
    expect(crashes).toEqual(['a1', 'a1']);
    expect(done.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(done).toContain('b1');
  });

  it('works on an item pushed to a chat right after idle() resolved (its worker was still winding down)', async () => {
    const done: string[] = [];
    const lanes = new ChatLanes<Item>(
      (i) => i.chat,
      async (i) => {
        done.push(i.id);
        return true;
      },
      () => undefined,
    );
    lanes.push([{ id: 'a1', chat: 'a' }]);
    await lanes.idle();
    lanes.push([{ id: 'a2', chat: 'a' }]);
    await lanes.idle();
    expect(done).toEqual(['a1', 'a2']);
    expect(lanes.depth()).toBe(0);
  });

  it('retryNow() cuts the wait short and stop() ends it', async () => {
    let fail = true;
    const done: string[] = [];
    const crashes: string[] = [];
    const lanes = new ChatLanes<Item>(
      (i) => i.chat,
      async (i) => {
        if (fail) throw new Error('no space');
        done.push(i.id);
        return true;
      },
      (_err, i) => crashes.push(i.id),
      { baseMs: 60_000, capMs: 60_000, jitterMs: 0 },
    );
    lanes.push([{ id: 'a1', chat: 'a' }]);
    // The chat waits its 60 s backoff from the moment its work threw.
    await waitFor(() => crashes.length === 1, 'a1 failed and waits');
    fail = false;
    lanes.retryNow();
    await lanes.idle();
    expect(done).toEqual(['a1']);
    fail = true;
    lanes.push([{ id: 'a2', chat: 'a' }]);
    await waitFor(() => crashes.length === 2, 'a2 failed and waits');
    await lanes.stop();
    expect(lanes.depth()).toBe(1);
  });

  it('settled(key) waits only for what was pushed to that key before it was called, and resolves at once for an empty key', async () => {
    const gates = new Map<string, (finished?: boolean) => void>();
    const lanes = new ChatLanes<Item>(
      (i) => i.chat,
      (i) => new Promise<boolean>((r) => gates.set(i.id, (finished = true) => r(finished))),
      () => undefined,
    );
    let emptySettled = false;
    void lanes.settled('a').then(() => (emptySettled = true));
    await waitFor(() => emptySettled, 'an empty key settled at once');
    lanes.push([
      { id: 'a1', chat: 'a' },
      { id: 'b1', chat: 'b' },
      { id: 'a2', chat: 'a' },
    ]);
    const settled: string[] = [];
    void lanes.settled('a').then(() => settled.push('a'));
    void lanes.settled('b').then(() => settled.push('b'));
    lanes.push([{ id: 'a3', chat: 'a' }]);
    await waitFor(() => gates.has('a1') && gates.has('b1'), 'a1 and b1 started');
    // Another key finishing settles only that key.
    gates.get('b1')!();
    await waitFor(() => settled.includes('b'), 'b settled');
    gates.get('a1')!();
    await waitFor(() => gates.has('a2'), 'a2 started');
    expect(settled).toEqual(['b']);
    gates.get('a2')!();
    // a3, pushed later, does not hold it up.
    await waitFor(() => settled.includes('a'), 'a settled after a2');
    expect(lanes.depthByKey()).toEqual({ a: 1 });
    // Stopping lets a waiter go although a3 never finishes (it stays queued).
    let stoppedSettled = false;
    void lanes.settled('a').then(() => (stoppedSettled = true));
    await waitFor(() => gates.has('a3'), 'a3 started');
    const stopping = lanes.stop();
    expect(stoppedSettled).toBe(false);
    gates.get('a3')!(false);
    await stopping;
    await waitFor(() => stoppedSettled, 'settled once the lanes stopped');
    expect(lanes.depth()).toBe(1);
  });
});
