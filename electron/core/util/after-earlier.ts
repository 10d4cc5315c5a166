import { waitAtMost } from './sleep';

/**
 * Steps that must come after what arrived before them: each runs after the steps asked for
 * earlier and after the work that was tracked as in flight when it was asked for — waited for at
 * most `maxWaitMs`, so work stuck on a full disk cannot hold every later step. A card press and
 * the messages received just before it (bridge.ts, app-bridge.ts).
 */
export class AfterEarlier {
  private readonly inFlight = new Set<Promise<unknown>>();
  private turn: Promise<void> = Promise.resolve();

  constructor(private readonly maxWaitMs: number) {}

  /** `work`, tracked as in flight until it settles. */
  async track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  /** Runs `step` in its turn; `thenAlso` is more to wait for once the work in flight settled (the queue it went into). */
  run(step: () => Promise<void>, thenAlso: () => Promise<unknown> = () => Promise.resolve()): Promise<void> {
    const before = Promise.allSettled([...this.inFlight]).then(thenAlso);
    const turn = this.turn.then(() => waitAtMost(before, this.maxWaitMs)).then(step);
    this.turn = turn.catch(() => undefined);
    return turn;
  }
}
