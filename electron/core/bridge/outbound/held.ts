/**
 * Messages held for paused chats. CCCC's bridge drops them; we keep the latest ones (bounded,
 * on disk) and send them on /resume, folding older ones into a count so nobody gets flooded.
 *
 * Kept in a journal (`held.jsonl`), one line per message: a line damaged while the bridge was
 * stopped loses only that message, is kept aside in `held.jsonl.rejected`, and is counted for the
 * chat's /resume reply. Released ids are remembered, so a replayed ledger event is not held twice.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { silentLogger, type Logger } from '../../log/logger';
import { Journal, readPending } from '../../util/journal';
import { quarantine } from '../../util/quarantine';
import { outboxItemSchema, type OutboxItem } from '../outbox/item';

const entrySchema = z.union([
  z.object({ chatId: z.string().min(1), item: outboxItemSchema }),
  /** Older messages dropped to keep the chat's share bounded. */
  z.object({ chatId: z.string().min(1), folded: z.number().int().positive() }),
]);

type Entry = z.infer<typeof entrySchema>;

/** The single-file format of earlier versions, read once and moved into the journal. */
const legacySchema = z.record(z.string(), z.object({ items: z.array(outboxItemSchema), folded: z.number().int().nonnegative() }));

export const HELD_JOURNAL = 'held.jsonl';
const LEGACY_FILE = 'held.json';

/** What a chat gets back on /resume. */
export interface Released {
  items: OutboxItem[];
  folded: number;
  /** Held messages whose lines were damaged: kept aside, not sent. */
  lost: number;
}

/**
 * Held counts per chat from the journal on disk, without opening it for writing (the dashboard
 * reads a bridge that may be running in another process).
 */
export async function readHeldCounts(stateDir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const { data: e } of await readPending(join(stateDir, HELD_JOURNAL), entrySchema))
    counts.set(e.chatId, (counts.get(e.chatId) ?? 0) + ('item' in e ? 1 : e.folded));
  return counts;
}

export class HeldMessages {
  private chain: Promise<unknown> = Promise.resolve();
  /** Chat id → damaged lines found at open ('' when the line does not say which chat). */
  private readonly lost = new Map<string, number>();

  private constructor(
    private readonly journal: Journal<Entry>,
    /** How many items to keep per chat; older ones are counted, not kept. */
    private readonly keep: number,
  ) {
    for (const line of journal.rejectedLines) {
      // A damaged `done` line only lets a released message come back; the outbox knows it was sent.
      if (/"op":"done"/.test(line)) continue;
      // The chat is named twice: in the item id (`<event>:<chat>:<n>`, early in the line) and in the data.
      const chatId = /"id":"[0-9a-f]+:([^:"]+):/.exec(line)?.[1] ?? /"chatId":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? '';
      this.lost.set(chatId, (this.lost.get(chatId) ?? 0) + 1);
    }
  }

  static async open(stateDir: string, keep = 30, logger: Logger = silentLogger): Promise<HeldMessages> {
    const journal = await Journal.open<Entry>({ path: join(stateDir, HELD_JOURNAL), schema: entrySchema, logger });
    const held = new HeldMessages(journal, keep);
    await held.migrate(join(stateDir, LEGACY_FILE), logger);
    return held;
  }

  /** Held messages of damaged lines whose chat is unknown (the dashboard is told; no chat can be). */
  get lostUnknown(): number {
    return this.lost.get('') ?? 0;
  }

  /** Damaged lines per chat, as found at open. */
  lostByChat(): Map<string, number> {
    return new Map([...this.lost].filter(([chat]) => chat !== ''));
  }

  hold(chatId: string, items: OutboxItem[]): Promise<void> {
    return this.serialized(async () => {
      if (items.length === 0) return;
      await this.journal.append(items.map((item) => ({ id: item.id, data: { chatId, item } })));
      const kept = this.entriesOf(chatId).filter((e) => 'item' in e.data);
      const excess = kept.length - this.keep;
      if (excess <= 0) return;
      await this.journal.append([{ id: `fold:${randomUUID()}`, data: { chatId, folded: excess } }]);
      await this.journal.markDone(kept.slice(0, excess).map((e) => e.id));
    });
  }

  /**
   * Hands everything held for `chatId` to `send` (which queues it durably), and only then lets
   * go of it: when either step fails (a full disk), the items are still held for the next try
   * (the outbox knows the item ids, so a try after a failed let-go sends nothing twice).
   */
  release(chatId: string, send: (held: Released) => Promise<void>): Promise<void> {
    return this.serialized(async () => {
      const entries = this.entriesOf(chatId);
      const released: Released = { items: [], folded: 0, lost: this.lost.get(chatId) ?? 0 };
      for (const { data } of entries) {
        if ('item' in data) released.items.push(data.item);
        else released.folded += data.folded;
      }
      if (entries.length === 0 && released.lost === 0) return;
      await send(released);
      await this.journal.markDone(entries.map((e) => e.id));
      this.lost.delete(chatId);
    });
  }

  async count(chatId: string): Promise<number> {
    await this.chain;
    let n = 0;
    for (const { data } of this.entriesOf(chatId)) n += 'item' in data ? 1 : data.folded;
    return n;
  }

  /** Ids of held or released items (the ledger follower's rebuild asks what was handled). */
  ids(): IterableIterator<string> {
    return this.journal.ids();
  }

  close(): Promise<void> {
    return this.journal.close();
  }

  private entriesOf(chatId: string): { id: string; data: Entry }[] {
    return this.journal.pending().filter((e) => e.data.chatId === chatId);
  }

  private serialized<R>(task: () => Promise<R>): Promise<R> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async migrate(path: string, log: Logger): Promise<void> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let doc: z.infer<typeof legacySchema> | undefined;
    try {
      const parsed = legacySchema.safeParse(JSON.parse(text));
      if (parsed.success) doc = parsed.data;
    } catch {
      doc = undefined;
    }
    if (!doc) {
      await quarantine(path, 'of held messages is damaged', log);
      this.lost.set('', (this.lost.get('') ?? 0) + 1);
      return;
    }
    for (const [chatId, { items, folded }] of Object.entries(doc)) {
      await this.journal.append(items.map((item) => ({ id: item.id, data: { chatId, item } })));
      if (folded > 0) await this.journal.append([{ id: `fold:${randomUUID()}`, data: { chatId, folded } }]);
    }
    await rm(path);
  }
}
