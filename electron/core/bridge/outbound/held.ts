/**
 * Messages held for paused chats. CCCC's bridge drops them; we keep the latest ones (bounded,
 * on disk) and send them on /resume, folding older ones into a count so nobody gets flooded.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../log/logger';
import { JsonFileStore } from '../../util/json-store';
import { outboxItemSchema, type OutboxItem } from '../outbox/item';

const heldSchema = z.record(z.string(), z.object({ items: z.array(outboxItemSchema), folded: z.number().int().nonnegative() }));

export class HeldMessages {
  private readonly store: JsonFileStore<typeof heldSchema>;

  constructor(
    stateDir: string,
    /** How many items to keep per chat; older ones are counted, not kept. */
    private readonly keep = 30,
    log?: Logger,
  ) {
    this.store = new JsonFileStore(join(stateDir, 'held.json'), heldSchema, () => ({}), { log });
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

  /**
   * Hands everything held for `chatId` to `send` (which queues it durably), and only then lets
   * go of it: when either step fails (a full disk), the items are still held for the next try.
   */
  async release(chatId: string, send: (held: { items: OutboxItem[]; folded: number }) => Promise<void>): Promise<void> {
    const entry = (await this.store.get())[chatId];
    if (!entry || entry.items.length === 0) return;
    await send(entry);
    const sent = new Set(entry.items.map((i) => i.id));
    await this.store.update((doc) => {
      const now = doc[chatId];
      if (!now) return;
      // Items held while `send` ran stay for the next release.
      now.items = now.items.filter((i) => !sent.has(i.id));
      now.folded = 0;
      if (now.items.length === 0) delete doc[chatId];
    });
  }

  async count(chatId: string): Promise<number> {
    const entry = (await this.store.get())[chatId];
    return entry ? entry.items.length + entry.folded : 0;
  }
}
