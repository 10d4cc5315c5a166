/**
 * Writes CCCC ledger files in the daemon's real format, for the fake daemon and for tests.
 * Format per ../shared/docs/cccc-contract.md: one JSON event per line in
 * `groups/<id>/ledger.jsonl`; rotation renames it into `state/ledger/segments/`.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface LedgerEvent {
  v: 1;
  id: string;
  ts: string;
  kind: string;
  group_id: string;
  scope_key: string;
  by: string;
  data: Record<string, unknown>;
}

export function newEventId(): string {
  return randomBytes(16).toString('hex');
}

/** CCCC timestamps: ISO-8601 UTC with microseconds and a `Z`. */
export function cccTimestamp(date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function makeEvent(groupId: string, kind: string, by: string, data: Record<string, unknown>): LedgerEvent {
  return { v: 1, id: newEventId(), ts: cccTimestamp(), kind, group_id: groupId, scope_key: '', by, data };
}

export function chatMessageData(text: string, to: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    text,
    format: 'plain',
    priority: 'normal',
    reply_required: false,
    to,
    reply_to: null,
    quote_text: null,
    attachments: [],
    source_platform: null,
    source_user_name: null,
    source_user_id: null,
    mention_user_ids: [],
    stream_id: '',
    client_id: null,
    ...extra,
  };
}

export class LedgerWriter {
  private seq = 0;

  constructor(readonly groupDir: string) {}

  get path(): string {
    return join(this.groupDir, 'ledger.jsonl');
  }

  get segmentsDir(): string {
    return join(this.groupDir, 'state', 'ledger', 'segments');
  }

  async append(...events: LedgerEvent[]): Promise<void> {
    await mkdir(this.groupDir, { recursive: true });
    await appendFile(this.path, events.map((e) => JSON.stringify(e) + '\n').join(''), 'utf8');
  }

  /** Appends raw text (for malformed or partial lines). */
  async appendRaw(text: string): Promise<void> {
    await mkdir(this.groupDir, { recursive: true });
    await appendFile(this.path, text, 'utf8');
  }

  /**
   * Moves the active ledger into the segments folder, as CCCC does past its size limit, and
   * optionally gzips it (CCCC compresses old segments later). Returns the segment's path.
   */
  async rotate(options: { gzip?: boolean } = {}): Promise<string> {
    await mkdir(this.segmentsDir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
    this.seq += 1;
    const segment = join(this.segmentsDir, `ledger.${stamp}.${String(this.seq).padStart(4, '0')}.jsonl`);
    await rename(this.path, segment);
    if (!options.gzip) return segment;
    await pipeline(createReadStream(segment), createGzip(), createWriteStream(`${segment}.gz`));
    await rm(segment);
    return `${segment}.gz`;
  }

  async size(): Promise<number> {
    try {
      return (await stat(this.path)).size;
    } catch {
      return 0;
    }
  }
}
