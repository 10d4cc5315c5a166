/**
 * The calendar month DingTalk meters calls in, and how far into it a moment is. DingTalk is a
 * service of China Standard Time (UTC+8, no daylight saving), so its months are taken to start at
 * midnight there, whatever the machine's own time zone (docs/dingtalk-protocol.md §12).
 */

const CST_OFFSET_MS = 8 * 60 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

/** `2025-06`: the metering month of the moment `ms` (ms since epoch). */
export function meteringMonth(ms: number): string {
  return new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 7);
}

/** The metering month of `ms` and when it begins and ends (ms since epoch; the end is the next one's start). */
export function monthSpan(ms: number): { month: string; start: number; end: number } {
  const shifted = new Date(ms + CST_OFFSET_MS);
  const year = shifted.getUTCFullYear();
  const month = shifted.getUTCMonth();
  return { month: meteringMonth(ms), start: Date.UTC(year, month, 1) - CST_OFFSET_MS, end: Date.UTC(year, month + 1, 1) - CST_OFFSET_MS };
}

export interface MonthProgress {
  month: string;
  /** Days since the month began, fractional. */
  daysElapsed: number;
  daysInMonth: number;
}

export function monthProgress(ms: number): MonthProgress {
  const { month, start, end } = monthSpan(ms);
  return { month, daysElapsed: (ms - start) / DAY_MS, daysInMonth: Math.round((end - start) / DAY_MS) };
}

/**
 * Calls by the month's end at the pace so far: linear in the days elapsed, counted as at least
 * one day so that the first hours of a month do not multiply a handful of calls by thirty days
 * of hours. Never less than the calls already made.
 */
export function forecastCalls(calls: number, progress: MonthProgress): number {
  return Math.round((calls / Math.max(progress.daysElapsed, 1)) * progress.daysInMonth);
}

/** The months to keep: this one and the twelve before it (a year to compare with). */
export function monthsKept(ms: number): (month: string) => boolean {
  const shifted = new Date(ms + CST_OFFSET_MS);
  const oldest = new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth() - 12, 1)).toISOString().slice(0, 7);
  return (month) => month >= oldest;
}
