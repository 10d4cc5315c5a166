/**
 * Errors are values the user can act on. Every failure that can reach a person carries a
 * stable code, a sentence that says what happened, and a hint that says what to do.
 * Messages never contain secrets or stack traces.
 */
export interface Problem {
  /** Stable machine code, e.g. `dingtalk.invalid_credentials`, `cccc.not_running`. */
  code: string;
  /** One sentence for the user (English; the UI translates by code). */
  message: string;
  /** What to do about it. */
  hint?: string;
  /** True when trying again later may succeed on its own. */
  retryable: boolean;
  /** Extra, non-secret facts (e.g. `requiredScopes`). */
  details?: Record<string, unknown>;
}

export class BridgeError extends Error implements Problem {
  readonly code: string;
  readonly hint?: string;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(problem: Problem, options?: { cause?: unknown }) {
    super(problem.message, options);
    this.name = 'BridgeError';
    this.code = problem.code;
    this.retryable = problem.retryable;
    if (problem.hint !== undefined) this.hint = problem.hint;
    if (problem.details !== undefined) this.details = problem.details;
  }

  toProblem(): Problem {
    const p: Problem = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.hint !== undefined) p.hint = this.hint;
    if (this.details !== undefined) p.details = this.details;
    return p;
  }
}

/** Turns anything thrown into a Problem without leaking internals. */
export function toProblem(err: unknown, fallbackCode = 'internal'): Problem {
  if (err instanceof BridgeError) return err.toProblem();
  const message = err instanceof Error ? err.message : String(err);
  return { code: fallbackCode, message: message.split('\n')[0] ?? 'Unexpected error', retryable: true };
}
