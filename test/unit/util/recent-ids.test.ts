import { describe, expect, it } from 'vitest';
import { RecentIds } from '../../../electron/core/util/recent-ids';

/** What RecentIds promises, kept the plain way: strings in insertion order. */
class Model {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxSize: number,
    private readonly now: () => number,
  ) {}
  private expire(): void {
    for (const [id, at] of this.seen) {
      if (at > this.now() - this.ttlMs) break;
      this.seen.delete(id);
    }
  }
  has(id: string): boolean {
    this.expire();
    return this.seen.has(id);
  }
  add(id: string): boolean {
    this.expire();
    if (this.seen.has(id)) return false;
    this.seen.set(id, this.now());
    if (this.seen.size > this.maxSize) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }
  delete(id: string): void {
    this.seen.delete(id);
  }
  get size(): number {
    return this.seen.size;
  }
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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

  it('accepts a deleted id again and keeps the others', () => {
    const ids = new RecentIds(Number.POSITIVE_INFINITY, 10);
    for (const id of ['a', 'b', 'c']) ids.add(id);
    ids.delete('b');
    expect([ids.has('a'), ids.has('b'), ids.has('c'), ids.size]).toEqual([true, false, true, 2]);
    expect(ids.add('b')).toBe(true);
    expect(ids.add('b')).toBe(false);
  });

  it('remembers exactly the newest maxSize ids while it grows and wraps around', () => {
    const ids = new RecentIds(Number.POSITIVE_INFINITY, 10_000);
    const id = (n: number): string => `${n.toString(16).padStart(32, '0')}`;
    const fresh = Array.from({ length: 25_000 }, (_, n) => ids.add(id(n)));
    expect(fresh.every(Boolean)).toBe(true);
    expect(ids.size).toBe(10_000);
    const remembered = Array.from({ length: 25_000 }, (_, n) => ids.has(id(n)));
    expect(remembered.indexOf(true)).toBe(15_000);
    expect(remembered.slice(15_000).every(Boolean)).toBe(true);
  });

  it('behaves like a plain insertion-ordered map under random adds, deletes, lookups and time', () => {
    for (const [seed, maxSize, ttlMs] of [
      [1, 5, Number.POSITIVE_INFINITY],
      [2, 100, Number.POSITIVE_INFINITY],
      [3, 100, 1_000],
      [4, 700, 5_000],
      [5, 1, 1_000],
    ] as const) {
      const next = random(seed);
      let now = 0;
      const clock = (): number => now;
      const ids = new RecentIds(ttlMs, maxSize, clock);
      const model = new Model(ttlMs, maxSize, clock);
      const mismatches: string[] = [];
      for (let step = 0; step < 20_000 && mismatches.length === 0; step++) {
        const id = `msg${Math.floor(next() * maxSize * 3)}==`;
        const op = next();
        now += Math.floor(next() * 10);
        let got: unknown, want: unknown;
        if (op < 0.5) [got, want] = [ids.add(id), model.add(id)];
        else if (op < 0.6) {
          ids.delete(id);
          model.delete(id);
        } else [got, want] = [ids.has(id), model.has(id)];
        if (got !== want || ids.size !== model.size)
          mismatches.push(
            `seed ${seed} step ${step} (${op < 0.5 ? 'add' : op < 0.6 ? 'delete' : 'has'} ${id}): ${String(got)}/${ids.size}, expected ${String(want)}/${model.size}`,
          );
      }
      expect(mismatches).toEqual([]);
    }
  });

  it('refuses a size bound below one', () => {
    expect(() => new RecentIds(1_000, 0)).toThrow(RangeError);
  });
});
