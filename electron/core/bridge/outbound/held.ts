/**
 * Messages held for paused chats. CCCC's bridge drops them; we keep the latest ones (bounded,
 * on disk) and send them on /resume, folding older ones into a count so nobody gets flooded.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../log/logger';
import { JsonFileStore } from '../../util/json-store';
import { dict } from '../../util/own';
import { outboxItemSchema, type OutboxItem } from '../outbox/item';

// Chat ids index it: no prototype, so a chat named `constructor` holds nothing it did not get (util/own).
const heldSchema = z.record(z.string(), z.object({ items: z.array(outboxItemSchema), folded: z.number().int().nonnegative() })).transform(dict);

export class HeldMessages {
  private readonly store: JsonFileStore<typeof heldSchema>;

  constructor(
    stateDir: string,
    /** How many items to keep per chat; older ones are counted, not kept. */
    private readonly keep = 30,
    log?: Logger,
  ) {
    this.store = new JsonFileStore(join(stateDir, 'held.json'), heldSchema, () => dict(), { log });
  }

  async hold(chatId: string, items: OutboxItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.store.update((doc) => {
      const entry = (doc[chatId] ??= { items: [], folded: 0 });
      const known = new Set(entry.items.map((i) => i.id));
      entry.items.push(...items.filter((i) => !known.has(i.id)));
      const excess = entry.items.length - this.keep;
      if (excess > 0) {
        entry.items.splice(0, excess);
        entry.folded += excess;
      }
    });
  }

  /** Takes everything held for `chatId`. */
  async take(chatId: string): Promise<{ items: OutboxItem[]; folded: number }> {
    return this.store.update((doc) => {
      const entry = doc[chatId] ?? { items: [], folded: 0 };
      delete doc[chatId];
      return entry;
    });
  }

  async count(chatId: string): Promise<number> {
    const entry = (await this.store.get())[chatId];
    return entry ? entry.items.length + entry.folded : 0;
  }
}
