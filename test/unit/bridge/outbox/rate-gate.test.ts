import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateGate } from '../../../../electron/core/bridge/outbox/rate-gate';
import { TokenBucket } from '../../../../electron/core/util/token-bucket';

describe('RateGate', () => {
  afterEach(() => vi.useRealTimers());

  it('lets waiters through first come first served at the bucket rate, and close() releases the rest', async () => {
    vi.useFakeTimers({ now: 0 });
    const gate = new RateGate(new TokenBucket(10, 1, () => Date.now()));
    const order: string[] = [];
    const take = (name: string) => gate.acquire().then((ok) => order.push(`${name}:${ok}@${Date.now()}`));
    const all = Promise.all([take('a'), take('b'), take('c'), take('d')]);
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['a:true@0']);
    await vi.advanceTimersByTimeAsync(100);
    expect(order).toEqual(['a:true@0', 'b:true@100']);
    await vi.advanceTimersByTimeAsync(100);
    expect(order).toEqual(['a:true@0', 'b:true@100', 'c:true@200']);
    expect(gate.waiting).toBe(1);
    gate.close();
    await all;
    expect(order[3]).toBe('d:false@200');
    expect(vi.getTimerCount()).toBe(0);
    expect(await gate.acquire()).toBe(false);
  });
});
