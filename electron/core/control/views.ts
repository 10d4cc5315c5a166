/** The engine's shapes → the contract's views (electron/shared/api.ts), and secret scrubbing. */
import type { z } from 'zod';
import type { BridgeStatusView, logQuerySchema, ProblemView } from '../../shared/api';
import type { BridgeStatus } from '../bridge/bridge';
import type { Problem } from '../errors';
import { redactText } from '../log/redact';

export type LogQuery = z.output<typeof logQuerySchema>;

export function problemView(p: Problem): ProblemView {
  const v: ProblemView = { code: p.code, message: p.message, retryable: p.retryable };
  if (p.hint !== undefined) v.hint = p.hint;
  if (p.details !== undefined) v.details = p.details;
  return v;
}

export function statusView(s: BridgeStatus): BridgeStatusView {
  const d = s.dingtalk;
  const dingtalk: BridgeStatusView['dingtalk'] = { status: d.status };
  if (d.status === 'connected') dingtalk.since = d.since;
  if (d.status === 'reconnecting') Object.assign(dingtalk, { attempt: d.attempt, retryInMs: d.delayMs, problem: problemView(d.problem) });
  if (d.status === 'error') dingtalk.problem = problemView(d.problem);
  const cccc: BridgeStatusView['cccc'] = { status: s.cccc.status };
  if (s.cccc.version) cccc.version = s.cccc.version;
  if (s.cccc.problem) cccc.problem = problemView(s.cccc.problem);
  const view: BridgeStatusView = { state: s.state, dingtalk, cccc, outboxDepth: s.outboxDepth, inboxDepth: s.toCcccDepth };
  if (s.lastProblem) view.lastProblem = problemView(s.lastProblem);
  return view;
}

export function stoppedStatus(lastProblem?: Problem, state: 'stopped' | 'error' = 'stopped'): BridgeStatusView {
  const view: BridgeStatusView = { state, dingtalk: { status: 'stopped' }, cccc: { status: 'unknown' }, outboxDepth: 0, inboxDepth: 0 };
  if (lastProblem) view.lastProblem = problemView(lastProblem);
  return view;
}

/**
 * Masks every known secret wherever it appears in a string of `value`, with the log redaction's
 * text path (keys are left alone: unlike a log record, a result's `token` field is a check, not a credential).
 */
export function scrub<T>(value: T, secrets: readonly string[]): T {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redactText(v, secrets);
    if (v === null || typeof v !== 'object' || depth > 12) return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, depth + 1);
    return out;
  };
  return walk(value, 0) as T;
}
