/** waitAtMost: a bounded wait (a press waiting for earlier messages, a stop draining deliveries). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitAtMost } from '../../../electron/core/util/sleep';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('waitAtMost', () => {
  it('resolves when the work does, leaving no timer behind', async () => {
    let finish!: () => void;
    const waited = waitAtMost(new Promise<void>((r) => (finish = r)), 10_000);
    finish();
    expect(await waited).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves false after the bound when the work never ends, and true when it fails in time', async () => {
    let over = false;
    const waited = waitAtMost(new Promise(() => {}), 10_000).then((settled) => ((over = true), settled));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(over).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await waited).toBe(false);
    expect(over).toBe(true);
    await expect(waitAtMost(Promise.reject(new Error('disk full')), 10_000)).resolves.toBe(true);
  });
});
