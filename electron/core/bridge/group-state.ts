/**
 * A bridge's state is mostly its own (chats, people, outbox, audit), but a few files belong to
 * the CCCC group it served when they were written: where it is in that group's ledger, the
 * messages not yet handed to that group, that group's agents' messages held for paused chats,
 * and those agents' open questions. A bridge moved to another group (settings, `cccc-dingtalk
 * set --group`) must not read the new group's ledger from the old one's position, nor hand the
 * old group's messages to the new one: on its first start for the new group these files are put
 * aside under `groups/<group>/`, and those of a group it served before come back
 * (docs/architecture.md §5). `group.json` says which group the files belong to.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rmdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../log/logger';
import { atomicWriteFile } from '../util/atomic-write';
import { SENDS_TO_CCCC_JOURNAL } from './inbound/group-delivery';
import { HELD_JOURNAL } from './outbound/held';
import { REPLY_REQUESTS_FILE } from './reply-requests';

export const LEDGER_CURSOR_FILE = 'ledger-cursor.json';

/** The files that belong to the group (the `.bak` is reply-requests' kept copy). */
export const GROUP_FILES = [LEDGER_CURSOR_FILE, SENDS_TO_CCCC_JOURNAL, HELD_JOURNAL, REPLY_REQUESTS_FILE, `${REPLY_REQUESTS_FILE}.bak`];

const MARKER = 'group.json';
const markerSchema = z.object({ groupId: z.string(), ccccHome: z.string() });

export interface GroupRef {
  groupId: string;
  ccccHome: string;
}

/** Where a group's files wait while the bridge serves another: readable, and one per CCCC home. */
export function parkedDir(stateDir: string, g: GroupRef): string {
  const home = createHash('sha256').update(resolve(g.ccccHome)).digest('hex').slice(0, 8);
  return join(stateDir, 'groups', `${g.groupId.replace(/[^A-Za-z0-9._-]/g, '_')}-${home}`);
}

async function readMarker(stateDir: string): Promise<GroupRef | undefined> {
  try {
    const parsed = markerSchema.safeParse(JSON.parse(await readFile(join(stateDir, MARKER), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // none yet (a new bridge, or state of an older version): it is this group's
  }
}

async function moveFiles(from: string, to: string, names: readonly string[]): Promise<number> {
  let moved = 0;
  for (const name of names) {
    try {
      await rename(join(from, name), join(to, name));
      moved++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return moved;
}

/**
 * Makes the group files in `stateDir` those of `group`; returns the group it served before
 * when that changed. Each step can be repeated: a start interrupted half way finishes next time.
 */
export async function bindStateToGroup(stateDir: string, group: GroupRef, log: Logger): Promise<GroupRef | undefined> {
  const before = await readMarker(stateDir);
  const same = before !== undefined && before.groupId === group.groupId && resolve(before.ccccHome) === resolve(group.ccccHome);
  if (before && !same) {
    const aside = parkedDir(stateDir, before);
    await mkdir(aside, { recursive: true, mode: 0o700 });
    await moveFiles(stateDir, aside, GROUP_FILES);
  }
  if (!same) await atomicWriteFile(join(stateDir, MARKER), `${JSON.stringify({ groupId: group.groupId, ccccHome: resolve(group.ccccHome) })}\n`, 0o600);
  // Files kept for this group while the bridge served another (also after an interrupted switch).
  const back = parkedDir(stateDir, group);
  const kept = await readdir(back).catch(() => [] as string[]);
  if (kept.length > 0) {
    const present = new Set(await readdir(stateDir));
    const restored = await moveFiles(
      back,
      stateDir,
      GROUP_FILES.filter((f) => kept.includes(f) && !present.has(f)),
    );
    if (restored > 0) log.info('Files kept for this group since the bridge last served it are back', { group: group.groupId });
  }
  await rmdir(back).catch(() => undefined);
  if (before && !same) {
    log.info("The bridge serves another CCCC group now; the old group's position and waiting messages are kept for it", {
      from: before.groupId,
      to: group.groupId,
      kept: parkedDir(stateDir, before),
    });
    return before;
  }
  return undefined;
}
