/**
 * The monthly budget's thresholds, and the month's calls as the dashboard and `status` show them.
 * Thresholds on the calls made, not on the forecast: a forecast early in a month swings with a
 * single busy hour, and stepping cards down on it would punish a quiet month for a loud morning.
 */
import type { ApiUsageView, CardAllowance } from '../../../shared/api';
import { forecastCalls, monthProgress } from './month';

export type { CardAllowance };

/** From this share of the budget, cards update less often (and the first warning is given). */
export const LEAN_AT = 0.8;
/** From this share, answers go as plain messages instead of cards. */
export const PLAIN_AT = 1;

const RANK: Record<CardAllowance, number> = { full: 0, lean: 1, plain: 2 };

/** `full` < 80 % of the budget (or no budget), `lean` 80–100 %, `plain` ≥ 100 %. */
export function cardAllowanceFor(calls: number, budget: number | null | undefined): CardAllowance {
  if (!budget) return 'full';
  if (calls >= budget * PLAIN_AT) return 'plain';
  if (calls >= budget * LEAN_AT) return 'lean';
  return 'full';
}

/** Whether `a` is a step further down than `b`. */
export function stricter(a: CardAllowance, b: CardAllowance): boolean {
  return RANK[a] > RANK[b];
}

export function totalOf(calls: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const n of Object.values(calls)) total += n;
  return total;
}

/** This month's calls by API (`calls`), at the moment `now`, against `budget`. */
export function usageView(calls: Readonly<Record<string, number>>, budget: number | null | undefined, now: number): ApiUsageView {
  const progress = monthProgress(now);
  const total = totalOf(calls);
  const view: ApiUsageView = {
    month: progress.month,
    calls: total,
    byApi: Object.entries(calls)
      .map(([api, n]) => ({ api, calls: n }))
      .sort((a, b) => b.calls - a.calls || a.api.localeCompare(b.api)),
    forecast: forecastCalls(total, progress),
    daysElapsed: Math.round(progress.daysElapsed * 10) / 10,
    daysInMonth: progress.daysInMonth,
    allowance: cardAllowanceFor(total, budget),
  };
  if (budget) view.budget = budget;
  return view;
}
