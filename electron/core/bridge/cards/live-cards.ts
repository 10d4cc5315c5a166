/**
 * Live answers: while an agent streams an answer (CCCC's `chat.stream`), each chat that should
 * see it gets an AI card that grows with it (docs/architecture.md §3). One record per card and
 * chat is kept on disk (`live-cards.json`) through every step that matters after a crash:
 *
 *   waiting → opening → open → ending → ended        (finalized with the whole answer)
 *         ↘         ↘       ↘        ↘ failed         (a call failed; closed with a note when it can be)
 *
 * A card opens only once the chat's earlier messages — those of the stream's own ledger batch
 * included — are out of the outbox (delivered or failed for good): an answer never shows above
 * what came before it. A stream that ends while its card is held back that way gets no card: it
 * is `failed` with nothing to close, and its message goes as an ordinary one, behind those
 * earlier messages. A stream that starts and ends in one batch, in a chat with nothing queued,
 * still gets its card, opened and finalized at once.
 *
 * The final `chat.message` carrying the stream's id is handed here (`settle`) instead of the
 * outbox for chats with a card: it is kept in the record until the card's outcome is known, then
 * the chat gets nothing more (the card ended well with that very text; its files still go), or
 * the whole message (anything else). So an answer reaches each chat once — never twice, never not
 * at all — and a restart finds every card where it was: open ones are closed as interrupted with
 * the text they had, a finalization in doubt is sent again with the same guid (DingTalk ignores
 * a repeat), and a message waiting for its card's outcome is sent or dropped as it deserves.
 *
 * Updates are coalesced: at most one call per card per 500 ms (2 s when the API budget asks for
 * lean use), the latest text wins; updates are not kept on disk, the record keeps what the card
 * shows. Every call also waits its turn at the app's rate for its API (the create's bucket is the
 * button cards' one, streaming has its own; shared by the app's groups): a push takes the newest
 * text only once the gate lets it go, and a gate closed by close() means "stopping" — the call
 * is not made and the record stays as it is on disk for the next run. An update DingTalk still
 * answers "too fast" is tried again with the next push, a create or finalization after the
 * interval (the create as if it had not been tried, the finalization with its guid) for up to
 * two minutes; any other failed call ends the card.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { AI_CARD_KEYS, AI_CARD_STATUS, CARD_SCOPES, cardPermissionProblem, isCardPermissionError, type CardApi, type CardScope } from '../../dingtalk/card-api';
import { toProblem, type Problem } from '../../errors';
import { CARD_TEXTS, type CardTexts } from '../../i18n/cards';
import type { ReplyLanguage } from '../../i18n/replies';
import { silentLogger, type Logger } from '../../log/logger';
import { JsonFileStore } from '../../util/json-store';
import { dict } from '../../util/own';
import { chatAddressSchema, type ChatAddress } from '../chat-address';
import type { AgentEvent } from '../outbound/agent-event';
import { formatBody, senderHead } from '../outbound/format';
import { outboxItemSchema, type OutboxItem } from '../outbox/item';
import { appBuckets, type AppBuckets } from '../outbox/app-buckets';
import { isRateLimited, RateGate } from '../outbox/rate-gate';
import { cardSpaceOf } from './card-space';
import { CARD_CALL_INTERVAL_MS, type CardAllowance, type CardAllowanceSource } from './card-allowance';
import { cardBody, splitForCard } from './card-text';
import type { CardPermissions } from './card-permissions';

export const LIVE_CARDS_FILE = 'live-cards.json';

export type StreamEvent = Extract<AgentEvent, { kind: 'stream' }>;

/** A chat a stream's card opens in, with the sender as that chat sees it. */
export interface CardChat {
  chat: ChatAddress;
  /** Who speaks (`Boss`, or `Boss → @Helper` in verbose chats). */
  label: string;
}

/** What the router needs of live cards (bridge/outbound/router.ts). */
export interface LiveCardsPort {
  /**
   * Records a card per chat, waiting to open. `queued` resolves once the items of the stream's
   * own ledger batch (those before it included) are in the outbox — true — or false when that
   * batch failed and will be read again (its next start() arms the waiting cards anew, or lets
   * them go when it is too late for a card).
   */
  start(event: StreamEvent, chats: CardChat[], queued?: Promise<boolean>): Promise<void>;
  update(event: StreamEvent): void;
  end(event: StreamEvent): Promise<void>;
  covers(streamId: string, chatId: string): boolean;
  settle(streamId: string, chatId: string, text: string, items: OutboxItem[]): Promise<void>;
}

export interface LiveCardsOptions {
  stateDir: string;
  cards: Pick<CardApi, 'createAndDeliver' | 'streaming' | 'probeCardPermissions'>;
  /** Durable hand-over to the outbox (resolves once the items are on disk). */
  enqueue(items: OutboxItem[]): Promise<void>;
  /** How many items the outbox holds for this chat (the one being sent included). */
  queuedFor(chatId: string): number;
  /** Resolves once everything in the outbox for this chat so far is delivered or failed for good (or the outbox closed). */
  settled(chatId: string): Promise<void>;
  settings(): { enabled: boolean; templateId: string; lang: ReplyLanguage };
  cardAllowance?: CardAllowanceSource;
  /** The app's token buckets (shared with its groups' outboxes and live cards); default: this object's own. */
  buckets?: Pick<AppBuckets, 'card' | 'streaming'>;
  /** The probe's answer, remembered per app for a day. */
  permissions: Pick<CardPermissions, 'readiness' | 'refused' | 'cardWentThrough'>;
  /** Card permissions are missing: said once per run. */
  onProblem(problem: Problem): void;
  logger?: Logger;
  now?: () => number;
}

const recordSchema = z.object({
  streamId: z.string().min(1),
  chat: chatAddressSchema,
  outTrackId: z.string().min(1),
  /** The card's title: the sender, as messages name it. */
  label: z.string(),
  lang: z.enum(['zh', 'en']),
  state: z.enum(['waiting', 'opening', 'open', 'ending', 'ended', 'failed']),
  /** The answer as far as the card shows it. */
  shown: z.string(),
  /** The whole answer, once the stream ended. */
  finalText: z.string().optional(),
  /** The finalizing call's guid: sent again after a crash, DingTalk applies it once. */
  finalizeGuid: z.string().optional(),
  /** The final `chat.message` waiting for the card's outcome. */
  settle: z.object({ text: z.string(), items: z.array(outboxItemSchema) }).optional(),
  openedAt: z.number(),
  updatedAt: z.number(),
});

type CardRecord = z.infer<typeof recordSchema>;

const docSchema = z.object({ cards: z.record(z.string(), recordSchema).default({}).transform(dict) });

/** Cards not opened for streams that started longer ago (events read again after a long stop). */
const STALE_START_MS = 2 * 60_000;
/** After a permission refusal, cards are tried again this much later (the permission may be added). */
const RETRY_PERMISSION_MS = 30 * 60_000;
/**
 * Open cards with no news for this long are closed as interrupted, cards still waiting to open
 * are let go (their answer goes as a message), and finished records without their message are dropped.
 */
const ABANDONED_MS = 30 * 60_000;
const SWEEP_MS = 5 * 60_000;
/** A create or finalization DingTalk answers "too fast" for this long is given up (the answer goes as messages). */
const TOO_FAST_FOR_MS = 2 * 60_000;

interface Worker {
  chain: Promise<void>;
  /** The newest text not yet on the card. */
  latest?: string;
  timer?: NodeJS.Timeout;
  lastCallAt: number;
  /** Since when DingTalk has answered the card's create or finalization "too fast". */
  refusedSince?: number;
}

const keyOf = (streamId: string, chatId: string): string => `${streamId} ${chatId}`;

/** The same answer, whatever trailing blank space CCCC kept or trimmed. */
const sameText = (a: string | undefined, b: string): boolean => a !== undefined && a.trimEnd() === b.trimEnd();

export class LiveCards implements LiveCardsPort {
  private readonly records = new Map<string, CardRecord>();
  private readonly workers = new Map<string, Worker>();
  /** Stream id → the whole text so far (for `delta` streams and an `end` without text). */
  private readonly texts = new Map<string, string>();
  /** Cards held back by their chat's earlier messages (in memory: after a restart, `waiting` ones are let go). */
  private readonly heldBack = new Set<string>();
  private readonly log: Logger;
  private readonly now: () => number;
  /** Each card API's turn at the app's rate (DingTalk counts 20 QPS per app per API). */
  private readonly gates: { create: RateGate; streaming: RateGate };
  private unavailableUntil = 0;
  private problemSaid = false;
  private closed = false;
  /** The permission probe of open(): close() waits for it (it may still write its answer). */
  private probing: Promise<void> = Promise.resolve();
  /** Armed only while there are records to sweep: a bridge without cards sets no timer. */
  private sweeper: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: LiveCardsOptions,
    private readonly store: JsonFileStore<typeof docSchema>,
  ) {
    this.log = (options.logger ?? silentLogger).child('cards');
    this.now = options.now ?? Date.now;
    const buckets = options.buckets ?? appBuckets();
    this.gates = { create: new RateGate(buckets.card), streaming: new RateGate(buckets.streaming) };
  }

  /** Loads the records a previous run left and brings each to its end (see above). */
  static async open(options: LiveCardsOptions): Promise<LiveCards> {
    const store = new JsonFileStore(join(options.stateDir, LIVE_CARDS_FILE), docSchema, () => ({ cards: {} }), {
      keepCopy: true,
      ...(options.logger ? { log: options.logger } : {}),
    });
    const cards = new LiveCards(options, store);
    for (const [key, record] of Object.entries((await store.get()).cards)) cards.records.set(key, record);
    if (cards.records.size > 0) cards.log.info('Finishing cards left by the last run', { cards: cards.records.size });
    for (const key of cards.records.keys()) cards.recover(key);
    cards.armSweeper();
    if (options.settings().enabled) cards.probing = cards.probe();
    return cards;
  }

  covers(streamId: string, chatId: string): boolean {
    return this.records.has(keyOf(streamId, chatId));
  }

  async start(event: StreamEvent, chats: CardChat[], queued: Promise<boolean> = Promise.resolve(true)): Promise<void> {
    const may = this.mayOpen() && this.now() - event.at <= STALE_START_MS;
    // The same start read again (its batch failed before): the card waits for this reading's
    // items — or, too late for a card now, is let go, so its answer goes as a message at once.
    for (const { chat } of chats) {
      const key = keyOf(event.streamId, chat.conversationId);
      if (this.records.get(key)?.state !== 'waiting') continue;
      if (may) this.openWhenReady(key, queued);
      else this.run(key, () => this.letGo(key));
    }
    if (!may) return;
    const { lang } = this.options.settings();
    const opened: string[] = [];
    for (const { chat, label } of chats) {
      const key = keyOf(event.streamId, chat.conversationId);
      if (this.records.has(key) || !cardSpaceOf(chat)) continue;
      const at = this.now();
      const record: CardRecord = {
        streamId: event.streamId,
        chat,
        outTrackId: randomUUID(),
        label,
        lang,
        state: 'waiting',
        shown: '',
        openedAt: at,
        updatedAt: at,
      };
      this.records.set(key, record);
      opened.push(key);
    }
    if (opened.length === 0) return;
    this.armSweeper();
    this.texts.set(event.streamId, event.text);
    // On disk before the calls: a crash after one leaves a record that closes the card.
    await this.save(opened);
    for (const key of opened) this.openWhenReady(key, queued);
  }

  update(event: StreamEvent): void {
    const keys = this.keysOf(event.streamId);
    if (keys.length === 0) return;
    const text = this.advance(event);
    for (const key of keys) {
      const worker = this.worker(key);
      worker.latest = text;
      this.schedule(key);
    }
  }

  async end(event: StreamEvent): Promise<void> {
    const keys = this.keysOf(event.streamId);
    if (keys.length === 0) return;
    const text = this.advance(event);
    this.texts.delete(event.streamId);
    const ending: string[] = [];
    const unopened: string[] = [];
    for (const key of keys) {
      const record = this.records.get(key);
      if (record?.state === 'waiting') {
        // Held back: too late for a card, the answer goes as a message behind what held it.
        // Set here, not in a step: a create queued meanwhile must find the card given up. Not
        // held back (yet): the card learns when its batch is queued (openWhenReady).
        Object.assign(record, { finalText: text, updatedAt: this.now() }, this.heldBack.has(key) ? { state: 'failed' } : {});
        unopened.push(key);
        continue;
      }
      if (!record || (record.state !== 'opening' && record.state !== 'open')) continue;
      Object.assign(record, { state: 'ending', finalText: text, finalizeGuid: randomUUID(), updatedAt: this.now() });
      ending.push(key);
    }
    if (ending.length + unopened.length === 0) return;
    await this.save([...ending, ...unopened]);
    for (const key of unopened) this.run(key, () => this.conclude(key));
    for (const key of ending) {
      const worker = this.worker(key);
      clearTimeout(worker.timer);
      worker.timer = undefined;
      worker.latest = undefined;
      this.after(key, () => this.finalize(key));
    }
  }

  async settle(streamId: string, chatId: string, text: string, items: OutboxItem[]): Promise<void> {
    const key = keyOf(streamId, chatId);
    const record = this.records.get(key);
    if (!record) return this.options.enqueue(items);
    record.settle = { text, items };
    await this.save([key]);
    this.run(key, () => this.conclude(key));
  }

  /** Stops timers and waits for calls in flight; records stay on disk for the next run. */
  async close(): Promise<void> {
    this.closed = true;
    this.disarmSweeper();
    for (const worker of this.workers.values()) clearTimeout(worker.timer);
    // Calls waiting for their turn are not made: their cards stay as the records on disk say.
    for (const gate of Object.values(this.gates)) gate.close();
    await Promise.all([this.probing, ...[...this.workers.values()].map((w) => w.chain)]);
  }

  // ---- the steps of a card -----------------------------------------------------------------

  /** Opens the card once the chat's earlier messages are through (see the top of this file). */
  private openWhenReady(key: string, queued: Promise<boolean>): void {
    const record = this.records.get(key);
    if (!record) return;
    const chatId = record.chat.conversationId;
    void queued
      .then(async (ready) => {
        if (!ready || record.state !== 'waiting') return;
        if (this.options.queuedFor(chatId) > 0) {
          if (record.finalText !== undefined) return this.run(key, () => this.letGo(key));
          this.heldBack.add(key);
          await this.options.settled(chatId);
          this.heldBack.delete(key);
        }
        this.run(key, () => this.create(key));
      })
      .catch((err: unknown) => this.log.error('A live card could not wait for its chat', { error: err }));
  }

  /** Opens the card with the newest text (updates coalesced while it waited); finalizes it next when its stream already ended. */
  private async create(key: string): Promise<void> {
    const record = this.records.get(key);
    const space = record && cardSpaceOf(record.chat);
    if (!record || !space || record.state !== 'waiting') return;
    // The turn first: a stop meanwhile leaves the card `waiting` (let go by the next run), and it
    // opens with the text of that moment.
    if (!(await this.gates.create.acquire()) || record.state !== 'waiting') return;
    const ended = record.finalText !== undefined;
    // On disk before the call: a crash during it leaves a card that may exist, to be closed.
    record.state = ended ? 'ending' : 'opening';
    record.updatedAt = this.now();
    if (ended) record.finalizeGuid = randomUUID();
    await this.save([key]);
    const { head } = splitForCard(record.finalText ?? this.texts.get(record.streamId) ?? '');
    try {
      this.worker(key).lastCallAt = this.now();
      await this.gates.create.watch(() =>
        this.options.cards.createAndDeliver({
          space,
          templateId: this.options.settings().templateId,
          outTrackId: record.outTrackId,
          params: { [AI_CARD_KEYS.title]: senderHead(record.label), [AI_CARD_KEYS.content]: cardBody(head), [AI_CARD_KEYS.status]: AI_CARD_STATUS.processing },
        }),
      );
    } catch (err) {
      if (this.againLater(key, err)) {
        // Refused before anything was made: the card waits again (a stream ending meanwhile finds
        // it so) and is created after the interval, with the newest text.
        Object.assign(record, { state: 'waiting', updatedAt: this.now() });
        delete record.finalizeGuid;
        await this.save([key]);
        return this.after(key, () => this.create(key));
      }
      // Nothing to close: the card is not there.
      return this.failed(key, err, undefined);
    }
    this.worker(key).refusedSince = undefined;
    await this.options.permissions.cardWentThrough();
    if (ended) return this.after(key, () => this.finalize(key));
    if (record.state !== 'opening') return;
    Object.assign(record, { state: 'open', shown: head, updatedAt: this.now() });
    await this.save([key]);
    if (this.worker(key).latest !== undefined) this.schedule(key);
  }

  /** Puts the newest text on the card, if it is still open and the text is new. */
  private async push(key: string): Promise<void> {
    const record = this.records.get(key);
    const worker = this.worker(key);
    // Queued twice (by its timer and by the create it waited behind), the second would come early.
    if (worker.latest !== undefined && worker.lastCallAt + this.interval() > this.now()) return this.schedule(key);
    if (!record || record.state !== 'open' || worker.latest === undefined) {
      worker.latest = undefined;
      return;
    }
    // The text is taken once the gate lets the call go: updates that came while it waited ride along.
    if (!(await this.gates.streaming.acquire())) return;
    const text = worker.latest;
    worker.latest = undefined;
    if (record.state !== 'open' || text === undefined) return;
    const { head, rest } = splitForCard(text);
    if (head === record.shown && rest === '') return;
    try {
      worker.lastCallAt = this.now();
      await this.gates.streaming.watch(() =>
        this.options.cards.streaming({
          outTrackId: record.outTrackId,
          key: AI_CARD_KEYS.content,
          content: cardBody(head, rest ? this.words(record).continuedBelow : undefined),
        }),
      );
    } catch (err) {
      // Too fast for DingTalk just now (the gate starts over empty): the text goes with the next
      // push, unless newer text came meanwhile. Other failures end the card.
      if (!isRateLimited(err)) return this.failed(key, err, this.words(record).stopped);
      worker.latest ??= text;
      return this.schedule(key);
    }
    Object.assign(record, { shown: head, updatedAt: this.now() });
    await this.save([key]);
  }

  /** The last call: the whole answer (its head, when long; the rest then follows as messages). */
  private async finalize(key: string): Promise<void> {
    const record = this.records.get(key);
    if (!record || record.state !== 'ending') return;
    // Stopped while waiting: still `ending` on disk, the next run sends it with the same guid.
    if (!(await this.gates.streaming.acquire()) || record.state !== 'ending') return;
    const text = record.finalText ?? record.shown;
    const { head, rest } = splitForCard(text);
    try {
      this.worker(key).lastCallAt = this.now();
      await this.gates.streaming.watch(() =>
        this.options.cards.streaming({
          outTrackId: record.outTrackId,
          key: AI_CARD_KEYS.content,
          content: cardBody(head, rest ? this.words(record).continuedBelow : undefined),
          isFinalize: true,
          ...(record.finalizeGuid ? { guid: record.finalizeGuid } : {}),
        }),
      );
    } catch (err) {
      // The same finalization (its guid) once more after the interval: DingTalk applies it once.
      if (this.againLater(key, err)) return this.after(key, () => this.finalize(key));
      return this.failed(key, err, this.words(record).stopped);
    }
    this.worker(key).refusedSince = undefined;
    // Ids derived from the card: sent again after a crash, the outbox keeps one copy.
    if (rest) await this.options.enqueue(this.messages(record, rest, 'rest'));
    Object.assign(record, { state: 'ended', shown: head, finalText: text, updatedAt: this.now() });
    await this.save([key]);
    await this.conclude(key);
  }

  /**
   * DingTalk answered a create or finalization "too fast" (the gate starts over empty): true
   * while it may be tried again after the interval — for a while, then it fails like any call.
   */
  private againLater(key: string, err: unknown): boolean {
    if (!isRateLimited(err)) return false;
    const worker = this.worker(key);
    worker.refusedSince ??= this.now();
    return this.now() - worker.refusedSince < TOO_FAST_FOR_MS;
  }

  /** A call failed: the card is done for; close it with a note when it exists, and conclude. */
  private async failed(key: string, err: unknown, note: string | undefined): Promise<void> {
    const record = this.records.get(key);
    if (!record) return;
    const problem = toProblem(err);
    this.log.warn('A live card failed; the answer goes out as a message', { chat: record.chat.conversationId, code: problem.code });
    if (isCardPermissionError(err)) {
      await this.options.permissions.refused(this.unavailable(problem.details?.['requiredScopes']));
    }
    Object.assign(record, { state: 'failed', updatedAt: this.now() });
    await this.save([key]);
    if (note) await this.closeWith(record, note);
    await this.conclude(key);
  }

  /** Best effort: a card that cannot be closed (or not before the bridge stops) stays as it was. */
  private async closeWith(record: CardRecord, note: string): Promise<void> {
    if (!(await this.gates.streaming.acquire())) return;
    try {
      await this.gates.streaming.watch(() =>
        this.options.cards.streaming({
          outTrackId: record.outTrackId,
          key: AI_CARD_KEYS.content,
          content: cardBody(record.shown, note),
          isFinalize: true,
        }),
      );
    } catch (err) {
      this.log.info('A live card could not be closed', { chat: record.chat.conversationId, code: toProblem(err).code });
    }
  }

  /**
   * Once the card's outcome and its message are both known: the message's files only when the
   * card ended well with that very text, else the whole message. Then the record goes.
   */
  private async conclude(key: string): Promise<void> {
    const record = this.records.get(key);
    if (!record?.settle || (record.state !== 'ended' && record.state !== 'failed')) return;
    const shownWhole = record.state === 'ended' && sameText(record.finalText, record.settle.text);
    const items = shownWhole ? record.settle.items.filter((i) => i.payload.kind === 'file') : record.settle.items;
    if (items.length) await this.options.enqueue(items);
    await this.forget(key);
  }

  /** A record found at start: carry it on from where it was. */
  private recover(key: string): void {
    const record = this.records.get(key);
    if (!record) return;
    if (record.state === 'ending') return this.run(key, () => this.finalize(key));
    if (record.state === 'waiting') return this.run(key, () => this.letGo(key));
    if (record.state === 'opening' || record.state === 'open') return this.run(key, () => this.interrupt(key));
    this.run(key, () => this.conclude(key));
  }

  /** A card that never opened: nothing to close; its answer goes as a message. */
  private async letGo(key: string): Promise<void> {
    this.heldBack.delete(key);
    const record = this.records.get(key);
    if (record?.state !== 'waiting') return;
    Object.assign(record, { state: 'failed', updatedAt: this.now() });
    await this.save([key]);
    await this.conclude(key);
  }

  private async interrupt(key: string): Promise<void> {
    const record = this.records.get(key);
    if (!record || (record.state !== 'opening' && record.state !== 'open')) return;
    Object.assign(record, { state: 'failed', updatedAt: this.now() });
    await this.save([key]);
    await this.closeWith(record, this.words(record).interrupted);
    await this.conclude(key);
  }

  private armSweeper(): void {
    if (this.sweeper || this.closed || this.records.size === 0) return;
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  private disarmSweeper(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Open cards nobody finished, cards that waited too long, and finished ones whose message never came, are let go. */
  private sweep(): void {
    const cutoff = this.now() - ABANDONED_MS;
    for (const [key, record] of this.records) {
      if (record.updatedAt > cutoff) continue;
      if (record.state === 'waiting') this.run(key, () => this.letGo(key));
      else if (record.state === 'opening' || record.state === 'open') this.run(key, () => this.interrupt(key));
      else if ((record.state === 'ended' || record.state === 'failed') && !record.settle) this.run(key, () => this.abandon(key));
    }
  }

  /** The answer's message never came: a failed card's answer still goes out, from the stream's end. */
  private async abandon(key: string): Promise<void> {
    const record = this.records.get(key);
    if (!record || record.settle) return;
    if (record.state === 'failed' && record.finalText) await this.options.enqueue(this.messages(record, record.finalText, 'end'));
    await this.forget(key);
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private messages(record: CardRecord, text: string, tag: string): OutboxItem[] {
    const createdAt = this.now();
    return formatBody(record.label, text).map((message, i) => ({
      id: `card:${record.outTrackId}:${tag}:${i}`,
      chat: record.chat,
      payload: { kind: 'message', message },
      createdAt,
    }));
  }

  private mayOpen(): boolean {
    const allowance: CardAllowance = this.options.cardAllowance?.() ?? 'full';
    return !this.closed && allowance !== 'plain' && this.options.settings().enabled && this.now() >= this.unavailableUntil;
  }

  /** Two metered calls, so at most once a day per app unless a real card call says otherwise (card-permissions.ts). */
  private async probe(): Promise<void> {
    const known = await this.options.permissions.readiness(() => this.options.cards.probeCardPermissions());
    if (known?.state === 'missing' && !this.closed) this.unavailable(known.scopes);
  }

  /** No cards for a while; the problem is said once per run. Returns the scopes found missing (both when none is named). */
  private unavailable(scopes: unknown): CardScope[] {
    this.unavailableUntil = this.now() + RETRY_PERMISSION_MS;
    const known: unknown[] = Object.values(CARD_SCOPES);
    const named = Array.isArray(scopes) ? scopes.filter((s): s is CardScope => known.includes(s)) : [];
    const missing = named.length ? named : Object.values(CARD_SCOPES);
    if (!this.problemSaid) this.options.onProblem(cardPermissionProblem(missing));
    this.problemSaid = true;
    return missing;
  }

  /** The whole text of a stream after this event. */
  private advance(event: StreamEvent): string {
    const before = this.texts.get(event.streamId) ?? '';
    const text = event.delta ? before + event.text : event.text || before;
    this.texts.set(event.streamId, text);
    return text;
  }

  private keysOf(streamId: string): string[] {
    return [...this.records.values()].filter((r) => r.streamId === streamId).map((r) => keyOf(r.streamId, r.chat.conversationId));
  }

  private words(record: CardRecord): CardTexts {
    return CARD_TEXTS[record.lang];
  }

  private worker(key: string): Worker {
    let worker = this.workers.get(key);
    if (!worker) {
      worker = { chain: Promise.resolve(), lastCallAt: 0 };
      this.workers.set(key, worker);
    }
    return worker;
  }

  private interval(): number {
    return CARD_CALL_INTERVAL_MS[this.options.cardAllowance?.() === 'lean' ? 'lean' : 'full'];
  }

  /** Runs the card's steps one after another; a step's own failure is logged, never thrown. */
  private run(key: string, step: () => Promise<void>): void {
    if (this.closed) return;
    const worker = this.worker(key);
    worker.chain = worker.chain.then(step).catch((err: unknown) => this.log.error('A live card step failed', { error: err }));
  }

  /** Runs a step once the card's interval since its last call has passed. */
  private after(key: string, step: () => Promise<void>): void {
    if (this.closed) return;
    const worker = this.worker(key);
    const wait = worker.lastCallAt + this.interval() - this.now();
    if (wait <= 0) return this.run(key, step);
    worker.timer = setTimeout(() => {
      worker.timer = undefined;
      this.run(key, step);
    }, wait);
    worker.timer.unref();
  }

  /** Coalescing: one push per interval, carrying the newest text. */
  private schedule(key: string): void {
    const worker = this.worker(key);
    if (worker.timer || this.closed || this.records.get(key)?.state !== 'open') return;
    const wait = worker.lastCallAt + this.interval() - this.now();
    if (wait <= 0) return this.run(key, () => this.push(key));
    worker.timer = setTimeout(() => {
      worker.timer = undefined;
      this.run(key, () => this.push(key));
    }, wait);
    worker.timer.unref();
  }

  private async forget(key: string): Promise<void> {
    this.records.delete(key);
    if (this.records.size === 0) this.disarmSweeper();
    await this.save([key]);
    // Only after the write: close() waits for the chains of the workers it finds, this one's included.
    if (!this.records.has(key)) this.workers.delete(key);
  }

  private save(keys: string[]): Promise<void> {
    return this.store.update((doc) => {
      for (const key of keys) {
        const record = this.records.get(key);
        if (record) doc.cards[key] = structuredClone(record);
        else delete doc.cards[key];
      }
    });
  }
}
