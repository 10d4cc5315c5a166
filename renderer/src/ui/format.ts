/** Dates and times in the UI language. */
import type { Language } from '../../../electron/shared/api';

const locale = (lng: Language): string => (lng === 'zh' ? 'zh-CN' : 'en-GB');

/** 12,345 / 12,345 in the UI language. */
export function formatNumber(n: number, lng: Language): string {
  return new Intl.NumberFormat(locale(lng)).format(n);
}

export function formatDate(ts: number, lng: Language): string {
  return new Intl.DateTimeFormat(locale(lng), { year: 'numeric', month: 'short', day: 'numeric' }).format(ts);
}

export function formatDateTime(ts: number, lng: Language): string {
  return new Intl.DateTimeFormat(locale(lng), { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(ts);
}

export function formatClock(ts: number, millis = true): string {
  const d = new Date(ts);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return millis ? `${hms}.${pad(d.getMilliseconds(), 3)}` : hms;
}

/** "3 min ago" / "in 5 min"; under 45 s: `justNow`. */
export function formatRelative(ts: number, lng: Language, now: number, justNow: string): string {
  const diff = ts - now;
  const abs = Math.abs(diff);
  if (abs < 45_000) return justNow;
  const rtf = new Intl.RelativeTimeFormat(locale(lng), { numeric: 'auto' });
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  return rtf.format(Math.round(diff / 86_400_000), 'day');
}
