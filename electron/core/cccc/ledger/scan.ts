/**
 * Looking back through a group's ledger — the active file, then its segments newest first — for
 * the rare questions a recovery asks: "did CCCC already record this client id?" (CCCC itself only
 * looks 800 lines back) and "which event did the bridge handle last?" (a damaged cursor).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { parseLedgerLine, type LedgerEvent } from './event';
import { listSegments } from './segments';

const gunzipAsync = promisify(gunzip);

/**
 * Calls `visit` with each ledger file's events (in file order), newest file first, until it
 * returns true. A file that vanished meanwhile (rotated, gzipped) is skipped.
 */
export async function scanBack(groupDir: string, visit: (events: LedgerEvent[]) => boolean): Promise<void> {
  const segments = (await listSegments(groupDir)).reverse();
  const files = [{ path: join(groupDir, 'ledger.jsonl'), gz: false }, ...segments];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const text = (file.gz ? await gunzipAsync(bytes) : bytes).toString('utf8');
    const events: LedgerEvent[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      const parsed = parseLedgerLine(line);
      if (parsed.ok) events.push(parsed.event);
    }
    if (visit(events)) return;
  }
}

/**
 * Events by `by` carrying one of `clientIds`, among those stamped at or after `sinceMs`:
 * client id → event id.
 */
export async function findClientIds(groupDir: string, by: string, clientIds: ReadonlySet<string>, sinceMs: number): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (clientIds.size === 0) return found;
  await scanBack(groupDir, (events) => {
    for (const e of events) {
      const clientId = e.data['client_id'];
      if (e.by === by && typeof clientId === 'string' && clientIds.has(clientId) && Date.parse(e.ts) >= sinceMs) found.set(clientId, e.id);
    }
    const first = events[0];
    // Older files hold only older events.
    return found.size === clientIds.size || (first !== undefined && Date.parse(first.ts) < sinceMs);
  });
  return found;
}

/** The newest event whose id `known` contains, or undefined. */
export async function lastKnownEvent(groupDir: string, known: (eventId: string) => boolean): Promise<LedgerEvent | undefined> {
  let last: LedgerEvent | undefined;
  await scanBack(groupDir, (events) => {
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i] as LedgerEvent;
      if (known(e.id)) {
        last = e;
        return true;
      }
    }
    return false;
  });
  return last;
}
