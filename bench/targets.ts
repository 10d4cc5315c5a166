/** A benchmark's targets: a module may export `targets`, keyed by the figure they judge. */
export interface Target {
  /** The figure must be strictly below this. */
  below?: number;
  /** The figure must be at most this. */
  atMost?: number;
  /** The figure must be at least this. */
  atLeast?: number;
}

export type Targets = Record<string, Target>;

export function describeTarget(t: Target): string {
  return [t.below !== undefined ? `< ${t.below}` : '', t.atMost !== undefined ? `≤ ${t.atMost}` : '', t.atLeast !== undefined ? `≥ ${t.atLeast}` : '']
    .filter(Boolean)
    .join(' and ');
}

export function meets(value: number, t: Target): boolean {
  return (t.below === undefined || value < t.below) && (t.atMost === undefined || value <= t.atMost) && (t.atLeast === undefined || value >= t.atLeast);
}
