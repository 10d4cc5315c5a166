import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../electron/core/util/backoff';
import { RecentIds } from '../../../electron/core/util/recent-ids';

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

describe('RecentIds', () => {
  it('reports duplicates within the window and forgets them after it', () => {
    let now = 0;
    const ids = new RecentIds(5 * 60_000, 100, () => now);
    expect(ids.add('a')).toBe(true);
    now += 4 * 60_000;
    expect(ids.add('a')).toBe(false);
    now += 61_000;
    expect(ids.has('a')).toBe(false);
    expect(ids.add('a')).toBe(true);
  });

  it('stays within its size bound, dropping the oldest first', () => {
    const ids = new RecentIds(60_000, 3, () => 0);
    for (const id of ['a', 'b', 'c', 'd']) ids.add(id);
    expect(ids.size).toBe(3);
    expect(ids.has('a')).toBe(false);
    expect(ids.has('d')).toBe(true);
  });
});
