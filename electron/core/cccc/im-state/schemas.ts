/**
 * CCCC's IM state files (`groups/<id>/state/`), validated the way CCCC reads them: loosely
 * typed values are coerced (CCCC's `coerce_bool`, `normalize_thread_id`), unknown fields are
 * kept, an entry we cannot read is skipped (and left untouched on write).
 */
import { z } from 'zod';

export const SUBSCRIBERS_FILE = 'im_subscribers.json';
export const AUTHORIZED_FILE = 'im_authorized_chats.json';
export const PENDING_FILE = 'im_pending_keys.json';
export const STATE_LOCK_FILE = 'im_state.lock';

/** Pending keys are valid for 10 minutes (CCCC's KEY_TTL_SECONDS). */
export const KEY_TTL_SECONDS = 600;

const TRUE = new Set(['1', 'true', 'yes', 'y', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'n', 'off']);

/** CCCC's `coerce_bool`: "false"/"0"/"off" are false, unknown strings fall back to the default. */
export function coerceBool(value: unknown, fallback: boolean): boolean {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isNaN(value) ? fallback : value !== 0;
  if (typeof value === 'string') {
    const s = value.trim().toLowerCase();
    if (!s) return fallback;
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
    return /^[+-]?\d+$/.test(s) ? Number(s) !== 0 : fallback;
  }
  return Boolean(value);
}

export type ThreadId = number | string;

/** CCCC's `normalize_thread_id`: 0 for none, integers stay integers, other ids stay strings. */
export function normalizeThreadId(value: unknown): ThreadId {
  if (value === null || value === undefined || typeof value === 'boolean') return 0;
  if (typeof value === 'number') return Number.isInteger(value) ? value : String(value);
  if (typeof value !== 'string') return 0;
  const text = value.trim();
  if (!text || text === '0') return 0;
  return /^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
}

/** The key of a chat in the state files: `chat_id`, or `chat_id:thread_id` inside a thread. */
export function chatKey(chatId: string, threadId: unknown = 0): string {
  const tid = normalizeThreadId(threadId);
  return tid === 0 ? chatId : `${chatId}:${tid}`;
}

const text = (fallback = '') =>
  z
    .unknown()
    .optional()
    .transform((v) => (v === null || v === undefined ? fallback : String(v)));
const seconds = z
  .unknown()
  .optional()
  .transform((v) => {
    const n = Number(v ?? 0);
    return Number.isFinite(n) ? n : 0;
  });

/** A whole state file: an object of entries (anything else reads as empty, as in CCCC). */
export const stateFileSchema = z.record(z.string(), z.unknown()).catch({});

export const subscriberEntrySchema = z.looseObject({
  subscribed: z
    .unknown()
    .optional()
    .transform((v) => coerceBool(v, true)),
  verbose: z
    .unknown()
    .optional()
    .transform((v) => coerceBool(v, false)),
  paused: z
    .unknown()
    .optional()
    .transform((v) => coerceBool(v, false)),
  subscribed_at: z
    .unknown()
    .optional()
    .transform((v) => (typeof v === 'string' ? v : null)),
  chat_title: text(),
  thread_id: z.unknown().optional().transform(normalizeThreadId),
  platform: z
    .unknown()
    .optional()
    .transform((v) =>
      String(v ?? '')
        .trim()
        .toLowerCase(),
    ),
});

export const authorizedEntrySchema = z.looseObject({
  chat_id: text(),
  thread_id: z.unknown().optional().transform(normalizeThreadId),
  platform: z
    .unknown()
    .optional()
    .transform((v) =>
      String(v ?? '')
        .trim()
        .toLowerCase(),
    ),
  authorized_at: seconds,
  key_used: text(),
  authorization_source: text(),
});

export const pendingEntrySchema = z.looseObject({
  chat_id: z.string(),
  thread_id: z.unknown().optional().transform(normalizeThreadId),
  platform: text(),
  created_at: seconds,
});

/** CCCC's `subscribed_at`: `time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())`. */
export function subscribedAtNow(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
