/** `doctor`'s checks as data (for --json) and as lines for people. */
import type { Problem } from '../../core/errors';
import { out } from '../output';

export interface Check {
  id: string;
  /** note: worth knowing, not a failure (e.g. another bridge already runs on this machine). */
  status: 'ok' | 'fail' | 'skip' | 'note';
  message: string;
  code?: string;
  hint?: string;
  steps?: string[];
}

export function failedCheck(id: string, problem: Problem, steps: string[] = []): Check {
  return {
    id,
    status: 'fail',
    message: problem.message,
    code: problem.code,
    ...(problem.hint ? { hint: problem.hint } : {}),
    ...(steps.length ? { steps } : {}),
  };
}

const MARK = { ok: '✓', fail: '✗', skip: '–', note: '!' } as const;

export function printChecks(checks: readonly Check[]): void {
  for (const c of checks) {
    out(`${MARK[c.status]} ${c.message}`);
    if (c.hint) out(`    → ${c.hint}`);
    c.steps?.forEach((s, i) => out(`    ${i + 1}. ${s}`));
  }
}

export function failureCount(checks: readonly Check[]): number {
  return checks.filter((c) => c.status === 'fail').length;
}
