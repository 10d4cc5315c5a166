/**
 * Writes CCCC ledger files in the daemon's real format, for the fake daemon and for tests.
 * Format per docs/cccc-contract.md §4: one JSON event per line in
 * `groups/<id>/ledger.jsonl`; rotation renames it into `state/ledger/segments/`.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { segmentName, segmentsDir } from '../../core/cccc/ledger/segments';

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

export function makeEvent(groupId: string, kind: string, by: string, data: Record<string, unknown>, scopeKey = ''): LedgerEvent {
  return { v: 1, id: newEventId(), ts: cccTimestamp(), kind, group_id: groupId, scope_key: scopeKey, by, data };
}

/**
 * `chat.message` data with every field a CCCC 0.4.x daemon writes, in its order (checked
 * against a real daemon by test/conformance/real-cccc.ts).
 */
export function chatMessageData(text: string, to: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    text,
    format: 'plain',
    insight: null,
    message_mode: 'send',
    to,
    reply_to: null,
    quote_text: null,
    source_platform: null,
    source_user_name: null,
    source_user_id: null,
    mention_user_ids: null,
    sender_title: null,
    sender_runtime: null,
    sender_avatar_path: null,
    src_group_id: null,
    src_event_id: null,
    src_by: null,
    remote_reply_to: null,
    dst_group_id: null,
    dst_to: null,
    dst_message_mode: null,
    refs: [],
    attachments: [],
    thread: '',
    stream_id: null,
    pending_event_id: null,
    client_id: null,
    suggested_user_message: null,
    ...extra,
  };
}

/** `chat.stream` data (op start/update/end); CCCC writes these while an agent is typing. */
export function chatStreamData(streamId: string, op: 'start' | 'update' | 'end', text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { stream_id: streamId, op, mode: 'snapshot', text, format: 'plain', seq: 0, to: [], reply_to: null, sender_title: null, client_id: null, ...extra };
}

/** `system.notify` data; only `im_visibility: "public"` ones are meant for IM chats. */
export function systemNotifyData(message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'info',
    priority: 'normal',
    title: '',
    message,
    target_actor_id: null,
    im_visibility: 'internal',
    context: {},
    related_event_id: null,
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
    return segmentsDir(this.groupDir);
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
   * Segment names follow CCCC (the product's segmentName). With `touch`,
   * a new empty ledger.jsonl is created at once, as CCCC does.
   */
  async rotate(options: { gzip?: boolean; touch?: boolean } = {}): Promise<string> {
    await mkdir(this.segmentsDir, { recursive: true });
    this.seq += 1;
    const segment = join(this.segmentsDir, segmentName(new Date(), this.seq));
    await rename(this.path, segment);
    if (options.touch) await appendFile(this.path, '');
    if (!options.gzip) return segment;
    return this.compress(segment);
  }

  /** Gzips a plain segment and removes the original, as CCCC's compaction does later. */
  async compress(segment: string): Promise<string> {
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
