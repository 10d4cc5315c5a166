/**
 * Per-chat FIFO scheduling: one queue and at most one worker per chat, chats in parallel.
 * A chat's next item starts only after `work` finished the previous one, so order within a
 * chat holds whatever happens in between (retries, restarts).
 */
export interface LaneItem {
  id: string;
}

/**
 * Delivers (or finally fails) one item: resolves true when the item is finished, false when
 * the lanes are stopping and the item must stay queued.
 */
export type LaneWork<I> = (item: I) => Promise<boolean>;

export class ChatLanes<I extends LaneItem> {
  private readonly queues = new Map<string, I[]>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly idleWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(
    private readonly keyOf: (item: I) => string,
    private readonly work: LaneWork<I>,
    private readonly onCrash: (err: unknown, item: I) => void,
  ) {}

  push(items: readonly I[]): void {
    if (this.stopped) return;
    for (const item of items) {
      const key = this.keyOf(item);
      const queue = this.queues.get(key);
      if (queue) queue.push(item);
      else this.queues.set(key, [item]);
    }
    for (const key of new Set(items.map(this.keyOf))) this.start(key);
  }

  depth(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  depthByKey(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, queue] of this.queues) out[key] = queue.length;
    return out;
  }

  /** Resolves once every queue is empty, or the lanes stopped. */
  idle(): Promise<void> {
    if (this.stopped || this.queues.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Starts nothing new and waits for the items being worked on to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running.values());
    this.wakeIdle();
  }

  private start(key: string): void {
    if (this.running.has(key)) return;
    const run = this.drain(key).finally(() => {
      this.running.delete(key);
      if (this.queues.size === 0) this.wakeIdle();
    });
    this.running.set(key, run);
  }

  private async drain(key: string): Promise<void> {
    for (;;) {
      const queue = this.queues.get(key);
      const head = queue?.[0];
      if (!queue || !head || this.stopped) return;
      let finished: boolean;
      try {
        finished = await this.work(head);
      } catch (err) {
        // `work` handles its own failures; if it still throws, park the chat rather than spin.
        this.onCrash(err, head);
        return;
      }
      if (!finished) return;
      queue.shift();
      if (queue.length === 0) this.queues.delete(key);
    }
  }

  private wakeIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
