/** One owner for every timer, so close() can clear them all. */
export class TimerSet {
  private readonly timeouts = new Set<NodeJS.Timeout>();
  private readonly intervals = new Set<NodeJS.Timeout>();
  private closed = false;

  timeout(ms: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const t = setTimeout(
      () => {
        this.timeouts.delete(t);
        fn();
      },
      Math.max(0, ms),
    );
    this.timeouts.add(t);
    return t;
  }

  interval(ms: number, fn: () => void): NodeJS.Timeout | undefined {
    if (this.closed) return undefined;
    const t = setInterval(fn, ms);
    this.intervals.add(t);
    return t;
  }

  clear(t: NodeJS.Timeout | undefined): void {
    if (!t) return;
    clearTimeout(t);
    clearInterval(t);
    this.timeouts.delete(t);
    this.intervals.delete(t);
  }

  /** A promise that resolves after ms, or at once when the set is closed. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed || ms <= 0) return resolve();
      const t = this.timeout(ms, () => {
        if (t) this.sleepers.delete(t);
        resolve();
      });
      if (t) this.sleepers.set(t, resolve);
    });
  }

  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();

  get size(): number {
    return this.timeouts.size + this.intervals.size;
  }

  closeAll(): void {
    this.closed = true;
    for (const t of this.timeouts) clearTimeout(t);
    for (const t of this.intervals) clearInterval(t);
    this.timeouts.clear();
    this.intervals.clear();
    for (const resolve of this.sleepers.values()) resolve();
    this.sleepers.clear();
  }
}
