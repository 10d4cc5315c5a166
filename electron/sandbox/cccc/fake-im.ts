/**
 * The IM authorization files under `groups/<id>/state/`, read and written the way CCCC's
 * daemon does for `im_*` operations: JSON with two-space indent, no trailing newline,
 * tmp + rename. Files are read afresh on every operation because the bridge and CCCC's Web
 * UI write them too. (The fake does not take CCCC's flock on `im_state.lock`.)
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
// CCCC's rules (thread ids, chat keys, file names, the key lifetime) are the product's own.
import {
  AUTHORIZED_FILE,
  chatKey,
  KEY_TTL_SECONDS,
  normalizeThreadId,
  PENDING_FILE,
  SUBSCRIBERS_FILE,
  subscribedAtNow,
  type ThreadId,
} from '../../core/cccc/im-state/schemas';

type Json = Record<string, Record<string, unknown>>;

function nowSeconds(): number {
  return Date.now() / 1000;
}

export class ImFiles {
  constructor(readonly stateDir: string) {}

  private file(name: string): string {
    return path.join(this.stateDir, name);
  }

  private async read(name: string): Promise<Json> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file(name), 'utf8'));
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : {};
    } catch {
      return {};
    }
  }

  private async write(name: string, data: Json): Promise<void> {
    await mkdir(this.stateDir, { recursive: true });
    const target = this.file(name);
    const tmp = target.replace(/\.json$/, '.tmp');
    await writeFile(tmp, JSON.stringify(data, null, 2), 'utf8');
    await rename(tmp, target);
  }

  private static expired(entry: Record<string, unknown>, now: number): boolean {
    return now - Number(entry['created_at'] ?? 0) > KEY_TTL_SECONDS;
  }

  /** What a bridge does on `/subscribe`: a short url-safe key for this chat. */
  async addPending(chatId: string, options: { threadId?: ThreadId; platform?: string; key?: string; createdAt?: number } = {}): Promise<string> {
    const pending = await this.read(PENDING_FILE);
    const key = options.key ?? randomBytes(8).toString('base64url');
    pending[key] = {
      chat_id: chatId,
      thread_id: normalizeThreadId(options.threadId),
      platform: options.platform ?? 'dingtalk',
      created_at: options.createdAt ?? nowSeconds(),
    };
    await this.write(PENDING_FILE, pending);
    return key;
  }

  async listPending(): Promise<Record<string, unknown>[]> {
    const pending = await this.read(PENDING_FILE);
    const now = nowSeconds();
    let purged = false;
    for (const [key, entry] of Object.entries(pending)) {
      if (ImFiles.expired(entry, now)) {
        delete pending[key];
        purged = true;
      }
    }
    if (purged) await this.write(PENDING_FILE, pending);
    return Object.entries(pending)
      .map(([key, entry]) => {
        const createdAt = Number(entry['created_at'] ?? 0);
        const expiresAt = createdAt + KEY_TTL_SECONDS;
        return {
          key,
          chat_id: String(entry['chat_id'] ?? ''),
          thread_id: normalizeThreadId(entry['thread_id']),
          platform: String(entry['platform'] ?? ''),
          created_at: createdAt,
          expires_at: expiresAt,
          expires_in_seconds: Math.max(0, Math.trunc(expiresAt - now)),
        };
      })
      .sort((a, b) => b.created_at - a.created_at);
  }

  /** Authorizes and subscribes in one step and consumes the key; undefined for an unknown or expired key. */
  async bind(key: string): Promise<{ chat_id: string; thread_id: ThreadId; platform: string } | undefined> {
    const pending = await this.read(PENDING_FILE);
    const entry = pending[key];
    if (!entry) return undefined;
    if (ImFiles.expired(entry, nowSeconds())) {
      delete pending[key];
      await this.write(PENDING_FILE, pending);
      return undefined;
    }
    const chatId = String(entry['chat_id']);
    const threadId = normalizeThreadId(entry['thread_id']);
    const platform = String(entry['platform'] ?? '');
    const authorized = await this.read(AUTHORIZED_FILE);
    authorized[chatKey(chatId, threadId)] = {
      chat_id: chatId,
      thread_id: threadId,
      platform,
      authorized_at: nowSeconds(),
      key_used: key,
      authorization_source: 'binding_key',
    };
    await this.write(AUTHORIZED_FILE, authorized);
    delete pending[key];
    await this.write(PENDING_FILE, pending);

    const subscribers = await this.read(SUBSCRIBERS_FILE);
    const sk = chatKey(chatId, threadId);
    const existing = subscribers[sk];
    if (existing) {
      existing['subscribed'] = true;
      if (platform) existing['platform'] = platform.toLowerCase();
    } else {
      subscribers[sk] = {
        subscribed: true,
        verbose: false,
        paused: false,
        subscribed_at: subscribedAtNow(Date.now()),
        chat_title: '',
        thread_id: threadId,
        platform: platform.toLowerCase(),
      };
    }
    await this.write(SUBSCRIBERS_FILE, subscribers);
    return { chat_id: chatId, thread_id: threadId, platform };
  }

  async reject(key: string): Promise<boolean> {
    const pending = await this.read(PENDING_FILE);
    const now = nowSeconds();
    let changed = false;
    for (const [k, entry] of Object.entries(pending)) {
      if (ImFiles.expired(entry, now)) {
        delete pending[k];
        changed = true;
      }
    }
    const existed = key in pending;
    if (existed) {
      delete pending[key];
      changed = true;
    }
    if (changed) await this.write(PENDING_FILE, pending);
    return existed;
  }

  async listAuthorized(): Promise<Record<string, unknown>[]> {
    return Object.values(await this.read(AUTHORIZED_FILE));
  }

  /** Revoking also unsubscribes: the subscriber entry stays, with `subscribed: false`. */
  async revoke(chatId: string, threadId: unknown): Promise<{ revoked: boolean; unsubscribed: boolean }> {
    const key = chatKey(chatId, threadId);
    const authorized = await this.read(AUTHORIZED_FILE);
    const revoked = key in authorized;
    if (revoked) {
      delete authorized[key];
      await this.write(AUTHORIZED_FILE, authorized);
    }
    const subscribers = await this.read(SUBSCRIBERS_FILE);
    const sub = subscribers[key];
    if (sub) {
      sub['subscribed'] = false;
      await this.write(SUBSCRIBERS_FILE, subscribers);
    }
    return { revoked, unsubscribed: Boolean(sub) };
  }
}
