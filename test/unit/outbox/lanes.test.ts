import { describe, expect, it } from 'vitest';
import { ChatLanes } from '../../../electron/core/bridge/outbox/lanes';

interface Item {
  id: string;
  chat: string;
}

const tick = () => new Promise((r) => setTimeout(r, Math.random() * 3));

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
    await new Promise((r) => setTimeout(r, 5));
    gates.get('a1')!();
    await new Promise((r) => setTimeout(r, 5));
    expect(idle).toBe(true);
    expect(lanes.depthByKey()).toEqual({ a: 1, b: 1 });
    const rest = lanes.idle();
    gates.get('b1')!();
    await new Promise((r) => setTimeout(r, 5));
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

  it('parks a chat whose work throws, reporting it, without touching other chats', async () => {
    const crashes: string[] = [];
    const lanes = new ChatLanes<Item>(
      (i) => i.chat,
      async (i) => {
        if (i.id === 'bad') throw new Error('bug');
        return true;
      },
      (_err, i) => crashes.push(i.id),
    );
    lanes.push([
      { id: 'bad', chat: 'a' },
      { id: 'ok', chat: 'b' },
    ]);
    await new Promise((r) => setTimeout(r, 10));
    expect(crashes).toEqual(['bad']);
    expect(lanes.depthByKey()).toEqual({ a: 1 });
  });
});
