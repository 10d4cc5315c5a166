/**
 * Waiting for a token bucket, first come first served: callers (one per chat, or per card) queue
 * up and are let through one by one as tokens appear, with a single timer. close() lets every
 * waiter go with `false` and clears the timer. Used by the outbox and by the card calls made
 * outside it (docs/architecture.md, "Rate limits").
 */
import { BridgeError } from '../../errors';
import type { TokenBucket } from '../../util/token-bucket';

/** DingTalk answered "over the QPS limit" (docs/dingtalk-protocol.md §6). */
export const isRateLimited = (err: unknown): boolean => err instanceof BridgeError && err.code === 'dingtalk.rate_limited';

export class RateGate {
  private readonly waiters: Array<(granted: boolean) => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(readonly bucket: TokenBucket) {}

  /** Resolves true when the caller may make its call, false if the gate closed first. */
  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.waiters.length === 0 && this.bucket.tryTake() === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  /** DingTalk answered "over the QPS limit": empty the bucket so everyone waits a full interval. */
  drain(): void {
    this.bucket.drain();
  }

  /**
   * Makes a call the gate let through. DingTalk saying "over the limit" means our pace is too high
   * right now: the bucket starts over empty before the error goes on to the caller.
   */
  async watch<R>(call: () => Promise<R>): Promise<R> {
    try {
      return await call();
    } catch (err) {
      if (isRateLimited(err)) this.drain();
      throw err;
    }
  }

  get waiting(): number {
    return this.waiters.length;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const resolve of this.waiters.splice(0)) resolve(false);
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const release = (): void => {
      this.timer = undefined;
      while (this.waiters.length > 0) {
        const wait = this.bucket.tryTake();
        if (wait > 0) {
          this.timer = setTimeout(release, wait);
          return;
        }
        this.waiters.shift()?.(true);
      }
    };
    release();
  }
}
