/**
 * Structured logging for core services. Core never writes to a console or file itself:
 * it emits records to a sink the host (Electron main, CLI, tests) provides.
 */
import { redact } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface LogRecord {
  ts: number;
  level: LogLevel;
  /** Which service wrote it, e.g. `dingtalk.stream`, `cccc.ledger`. */
  scope: string;
  msg: string;
  fields?: LogFields;
}

export type LogSink = (record: LogRecord) => void;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(scope: string): Logger;
}

/** A logger whose every record passes through redaction before it reaches the sink. */
export function createLogger(sink: LogSink, scope = 'core', secrets: () => readonly string[] = () => []): Logger {
  const emit = (level: LogLevel, msg: string, fields?: LogFields): void => {
    const known = secrets();
    const record: LogRecord = { ts: Date.now(), level, scope, msg: redact(msg, known) as string };
    if (fields) record.fields = redact(fields, known) as LogFields;
    try {
      sink(record);
    } catch {
      // A broken sink must never take a bridge service down with it.
    }
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (name) => createLogger(sink, `${scope}.${name}`, secrets),
  };
}

/** Discards everything; for callers that do not care about logs. */
export const silentLogger: Logger = createLogger(() => undefined);

/** Collects records in memory; handy for tests and for the UI's ring buffer. */
export function memoryLogger(scope = 'test', secrets: () => readonly string[] = () => []): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  return Object.assign(
    createLogger((r) => records.push(r), scope, secrets),
    { records },
  );
}
