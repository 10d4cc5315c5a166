import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../electron/core/util/backoff';

describe('backoffDelay', () => {
  it('doubles from the base, adds bounded jitter, and never exceeds the cap', () => {
    const noJitter = (n: number) => backoffDelay(n, DEFAULT_BACKOFF, () => 0);
    expect([0, 1, 2, 3, 4, 5].map(noJitter)).toEqual([1000, 2000, 4000, 8000, 16000, 32000]);
    expect(noJitter(6)).toBe(60_000);
    expect(noJitter(500)).toBe(60_000);
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0.999)).toBe(1999);
    expect(backoffDelay(20, DEFAULT_BACKOFF, () => 0.999)).toBe(60_000);
  });
});
