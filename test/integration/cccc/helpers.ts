/** Shared helpers for the group-files tests: temp group folders and collectors (waits: test/helpers/wait.ts). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerEvent } from '../../../electron/core/cccc/ledger/event';
import { LedgerFollower, type LedgerBatch, type LedgerFollowerOptions } from '../../../electron/core/cccc/ledger/follower';
import { chatMessageData, LedgerWriter, makeEvent, type LedgerEvent as FakeEvent } from '../../fakes/cccc/ledger';

export const GROUP_ID = 'g_65e81c9938a0';

export interface TempGroup {
  root: string;
  groupDir: string;
  cursorPath: string;
  writer: LedgerWriter;
  cleanup(): Promise<void>;
}

export async function tempGroup(): Promise<TempGroup> {
  const root = await mkdtemp(join(tmpdir(), 'cccc-files-'));
  const groupDir = join(root, 'groups', GROUP_ID);
  const writer = new LedgerWriter(groupDir);
  await writer.appendRaw('');
  return { root, groupDir, cursorPath: join(root, 'bridge-state', 'ledger-cursor.json'), writer, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export function chat(text: string, by = 'peer1'): FakeEvent {
  return makeEvent(GROUP_ID, 'chat.message', by, chatMessageData(text, ['user']));
}

/** A follower whose consumer records events and commits each batch at once (unless told otherwise). */
export function collectingFollower(
  g: TempGroup,
  opts: Partial<LedgerFollowerOptions> & { autoCommit?: boolean } = {},
): { follower: LedgerFollower; events: LedgerEvent[]; batches: LedgerBatch[] } {
  const events: LedgerEvent[] = [];
  const batches: LedgerBatch[] = [];
  const { autoCommit = true, ...rest } = opts;
  const follower = new LedgerFollower({
    groupDir: g.groupDir,
    cursorPath: g.cursorPath,
    pollIntervalMs: 50,
    onBatch: async (batch) => {
      events.push(...batch.events);
      batches.push(batch);
      if (autoCommit) await batch.commit();
    },
    ...rest,
  });
  return { follower, events, batches };
}

export const ids = (events: readonly { id: string }[]): string[] => events.map((e) => e.id);
