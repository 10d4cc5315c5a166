/**
 * Token bucket arithmetic, no timers (GCRA form: one "next token" time instead of a count).
 * `ratePerSec` tokens refill continuously up to `burst`. Over any window of T seconds it grants
 * at most burst + rate·T tokens, so with DingTalk's sliding one-second limit L per API,
 * burst + rate ≤ L keeps every window legal. A taker that comes up to `slackMs` late keeps its
 * place in the schedule (timers fire a millisecond or so late; without this the rate would
 * quietly sag by that much per token); lateness beyond that is not caught up in a burst.
 */
export class TokenBucket {
  private readonly intervalMs: number;
  /** When the next token is due if the bucket were used one token at a time. */
  private next: number;

  constructor(
    readonly ratePerSec: number,
    readonly burst = 1,
    private readonly now: () => number = () => performance.now(),
    private readonly slackMs = 5,
  ) {
    if (!(ratePerSec > 0)) throw new RangeError('ratePerSec must be positive');
    if (!(burst >= 1)) throw new RangeError('burst must be at least 1');
    this.intervalMs = 1000 / ratePerSec;
    this.next = now();
  }

  /** Takes a token and returns 0, or takes nothing and returns the ms until one is there. */
  tryTake(): number {
    const t = this.now();
    // A clock that steps back must not stall the bucket for longer than one full refill.
    this.next = Math.min(this.next, t + this.burst * this.intervalMs);
    const wait = this.next - (this.burst - 1) * this.intervalMs - t;
    if (wait > 1e-9) return Math.ceil(wait);
    this.next = Math.max(this.next, t - this.slackMs) + this.intervalMs;
    return 0;
  }

  /** DingTalk said we are over its limit: start again from an empty bucket. */
  drain(): void {
    this.next = Math.max(this.next, this.now() + this.burst * this.intervalMs);
  }
}
