/**
 * Remembers ids for a while, in bounded memory: used to drop redelivered messages and
 * repeated events. Insertion order equals time order, so expiry only looks at the oldest.
 */
import { BoundedMap } from './bounded';

export class RecentIds {
  private readonly seen: BoundedMap<string, number>;

  constructor(
    private readonly ttlMs: number,
    maxSize: number,
    private readonly now: () => number = Date.now,
  ) {
    this.seen = new BoundedMap(maxSize);
  }

  has(id: string): boolean {
    this.expire();
    return this.seen.has(id);
  }

  /** Records `id`; returns false if it was already there (a duplicate). */
  add(id: string): boolean {
    this.expire();
    if (this.seen.has(id)) return false;
    this.seen.set(id, this.now());
    return true;
  }

  /** Forgets `id` (e.g. its processing failed and a redelivery must be accepted). */
  delete(id: string): void {
    this.seen.delete(id);
  }

  get size(): number {
    return this.seen.size;
  }

  private expire(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [id, at] of this.seen) {
      if (at > cutoff) break;
      this.seen.delete(id);
    }
  }
}
