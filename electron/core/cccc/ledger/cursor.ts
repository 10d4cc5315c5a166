/**
 * The follower's durable position, kept in the bridge's own state dir (not CCCC's
 * `im_bridge_cursor.json`, which counts characters and would fight with CCCC's own bridge).
 *
 * `file` identifies which physical ledger file `offset` (bytes) refers to: dev/ino alone is
 * not enough because inodes are reused and gzip gives a segment a new inode, so the first
 * line's event id (`head`) is stored too.
 */
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../log/logger';
import { atomicWriteFile } from '../../util/atomic-write';
import { quarantine } from '../../util/quarantine';

export const fileIdentitySchema = z.object({
  dev: z.string(),
  ino: z.string(),
  /** Event id of the file's first line (or `sha256:<hex>` of a malformed one); null while the file is empty. */
  head: z.string().nullable(),
});

export type FileIdentity = z.infer<typeof fileIdentitySchema>;

export const ledgerCursorSchema = z.object({
  v: z.literal(1),
  file: fileIdentitySchema,
  offset: z.number().int().nonnegative(),
  lastEventId: z.string().nullable(),
  lastEventTs: z.string().nullable(),
  /** When the cursor was written (ISO); the fallback point if `file` can no longer be found. */
  savedAt: z.string(),
});

export type LedgerCursor = z.infer<typeof ledgerCursorSchema>;

export type LoadedCursor =
  | { kind: 'missing' }
  | { kind: 'ok'; cursor: LedgerCursor }
  /** Moved aside; `modifiedAt` is when the file was last written (by us, or by whatever damaged it). */
  | { kind: 'damaged'; why: string; aside: string; modifiedAt: number };

/** Loads the cursor; a damaged file is moved aside (`<file>.corrupt-<time>`) for the caller to rebuild. */
export async function loadCursor(path: string, logger: Logger): Promise<LoadedCursor> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (await earlierDamage(path)) ?? { kind: 'missing' };
    throw err;
  }
  let why: string;
  try {
    const parsed = ledgerCursorSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { kind: 'ok', cursor: parsed.data };
    why = `is invalid (${parsed.error.issues[0]?.message ?? 'unknown'})`;
  } catch {
    why = text.trim() === '' ? 'is empty' : 'is not JSON';
  }
  const { aside, modifiedAt } = await quarantine(path, `ledger cursor ${why}`, logger);
  return { kind: 'damaged', why, aside, modifiedAt };
}

/**
 * A cursor moved aside and not yet replaced (the bridge stopped before its first commit after the
 * rebuild): rebuild again from the same point rather than start at the ledger's end.
 */
async function earlierDamage(path: string): Promise<LoadedCursor | undefined> {
  const prefix = `${basename(path)}.corrupt-`;
  const names = (await readdir(dirname(path)).catch(() => [] as string[])).filter((n) => n.startsWith(prefix)).sort();
  const newest = names.at(-1);
  if (newest === undefined) return undefined;
  const aside = join(dirname(path), newest);
  return { kind: 'damaged', why: 'was damaged and not yet replaced', aside, modifiedAt: (await stat(aside)).mtimeMs };
}

export async function saveCursor(path: string, cursor: LedgerCursor): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await atomicWriteFile(path, JSON.stringify(cursor, null, 2) + '\n');
}
