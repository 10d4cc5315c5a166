import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateGate } from '../../../../electron/core/bridge/outbox/rate-gate';
import { BridgeError } from '../../../../electron/core/errors';
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

  it('watch(): a rate-limit answer drains the bucket before it is thrown on; other failures do not', async () => {
    vi.useFakeTimers({ now: 0 });
    const gate = new RateGate(new TokenBucket(10, 1, () => Date.now()));
    const fail = (code: string) => () => Promise.reject(new BridgeError({ code, message: code, retryable: true }));
    let at = -1;
    const acquireNote = (): void => void gate.acquire().then(() => (at = Date.now()));
    expect(await gate.acquire()).toBe(true);
    await vi.advanceTimersByTimeAsync(150);
    await expect(gate.watch(fail('dingtalk.server_error'))).rejects.toThrow('dingtalk.server_error');
    // Not drained: the token due at 100 is there at once.
    acquireNote();
    await vi.advanceTimersByTimeAsync(0);
    expect(at).toBe(150);
    await vi.advanceTimersByTimeAsync(250);
    await expect(gate.watch(fail('dingtalk.rate_limited'))).rejects.toThrow('dingtalk.rate_limited');
    // Drained: the token due at 250 is gone, the next caller waits a full interval from now.
    acquireNote();
    await vi.advanceTimersByTimeAsync(99);
    expect(at).toBe(150);
    await vi.advanceTimersByTimeAsync(1);
    expect(at).toBe(500);
    expect(await gate.watch(() => Promise.resolve('answer'))).toBe('answer');
    gate.close();
  });
});
