/** Exponential backoff with jitter: min(base·2^attempt + jitter·rand, cap). Never a tight loop. */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  jitterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 60_000, jitterMs: 1_000 };

export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exp = policy.baseMs * 2 ** Math.max(0, Math.min(attempt, 30));
  return Math.round(Math.min(exp + policy.jitterMs * random(), policy.capMs));
}
