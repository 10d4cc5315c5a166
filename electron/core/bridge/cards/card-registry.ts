/**
 * The button cards this bridge sent (`button-cards.json`, with a `.bak` copy): which chat each
 * is in, what it is for, which version of itself it shows, and whether its request was settled.
 * On disk, so a press after a restart still finds its card; a damaged file is moved aside and
 * rebuilt from the copy (core/util/json-store.ts), and a press on a card no longer in it is
 * answered as expired.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { silentLogger, type Logger } from '../../log/logger';
import { JsonFileStore } from '../../util/json-store';
import { dict, own } from '../../util/own';
import { chatAddressSchema } from '../chat-address';

export const BUTTON_CARDS_FILE = 'button-cards.json';

/** Cards kept at most; the oldest go first (a press on one of them is answered as expired). */
const MAX_CARDS = 500;

const entrySchema = z.object({
  kind: z.enum(['subscribe', 'status', 'help']),
  chat: chatAddressSchema,
  /** Goes up with every update: a press carrying an older one acted on what the card no longer shows. */
  version: z.number().int().nonnegative(),
  createdAt: z.number(),
  /** A /subscribe card: the request's key. */
  key: z.string().optional(),
  /** A /subscribe card: how its request was settled, and by whom. */
  settled: z.object({ approved: z.boolean(), by: z.string(), at: z.number() }).optional(),
});

export type CardEntry = z.infer<typeof entrySchema>;

const docSchema = z.object({ cards: z.record(z.string(), entrySchema).default({}).transform(dict) });

export class CardRegistry {
  private constructor(private readonly store: JsonFileStore<typeof docSchema>) {}

  static async open(stateDir: string, logger: Logger = silentLogger): Promise<CardRegistry> {
    const store = new JsonFileStore(join(stateDir, BUTTON_CARDS_FILE), docSchema, () => ({ cards: dict<CardEntry>({}) }), {
      log: logger,
      keepCopy: true,
    });
    await store.get();
    return new CardRegistry(store);
  }

  async get(outTrackId: string): Promise<CardEntry | undefined> {
    return own((await this.store.get()).cards, outTrackId);
  }

  async add(outTrackId: string, entry: CardEntry): Promise<void> {
    await this.store.update((doc) => {
      doc.cards[outTrackId] = entry;
      const ids = Object.keys(doc.cards);
      for (const id of ids.slice(0, Math.max(0, ids.length - MAX_CARDS))) delete doc.cards[id];
    });
  }

  /** Changes a card's entry; resolves with the new entry (undefined when the card is unknown). */
  async change(outTrackId: string, patch: (entry: CardEntry) => CardEntry): Promise<CardEntry | undefined> {
    return this.store.update((doc) => {
      const entry = own(doc.cards, outTrackId);
      if (!entry) return undefined;
      const next = patch(entry);
      doc.cards[outTrackId] = next;
      return next;
    });
  }

  async remove(outTrackId: string): Promise<void> {
    await this.store.update((doc) => void delete doc.cards[outTrackId]);
  }

  /** The /subscribe cards of a request (one, unless the chat asked again while it was open). */
  async byKey(key: string): Promise<[string, CardEntry][]> {
    return Object.entries((await this.store.get()).cards).filter(([, e]) => e.kind === 'subscribe' && e.key === key);
  }
}
