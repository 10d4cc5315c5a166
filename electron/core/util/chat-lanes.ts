/**
 * Per-chat FIFO scheduling: one queue and at most one worker per chat, chats in parallel.
 * A chat's next item starts only after `work` finished the previous one, so order within a
 * chat holds whatever happens in between (retries, restarts).
 *
 * When `work` throws (a local failure such as a full disk, not a delivery problem, which `work`
 * judges itself), the chat waits and tries the same item again with backoff — never skipping
 * it, never parking the chat until some later push — so it flows again by itself once the
 * cause passes. retryNow() cuts the waits short (e.g. when disk space returns).
 */
import { dict } from './own';
import { backoffDelay, type BackoffPolicy } from './backoff';

export interface LaneItem {
  id: string;
}

/**
 * Delivers (or finally fails) one item: resolves true when the item is finished, false when
 * the lanes are stopping and the item must stay queued.
 */
export type LaneWork<I> = (item: I) => Promise<boolean>;

interface Queued<I> {
  item: I;
  /** Push order across all chats, for idle() and settled(). */
  seq: number;
}

export class ChatLanes<I extends LaneItem> {
  private readonly queues = new Map<string, Array<Queued<I>>>();
  private readonly running = new Map<string, Promise<void>>();
  /** Waiters of idle() (every key) and settled() (one key). */
  private idleWaiters: Array<{ upTo: number; key: string | undefined; resolve: () => void }> = [];
  /** Wakers of the chats waiting to retry after `work` threw. */
  private readonly pauses = new Set<() => void>();
  private pushed = 0;
  private stopped = false;

  constructor(
    private readonly keyOf: (item: I) => string,
    private readonly work: LaneWork<I>,
    private readonly onCrash: (err: unknown, item: I) => void,
    private readonly retry: BackoffPolicy = { baseMs: 500, capMs: 15_000, jitterMs: 250 },
  ) {}

  push(items: readonly I[]): void {
    if (this.stopped) return;
    for (const item of items) {
      const key = this.keyOf(item);
      const entry = { item, seq: ++this.pushed };
      const queue = this.queues.get(key);
      if (queue) queue.push(entry);
      else this.queues.set(key, [entry]);
    }
    for (const key of new Set(items.map(this.keyOf))) this.start(key);
  }

  depth(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  depthOf(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  depthByKey(): Record<string, number> {
    const out = dict<number>();
    for (const [key, queue] of this.queues) out[key] = queue.length;
    return out;
  }

  /** Resolves once every item pushed so far is finished (later pushes do not hold it up), or the lanes stopped. */
  idle(): Promise<void> {
    return this.waitUntilFinished(undefined);
  }

  /** Like idle(), for one key: resolves once every item pushed so far for it is finished (at once when it has none). */
  settled(key: string): Promise<void> {
    return this.waitUntilFinished(key);
  }

  /** Chats waiting after a failure try their head item again now. */
  retryNow(): void {
    for (const wake of [...this.pauses]) wake();
  }

  /** Starts nothing new and waits for the items being worked on to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.retryNow();
    await Promise.all(this.running.values());
    this.wakeIdle();
  }

  private start(key: string): void {
    if (this.running.has(key)) return;
    const run = this.drain(key).then((ran) => {
      this.running.delete(key);
      // Pushed while the worker was winding down (e.g. by an idle() waiter it just woke): it saw
      // a worker still listed and started none, so start one now.
      if (ran === 'emptied' && this.queues.has(key)) this.start(key);
    });
    this.running.set(key, run);
  }

  /** Works through a chat's queue: until it is empty, or the lanes or `work` halt it. */
  private async drain(key: string): Promise<'emptied' | 'halted'> {
    let failures = 0;
    for (;;) {
      const queue = this.queues.get(key);
      const head = queue?.[0];
      if (!queue || !head) return 'emptied';
      if (this.stopped) return 'halted';
      let finished: boolean;
      try {
        finished = await this.work(head.item);
      } catch (err) {
        this.onCrash(err, head.item);
        // The same head again after a pause: order holds, nothing is skipped, nothing spins.
        if (!(await this.pause(failures++))) return 'halted';
        continue;
      }
      failures = 0;
      if (!finished) return 'halted';
      queue.shift();
      if (queue.length === 0) this.queues.delete(key);
      this.wakeIdle();
    }
  }

  /** Resolves true after the backoff (or retryNow()), false when the lanes stopped meanwhile. */
  private pause(attempt: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.pauses.delete(wake);
        resolve(!this.stopped);
      };
      const timer = setTimeout(wake, backoffDelay(attempt, this.retry));
      this.pauses.add(wake);
    });
  }

  private waitUntilFinished(key: string | undefined): Promise<void> {
    const upTo = this.pushed;
    if (this.stopped || this.finishedUpTo(upTo, key)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push({ upTo, key, resolve }));
  }

  /** Every queue's head (or the one key's) came later than `upTo`: all items up to it are finished (FIFO per chat). */
  private finishedUpTo(upTo: number, key: string | undefined): boolean {
    const queues: Iterable<Array<Queued<I>>> = key === undefined ? this.queues.values() : [this.queues.get(key) ?? []];
    for (const queue of queues) if ((queue[0]?.seq ?? Infinity) <= upTo) return false;
    return true;
  }

  private wakeIdle(): void {
    const done = this.idleWaiters.filter((w) => this.stopped || this.finishedUpTo(w.upTo, w.key));
    this.idleWaiters = this.idleWaiters.filter((w) => !done.includes(w));
    for (const waiter of done) waiter.resolve();
  }
}
