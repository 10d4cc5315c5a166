/**
 * The log the UI shows: every record of every bridge (and of the services), tagged with the
 * bridge it belongs to, redacted once more with every secret the services know, kept in a
 * bounded ring buffer, queryable, pushed to subscribers (the 'log' event) and exportable as
 * JSON Lines.
 */
import { writeFile } from 'node:fs/promises';
import type { LogQuery } from './views';
import type { LogView } from '../../shared/api';
import { createLogger, type LogLevel, type Logger, type LogRecord, type LogSink } from '../log/logger';
import { redact } from '../log/redact';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogHubOptions {
  /** Records kept; default 5,000. */
  capacity?: number;
  /** Records below this level are dropped; default 'info'. */
  minLevel?: LogLevel;
  /** Every secret the services know (AppSecrets, tokens). */
  secrets?: () => readonly string[];
}

/** A field that names the chat a record is about, as the engine's services write it. */
const CHAT_FIELDS = ['chat', 'chatId', 'conversationId'];

export class LogHub {
  readonly capacity: number;
  private readonly ring: (LogView | undefined)[];
  private next = 0;
  private size = 0;
  private readonly listeners = new Set<(record: LogView) => void>();
  private readonly minLevel: number;
  private readonly sources: (() => readonly string[])[] = [];

  constructor(options: LogHubOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? 5_000);
    this.ring = new Array<LogView | undefined>(this.capacity);
    this.minLevel = LEVELS[options.minLevel ?? 'info'];
    if (options.secrets) this.sources.push(options.secrets);
  }

  /** Adds secrets to mask (the control service adds every AppSecret it learns). */
  addSecrets(source: () => readonly string[]): void {
    this.sources.push(source);
  }

  private readonly secrets = (): readonly string[] => this.sources.flatMap((source) => source());

  /** A logger whose records land here, tagged with `bridgeId`; `extra` sinks get the same (redacted) records. */
  logger(scope: string, bridgeId?: string, extra: LogSink[] = []): Logger {
    return createLogger(
      (record) => {
        this.add(record, bridgeId);
        for (const sink of extra) sink(record);
      },
      scope,
      this.secrets,
    );
  }

  /** Takes one record (already redacted by its logger; redacted again here, cheaply safe). */
  add(record: LogRecord, bridgeId?: string): void {
    if (LEVELS[record.level] < this.minLevel) return;
    const known = this.secrets();
    const fields = record.fields ? (redact(record.fields, known) as Record<string, unknown>) : undefined;
    const view: LogView = { ts: record.ts, level: record.level, scope: record.scope, msg: redact(record.msg, known) as string };
    if (bridgeId) view.bridgeId = bridgeId;
    const chat = fields && CHAT_FIELDS.map((k) => fields[k]).find((v) => typeof v === 'string');
    if (typeof chat === 'string') view.chatId = chat;
    if (fields && Object.keys(fields).length > 0) view.fields = fields;
    this.ring[this.next] = view;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
    for (const listener of this.listeners) {
      try {
        listener(view);
      } catch {
        // A broken listener must not stop logging.
      }
    }
  }

  /** The newest `limit` (default 500) records matching, oldest first. `level` is the lowest level shown. */
  query(q: LogQuery = {}): LogView[] {
    const limit = q.limit ?? 500;
    const min = q.level ? LEVELS[q.level] : 0;
    const needle = q.search?.trim().toLowerCase();
    const found: LogView[] = [];
    for (let i = 0; i < this.size && found.length < limit; i++) {
      const r = this.ring[(this.next - 1 - i + this.capacity) % this.capacity];
      if (!r) break; // (never: the ring holds `size` records)
      if (LEVELS[r.level] < min) continue;
      if (q.bridgeId !== undefined && r.bridgeId !== q.bridgeId) continue;
      if (q.chatId !== undefined && r.chatId !== q.chatId) continue;
      if (needle && !matches(r, needle)) continue;
      found.push(r);
    }
    return found.reverse();
  }

  /** Calls `listener` with every new record; returns the unsubscribe function. */
  subscribe(listener: (record: LogView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes the kept records (of one bridge, or all), oldest first, as JSON Lines (mode 0600). */
  async exportTo(path: string, filter: { bridgeId?: string } = {}): Promise<number> {
    const { jsonl, records } = this.exportText(filter);
    await writeFile(path, jsonl, { mode: 0o600 });
    return records;
  }

  /** The kept records (of one bridge, or all), oldest first, as JSON Lines. */
  exportText(filter: { bridgeId?: string } = {}): { jsonl: string; records: number } {
    const records = this.query({ ...filter, limit: this.capacity });
    return { jsonl: records.map((r) => `${JSON.stringify(r)}\n`).join(''), records: records.length };
  }
}

function matches(r: LogView, needle: string): boolean {
  if (r.msg.toLowerCase().includes(needle) || r.scope.toLowerCase().includes(needle)) return true;
  return r.fields !== undefined && JSON.stringify(r.fields).toLowerCase().includes(needle);
}
