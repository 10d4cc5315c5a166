/**
 * The audit trail admins are asked to keep (README, Security notes): every message in and out — when,
 * which chat, who sent it or to whom, how big, what became of it, and every refusal. Message
 * content is kept only when `includeContent` is on. JSON Lines in `<dir>/audit.jsonl`,
 * rotated by size to `audit.1.jsonl` … `audit.<keep-1>.jsonl` (1 is the newest).
 * Records pass through redaction, so a secret pasted into a chat does not land here either.
 * Each record is also an Info line in the log (audit-line.ts), where admins look first.
 */
import { writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { auditLine } from './audit-line';
import { silentLogger, type Logger } from './logger';
import { redact } from './redact';
import { RotatingFile } from './rotating-file';

export type AuditDirection = 'in' | 'out';

export type AuditResult = { ok: true; via?: string } | { ok: false; code: string };

export interface AuditEntry {
  direction: AuditDirection;
  chatId: string;
  chatType: 'single' | 'group';
  /** text, markdown, file, image, command, … */
  kind: string;
  /** Inbound: who wrote it. */
  sender?: { id: string; nick?: string };
  /** Outbound: who it was for (staff ids, @-mentions). */
  recipients?: string[];
  chars?: number;
  bytes?: number;
  /** Outbound: delivered (and how) or failed (and why). Inbound: handed to CCCC or not. */
  result?: AuditResult;
  /** Someone was not allowed to do something (access policy, unauthorized chat). */
  refusal?: { code: string; reason?: string };
  /** The DingTalk msgId, ledger event id or outbox item id it belongs to. */
  ref?: string;
  /** Only written when the log was opened with `includeContent`. */
  content?: string;
}

export interface AuditRecord extends AuditEntry {
  ts: number;
}

export interface AuditQuery {
  /** Newest N matching records (default 200). */
  limit?: number;
  chat?: string;
  direction?: AuditDirection;
}

export interface AuditLogOptions {
  dir: string;
  /** Rotate when the current file would grow past this. Default 5 MB. */
  maxBytes?: number;
  /** Files kept, the current one included. Default 5. */
  keep?: number;
  includeContent?: boolean;
  /** Values to mask wherever they appear (the AppSecret, tokens). */
  secrets?: () => readonly string[];
  logger?: Logger;
  now?: () => number;
}

const auditRecordSchema: z.ZodType<AuditRecord> = z.object({
  ts: z.number(),
  direction: z.enum(['in', 'out']),
  chatId: z.string(),
  chatType: z.enum(['single', 'group']),
  kind: z.string(),
  sender: z.object({ id: z.string(), nick: z.string().optional() }).optional(),
  recipients: z.array(z.string()).optional(),
  chars: z.number().optional(),
  bytes: z.number().optional(),
  result: z.union([z.object({ ok: z.literal(true), via: z.string().optional() }), z.object({ ok: z.literal(false), code: z.string() })]).optional(),
  refusal: z.object({ code: z.string(), reason: z.string().optional() }).optional(),
  ref: z.string().optional(),
  content: z.string().optional(),
});

const FILE_MODE = 0o600;

export class AuditLog {
  private readonly file: RotatingFile;
  private closed = false;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly options: AuditLogOptions) {
    this.file = new RotatingFile({ dir: options.dir, name: 'audit', maxBytes: options.maxBytes, keep: options.keep, mode: FILE_MODE });
    this.log = (options.logger ?? silentLogger).child('audit');
    this.now = options.now ?? Date.now;
  }

  get includesContent(): boolean {
    return this.options.includeContent === true;
  }

  /** Queues one record; never throws (a full disk must not stop the bridge — it is logged). */
  record(entry: AuditEntry): void {
    if (this.closed) return;
    const { msg, fields } = auditLine(entry, this.includesContent);
    this.log.info(msg, fields);
    const { content, ...rest } = entry;
    const record: AuditRecord = { ts: this.now(), ...rest };
    if (content !== undefined && this.includesContent) record.content = content;
    const line = `${JSON.stringify(redact(record, this.options.secrets?.() ?? []))}\n`;
    this.file.append(line).catch((err: unknown) => this.log.error('Could not write the audit log', { error: err }));
  }

  /** Resolves when everything recorded so far is on disk. */
  flush(): Promise<void> {
    return this.file.flush();
  }

  /** The newest `limit` matching records, oldest first. Lines that fail validation are skipped. */
  async read(query: AuditQuery = {}): Promise<AuditRecord[]> {
    await this.flush();
    const limit = query.limit ?? 200;
    const found: AuditRecord[] = [];
    for (let i = 0; i < this.file.keep && found.length < limit; i++) {
      const lines = (await this.file.read(i)).split('\n');
      for (let j = lines.length - 1; j >= 0 && found.length < limit; j--) {
        const record = parseRecord(lines[j] ?? '');
        if (!record) continue;
        if (query.chat !== undefined && record.chatId !== query.chat) continue;
        if (query.direction !== undefined && record.direction !== query.direction) continue;
        found.push(record);
      }
    }
    return found.reverse();
  }

  /** Writes every kept record, oldest first, to `path` (JSON Lines); returns how many. */
  async exportTo(path: string): Promise<number> {
    await this.flush();
    const out: string[] = [];
    for (let i = this.file.keep - 1; i >= 0; i--) {
      for (const line of (await this.file.read(i)).split('\n')) {
        const record = parseRecord(line);
        if (record) out.push(JSON.stringify(record));
      }
    }
    await writeFile(path, out.length > 0 ? `${out.join('\n')}\n` : '', { mode: FILE_MODE });
    return out.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}

function parseRecord(line: string): AuditRecord | undefined {
  if (line.trim() === '') return undefined;
  try {
    const parsed = auditRecordSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
