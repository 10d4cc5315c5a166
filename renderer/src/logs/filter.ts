/** Log filtering and the bounded in-memory buffer, kept apart from the view so they are easy to test. */
import type { LogLevelView, LogView } from '../../../electron/shared/api';

export const LEVELS: readonly LogLevelView[] = ['debug', 'info', 'warn', 'error'];

/** How many records the view keeps; older ones are dropped (the export has them all). */
export const BUFFER = 2_000;
/** How many matching records are rendered at once. */
export const SHOWN = 300;

export interface LogFilter {
  /** Minimum level. */
  level: LogLevelView;
  bridgeId: string;
  chatId: string;
  search: string;
}

export function matches(r: LogView, f: LogFilter): boolean {
  if (LEVELS.indexOf(r.level) < LEVELS.indexOf(f.level)) return false;
  if (f.bridgeId && r.bridgeId !== f.bridgeId) return false;
  if (f.chatId && r.chatId !== f.chatId) return false;
  if (f.search) {
    const needle = f.search.toLowerCase();
    const hay = `${r.msg} ${r.scope} ${r.fields ? JSON.stringify(r.fields) : ''}`.toLowerCase();
    if (!hay.includes(needle)) return false;
  }
  return true;
}

/** Appends live records to the buffer, dropping exact repeats (a record can arrive by fetch and by event) and the oldest past BUFFER. */
export function appendLogs(buffer: LogView[], incoming: LogView[]): LogView[] {
  const seen = new Set(buffer.slice(-incoming.length - 50).map(key));
  const fresh = incoming.filter((r) => !seen.has(key(r)));
  if (fresh.length === 0) return buffer;
  const next = [...buffer, ...fresh].sort((a, b) => a.ts - b.ts);
  return next.length > BUFFER ? next.slice(next.length - BUFFER) : next;
}

function key(r: LogView): string {
  return `${r.ts}|${r.level}|${r.scope}|${r.msg}|${r.bridgeId ?? ''}|${r.chatId ?? ''}`;
}
