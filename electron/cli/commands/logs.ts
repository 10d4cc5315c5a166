/**
 * `cccc-dingtalk logs [-n N] [-f] [--json]`: the bridge's log file as readable lines. Records
 * were redacted when written; they are redacted again here with the secret this shell knows,
 * so nothing slips through a log written before a secret changed. -f follows the file across
 * rotations until Ctrl-C.
 */
import { open, stat } from 'node:fs/promises';
import type { LogRecord } from '../../core/log/logger';
import { redact } from '../../core/log/redact';
import { loadBridge } from '../context';
import { openLogFile, parseLogLine, tailRecords } from '../../core/log/log-file';
import { formatRecord, out } from '../output';

export interface LogsOptions {
  bridge?: string;
  lines?: string;
  follow?: boolean;
  json?: boolean;
}

const FOLLOW_POLL_MS = 200;

export async function logsCommand(o: LogsOptions): Promise<number> {
  const ctx = await loadBridge(o.bridge);
  const secret = ctx.profile.secret.from === 'env' ? ctx.env[ctx.profile.secret.name]?.trim() : undefined;
  const secrets = secret ? [secret] : [];
  const show = (r: LogRecord): void => {
    const safe = redact(r, secrets) as LogRecord;
    out(o.json ? JSON.stringify(safe) : formatRecord(safe));
  };
  const file = openLogFile(ctx.paths.logs);
  const n = Math.max(0, Math.floor(Number(o.lines ?? 50)) || 0);
  const records = await tailRecords(file, n);
  for (const r of records) show(r);
  if (!o.follow) {
    if (records.length === 0) out(`(no log lines yet in ${file.pathAt(0)})`);
    return 0;
  }
  await follow(file.pathAt(0), file.pathAt(1), show);
  return 0;
}

/** Prints records appended to `current` until SIGINT/SIGTERM; after a rotation, drains `rotated` first. */
async function follow(current: string, rotated: string, show: (r: LogRecord) => void): Promise<void> {
  const info = await stat(current).catch(() => undefined);
  let ino = info?.ino;
  let offset = info?.size ?? 0;
  let partial = '';
  let stopped = false;
  const stop = (): void => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const readFrom = async (path: string, from: number): Promise<number> => {
    const fh = await open(path, 'r').catch(() => undefined);
    if (!fh) return from;
    try {
      const { size } = await fh.stat();
      if (size <= from) return size < from ? 0 : from;
      const buf = Buffer.alloc(size - from);
      await fh.read(buf, 0, buf.length, from);
      const lines = (partial + buf.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        const record = parseLogLine(line);
        if (record) show(record);
      }
      return size;
    } finally {
      await fh.close();
    }
  };

  while (!stopped) {
    const now = await stat(current).catch(() => undefined);
    if (now && ino !== undefined && now.ino !== ino) {
      // Rotated: the file we were reading is now `rotated`; finish it, then start the new one.
      await readFrom(rotated, offset);
      partial = '';
      offset = 0;
    }
    ino = now?.ino;
    if (now) offset = await readFrom(current, offset);
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
  }
}
