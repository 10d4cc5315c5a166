/**
 * Which chats were told that a CCCC group they belonged to is gone (docs/architecture.md §1),
 * kept in the app's state folder (`groups-gone.json`) so that a restart neither tells them again
 * nor forgets to tell them. Replaced atomically like every state document; a damaged file is
 * moved aside and the record starts again (the worst case is a chat told twice). A write that
 * fails (a full disk) is logged and the pair kept in memory: this run still tells each chat once,
 * and the next write that succeeds saves it too.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { toProblem } from '../errors';
import type { Logger } from '../log/logger';
import { JsonFileStore } from '../util/json-store';
import { dict, own } from '../util/own';

export const GONE_NOTICES_FILE = 'groups-gone.json';

/** Group id → the chats told it is gone. */
const docSchema = z.object({ told: z.record(z.string(), z.array(z.string())).default({}).transform(dict) });

export class GoneNotices {
  private readonly store: JsonFileStore<typeof docSchema>;
  /** Every pair told in this run, saved or not. */
  private readonly memory = new Map<string, Set<string>>();

  constructor(
    stateDir: string,
    private readonly log: Logger,
  ) {
    this.store = new JsonFileStore(join(stateDir, GONE_NOTICES_FILE), docSchema, () => ({ told: dict<string[]>({}) }), { log });
  }

  async told(groupId: string, chatId: string): Promise<boolean> {
    if (this.memory.get(groupId)?.has(chatId)) return true;
    return (own((await this.saved()).told, groupId) ?? []).includes(chatId);
  }

  /** Notes that the chat was told; never rejects. */
  async remember(groupId: string, chatId: string): Promise<void> {
    const chats = this.memory.get(groupId) ?? new Set<string>();
    this.memory.set(groupId, chats.add(chatId));
    await this.write((doc) => {
      for (const [group, told] of this.memory) doc.told[group] = [...new Set([...(own(doc.told, group) ?? []), ...told])];
    });
  }

  /** The group is served again: should it go once more, its chats hear it once more. Never rejects. */
  async forget(groupId: string): Promise<void> {
    this.memory.delete(groupId);
    if (own((await this.saved()).told, groupId) === undefined) return;
    await this.write((doc) => void delete doc.told[groupId]);
  }

  /** The file's record; empty while it cannot be read (this run's memory still counts). */
  private async saved(): Promise<z.output<typeof docSchema>> {
    try {
      return await this.store.get();
    } catch (err) {
      this.log.warn('Could not read which chats were told their group is gone', { file: this.store.path, code: toProblem(err).code });
      return { told: dict<string[]>({}) };
    }
  }

  private async write(change: (doc: z.output<typeof docSchema>) => void): Promise<void> {
    await this.store.update(change).catch((err: unknown) =>
      this.log.warn('Could not save which chats were told their group is gone; kept in memory for this run', {
        file: this.store.path,
        code: toProblem(err).code,
      }),
    );
  }
}
