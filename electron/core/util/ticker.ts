/**
 * One interval timer for many members: each joins with what it does on a tick and leaves with
 * the function join() returned. The timer runs only while someone is there, so an app that
 * serves many groups wakes once per interval, not once per group (docs/architecture.md §1).
 */
export type TickMember = () => void;

/** What members need of a ticker (a test may tick by hand). */
export interface TickSource {
  join(member: TickMember): () => void;
}

export class Ticker implements TickSource {
  private readonly members = new Set<TickMember>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly intervalMs: number) {}

  /** How many are ticked. */
  get size(): number {
    return this.members.size;
  }

  join(member: TickMember): () => void {
    this.members.add(member);
    this.timer ??= setInterval(() => this.tick(), this.intervalMs);
    return () => this.leave(member);
  }

  private leave(member: TickMember): void {
    this.members.delete(member);
    if (this.members.size > 0 || !this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    // A copy: a member may leave (or another join) from its own tick.
    for (const member of [...this.members]) member();
  }
}
