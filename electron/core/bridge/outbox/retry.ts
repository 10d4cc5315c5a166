/**
 * After a failed attempt: try again (and when), or give up with a problem for the user.
 * Rate limits get a short jittered pause (DingTalk's window is one second); other passing
 * troubles (network, server errors, a token refresh that failed) back off exponentially.
 */
import { BridgeError, type Problem } from '../../errors';
import { backoffDelay, type BackoffPolicy } from '../../util/backoff';

export interface RetryPolicy {
  /** Pause after "over the QPS limit": uniform in [min, max]. */
  rateLimitedMinMs: number;
  rateLimitedMaxMs: number;
  /** Everything else that may pass on its own. */
  backoff: BackoffPolicy;
  /** Pause while the app's setup is wrong (an admin has to fix it in the DingTalk console). */
  setupWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  rateLimitedMinMs: 1_000,
  rateLimitedMaxMs: 2_000,
  backoff: { baseMs: 1_000, capMs: 60_000, jitterMs: 1_000 },
  setupWaitMs: 60_000,
};

/**
 * Problems with the app's setup: every message fails until an admin fixes the console (new
 * permission, published version, whitelist, quota). Dropping messages meanwhile would lose
 * them all, so they wait — up to the outbox's maximum age — and the problem is surfaced.
 */
export const SETUP_PROBLEMS: ReadonlySet<string> = new Set([
  'dingtalk.invalid_credentials',
  'dingtalk.no_permission',
  'dingtalk.ip_not_whitelisted',
  'dingtalk.quota_exhausted',
  'dingtalk.robot_not_found',
]);

export type Verdict = { retry: true; delayMs: number; problem: Problem } | { retry: false; problem: Problem };

/** Problem of anything thrown; errors that are not BridgeErrors are bugs or bad input, which waiting will not fix. */
export function problemOf(err: unknown): Problem {
  if (err instanceof BridgeError) return err.toProblem();
  const message = err instanceof Error ? (err.message.split('\n')[0] ?? err.name) : String(err);
  return { code: 'outbox.invalid_message', message: `The message could not be sent: ${message}`, retryable: false };
}

/** `attempt` counts the failures of this item so far, from 0. */
export function judge(err: unknown, attempt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random): Verdict {
  const problem = problemOf(err);
  if (SETUP_PROBLEMS.has(problem.code)) return { retry: true, delayMs: policy.setupWaitMs, problem };
  if (!problem.retryable) return { retry: false, problem };
  if (problem.code === 'dingtalk.rate_limited') {
    const span = policy.rateLimitedMaxMs - policy.rateLimitedMinMs;
    return { retry: true, delayMs: Math.round(policy.rateLimitedMinMs + span * random()), problem };
  }
  return { retry: true, delayMs: backoffDelay(attempt, policy.backoff, random), problem };
}
