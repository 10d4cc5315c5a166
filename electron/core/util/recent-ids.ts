/**
 * Remembers ids for a while, in bounded memory: used to drop redelivered messages and
 * repeated events. Insertion order equals time order, so expiry only looks at the oldest.
 */
export class RecentIds {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxSize: number,
    private readonly now: () => number = Date.now,
  ) {}

  has(id: string): boolean {
    this.expire();
    return this.seen.has(id);
  }

  /** Records `id`; returns false if it was already there (a duplicate). */
  add(id: string): boolean {
    this.expire();
    if (this.seen.has(id)) return false;
    this.seen.set(id, this.now());
    if (this.seen.size > this.maxSize) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
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
