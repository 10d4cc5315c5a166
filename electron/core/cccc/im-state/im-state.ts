/**
 * CCCC's IM state for one group, shared with its Web UI and CLI: who is authorized, who is
 * subscribed (and verbose / paused), which /subscribe requests wait for approval.
 *
 * Reads take no lock: every writer (CCCC and us) replaces files atomically, so a read sees
 * one complete version. Writes are read-modify-write under CCCC's own exclusive lock on
 * `state/im_state.lock` (see flock.ts), reading the files afresh inside the lock, so an
 * update by the daemon or the Web UI in between is never lost. Files are written like CCCC
 * writes them: JSON, two-space indent, no trailing newline, temporary file + rename.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../../log/logger';
import { atomicWriteFile } from '../../util/atomic-write';
import { dict } from '../../util/own';
import { PythonFlock, type FileLocker } from './flock';
import {
  AUTHORIZED_FILE,
  authorizedEntrySchema,
  chatKey,
  KEY_TTL_SECONDS,
  PENDING_FILE,
  pendingEntrySchema,
  STATE_LOCK_FILE,
  stateFileSchema,
  SUBSCRIBERS_FILE,
  subscribedAtNow,
  subscriberEntrySchema,
  type ThreadId,
} from './schemas';

type StateFile = typeof SUBSCRIBERS_FILE | typeof AUTHORIZED_FILE | typeof PENDING_FILE;
type Doc = Record<string, unknown>;

export interface Subscriber {
  chatId: string;
  subscribed: boolean;
  verbose: boolean;
  paused: boolean;
  chatTitle: string;
  subscribedAt: string | null;
  threadId: ThreadId;
  platform: string;
}

export type SubscriberPatch = Partial<Pick<Subscriber, 'subscribed' | 'verbose' | 'paused' | 'chatTitle'>>;

export interface PendingKey {
  key: string;
  /** Returned again: the chat's request was still open. */
  reused?: boolean;
  chatId: string;
  platform: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds; CCCC rejects the key after this. */
  expiresAt: number;
}

export interface ImStateOptions {
  /** `${CCCC_HOME}/groups/<group_id>` */
  groupDir: string;
  /** Platform written into new entries and used to match existing ones. */
  platform?: string;
  locker?: FileLocker;
  logger?: Logger;
  /** Epoch ms; injectable for tests. */
  now?: () => number;
}

export class ImState {
  private readonly stateDir: string;
  private readonly platform: string;
  private readonly locker: FileLocker;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(opts: ImStateOptions) {
    this.stateDir = join(opts.groupDir, 'state');
    this.platform = (opts.platform ?? 'dingtalk').toLowerCase();
    this.locker = opts.locker ?? new PythonFlock();
    this.log = (opts.logger ?? silentLogger).child('cccc.im_state');
    this.now = opts.now ?? Date.now;
  }

  // ---- reads (no lock needed) -------------------------------------------------------------

  /** Authorized = an entry for this chat whose platform is ours (or unset, as CCCC allows). */
  async isAuthorized(chatId: string): Promise<boolean> {
    const raw = (await this.read(AUTHORIZED_FILE))[chatKey(chatId)];
    if (raw === undefined) return false;
    const entry = authorizedEntrySchema.safeParse(raw);
    if (!entry.success) return true; // CCCC: an entry that is not a dict still authorizes
    return !entry.data.platform || entry.data.platform === this.platform;
  }

  /** Unexpired pending requests, newest first (what the Web UI lists under Pending Requests). */
  async listPending(): Promise<PendingKey[]> {
    const nowMs = this.now();
    const out: PendingKey[] = [];
    for (const [key, raw] of Object.entries(await this.read(PENDING_FILE))) {
      const entry = pendingEntrySchema.safeParse(raw);
      if (!entry.success) continue;
      const p = this.pending(key, entry.data);
      if (p.expiresAt >= nowMs) out.push(p);
    }
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }

  async subscriber(chatId: string): Promise<Subscriber | undefined> {
    const raw = (await this.read(SUBSCRIBERS_FILE))[chatKey(chatId)];
    return raw === undefined ? undefined : this.toSubscriber(chatId, raw);
  }

  /** Our platform's subscribers (and legacy ones without a platform), by chat id. */
  async subscribers(): Promise<Map<string, Subscriber>> {
    const out = new Map<string, Subscriber>();
    for (const [key, raw] of Object.entries(await this.read(SUBSCRIBERS_FILE))) {
      const sub = this.toSubscriber(key, raw);
      if (sub && (!sub.platform || sub.platform === this.platform) && sub.threadId === 0) out.set(key, sub);
    }
    return out;
  }

  // ---- writes (under CCCC's lock) ----------------------------------------------------------

  /**
   * What `/subscribe` in an unauthorized chat does: a short url-safe key, valid 10 minutes. One
   * open request per chat: while its key is valid, the same key is returned (`reused`).
   */
  async createPendingKey(chatId: string): Promise<PendingKey> {
    return this.mutate(PENDING_FILE, (pending) => {
      const nowS = this.now() / 1000;
      let open: PendingKey | undefined;
      for (const [k, raw] of Object.entries(pending)) {
        const entry = pendingEntrySchema.safeParse(raw);
        if (!entry.success) continue;
        if (nowS - entry.data.created_at > KEY_TTL_SECONDS) delete pending[k];
        else if (
          entry.data.chat_id === chatId &&
          entry.data.thread_id === 0 &&
          entry.data.platform.toLowerCase() === this.platform &&
          (!open || this.pending(k, entry.data).createdAt > open.createdAt)
        ) {
          open = this.pending(k, entry.data);
        }
      }
      if (open) return { ...open, reused: true };
      let key: string;
      do
        key = randomBytes(8).toString('base64url'); // = Python secrets.token_urlsafe(8)
      while (key in pending);
      const entry = { chat_id: chatId, thread_id: 0, platform: this.platform, created_at: nowS };
      pending[key] = entry;
      return this.pending(key, entry);
    });
  }

  /**
   * Sets subscriber flags, creating the entry if needed (as CCCC's subscribe does). Fields
   * CCCC or a newer version added to the entry are kept.
   */
  async updateSubscriber(chatId: string, patch: SubscriberPatch): Promise<Subscriber> {
    return this.mutate(SUBSCRIBERS_FILE, (subs) => {
      const key = chatKey(chatId);
      const prev = subs[key];
      const base: Doc =
        prev && typeof prev === 'object' && !Array.isArray(prev)
          ? { ...(prev as Doc) }
          : {
              subscribed: false,
              verbose: false,
              paused: false,
              subscribed_at: subscribedAtNow(this.now()),
              chat_title: '',
              thread_id: 0,
              platform: this.platform,
            };
      if (patch.subscribed !== undefined) {
        if (patch.subscribed && !base.subscribed_at) base.subscribed_at = subscribedAtNow(this.now());
        base.subscribed = patch.subscribed;
      }
      if (patch.verbose !== undefined) base.verbose = patch.verbose;
      if (patch.paused !== undefined) base.paused = patch.paused;
      if (patch.chatTitle) base.chat_title = patch.chatTitle;
      if (!base.platform) base.platform = this.platform;
      subs[key] = base;
      return this.toSubscriber(chatId, base) as Subscriber;
    });
  }

  /** CCCC's unsubscribe: the entry stays with `subscribed: false`. False when there was none. */
  async unsubscribe(chatId: string): Promise<boolean> {
    return this.mutate(SUBSCRIBERS_FILE, (subs) => {
      const entry = subs[chatKey(chatId)];
      if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return false;
      (entry as Doc).subscribed = false;
      return true;
    });
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private toSubscriber(chatId: string, raw: unknown): Subscriber | undefined {
    const e = subscriberEntrySchema.safeParse(raw);
    if (!e.success) return undefined;
    return {
      chatId,
      subscribed: e.data.subscribed,
      verbose: e.data.verbose,
      paused: e.data.paused,
      chatTitle: e.data.chat_title,
      subscribedAt: e.data.subscribed_at,
      threadId: e.data.thread_id,
      platform: e.data.platform,
    };
  }

  private pending(key: string, entry: { chat_id: string; platform: string; created_at: number }): PendingKey {
    const createdAt = Math.round(entry.created_at * 1000);
    return { key, chatId: entry.chat_id, platform: entry.platform, createdAt, expiresAt: createdAt + KEY_TTL_SECONDS * 1000 };
  }

  private async read(name: StateFile): Promise<Doc> {
    const path = join(this.stateDir, name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return dict();
      throw err;
    }
    try {
      // Chat ids index these documents: no prototype, so `constructor` is no entry (see util/own).
      return dict(stateFileSchema.parse(JSON.parse(text)));
    } catch {
      this.log.warn('CCCC IM state file is not valid JSON; reading it as empty, as CCCC does', { file: name });
      return dict();
    }
  }

  /** Read-modify-write of one state file under CCCC's lock; rewritten only when it changed. */
  private async mutate<T>(name: StateFile, change: (doc: Doc) => T): Promise<T> {
    await mkdir(this.stateDir, { recursive: true });
    return this.locker.withLock(join(this.stateDir, STATE_LOCK_FILE), async (lock) => {
      const doc = await this.read(name);
      const before = JSON.stringify(doc);
      const result = change(doc);
      if (JSON.stringify(doc) === before) return result;
      if (!lock.stillHeld()) throw new Error("lost CCCC's IM state lock before writing; nothing was written");
      await this.keepUnreadable(name);
      await atomicWriteFile(join(this.stateDir, name), JSON.stringify(doc, null, 2));
      return result;
    });
  }

  /** CCCC would silently overwrite a corrupt file; keep a copy so nothing is lost for good. */
  private async keepUnreadable(name: StateFile): Promise<void> {
    const path = join(this.stateDir, name);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return;
    }
    try {
      JSON.parse(text);
    } catch {
      const copy = `${path}.corrupt-${this.now()}`;
      await copyFile(path, copy);
      this.log.error('CCCC IM state file was corrupt; kept a copy before rewriting it', { file: name, copy });
    }
  }
}
