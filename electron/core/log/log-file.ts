/**
 * The bridge's log file: JSON Lines of log records (already redacted by the logger) in
 * `<bridge>/logs/bridge.jsonl`, rotated by size like the audit trail. `cccc-dingtalk logs`
 * renders them; the desktop app can read the same records.
 */
import { z } from 'zod';
import type { LogLevel, LogRecord, LogSink } from './logger';
import { RotatingFile } from './rotating-file';

export const LOG_NAME = 'bridge';
export const LOG_EXT = '.jsonl';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const recordSchema = z.object({
  ts: z.number(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  scope: z.string(),
  msg: z.string(),
  fields: z.record(z.string(), z.unknown()).optional(),
});

export function openLogFile(dir: string): RotatingFile {
  return new RotatingFile({ dir, name: LOG_NAME, ext: LOG_EXT, maxBytes: 5 * 1024 * 1024, keep: 5 });
}

/** A sink that drops records below `min` and hands the rest to `targets`. */
export function levelSink(min: LogLevel, targets: LogSink[]): LogSink {
  return (record) => {
    if (LEVELS[record.level] < LEVELS[min]) return;
    for (const target of targets) target(record);
  };
}

export function fileSink(file: RotatingFile): LogSink {
  // A log line that cannot be written has nowhere better to go; the bridge keeps running.
  return (record) => void file.append(`${JSON.stringify(record)}\n`).catch(() => undefined);
}

export function parseLogLine(line: string): LogRecord | undefined {
  if (line.trim() === '') return undefined;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(line));
    return parsed.success ? (parsed.data as LogRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** The newest `n` records across the rotated files, oldest first. */
export async function tailRecords(file: RotatingFile, n: number): Promise<LogRecord[]> {
  const found: LogRecord[] = [];
  for (let i = 0; i < file.keep && found.length < n; i++) {
    const lines = (await file.read(i)).split('\n');
    for (let j = lines.length - 1; j >= 0 && found.length < n; j--) {
      const record = parseLogLine(lines[j] ?? '');
      if (record) found.push(record);
    }
  }
  return found.reverse();
}
