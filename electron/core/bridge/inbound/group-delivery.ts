/**
 * Hands DingTalk messages to CCCC durably: each `send` is journaled before the first attempt,
 * retried with backoff while the daemon is down or restarting, and idempotent through its
 * client id — so every message reaches CCCC at least once (journal) and at most once. CCCC
 * recognizes a repeated client id only within its last 800 ledger lines, so a message that may
 * already have arrived (pending at a restart, or its answer lost) is first looked up in the ledger
 * since it was journaled, and sent only when it is truly missing.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { toProblem, type Problem } from '../../errors';
import { silentLogger, type Logger } from '../../log/logger';
import { backoffDelay, type BackoffPolicy } from '../../util/backoff';
import { Journal } from '../../util/journal';
import { chatAddressSchema, type ChatAddress } from '../chat-address';
import type { GroupPort, SendToGroup } from '../ports';
import { resolveRecipients } from './recipients';

const attachmentSchema = z.object({ kind: z.string(), path: z.string(), title: z.string(), mime_type: z.string(), bytes: z.number(), sha256: z.string() });

const entrySchema = z.object({
  chat: chatAddressSchema,
  receivedAt: z.number(),
  send: z.object({
    msgId: z.string(),
    text: z.string(),
    to: z.array(z.string()),
    attachments: z.array(attachmentSchema),
    clientId: z.string().min(1),
    sourceUserName: z.string(),
    sourceUserId: z.string(),
    mentionUserIds: z.array(z.string()),
    replyTo: z.string().optional(),
  }),
  /** `/send @…` names to check against the group's agents before sending (CCCC was down when it came). */
  recipients: z.array(z.string()).optional(),
});

type Entry = z.infer<typeof entrySchema>;

export interface GroupDeliveryOptions {
  stateDir: string;
  group: GroupPort;
  /** Client ids already in CCCC's ledger among events since `sinceMs`: client id → event id. */
  findInLedger(clientIds: ReadonlySet<string>, sinceMs: number): Promise<Map<string, string>>;
  logger?: Logger;
  /** Give up (and tell the person) after retrying this long. */
  maxAgeMs?: number;
  /** Tell the person once that CCCC is down when a message has waited this long. */
  slowNoticeMs?: number;
  backoff?: BackoffPolicy;
  now?: () => number;
  onDelivered?(send: SendToGroup, chat: ChatAddress, eventId: string): void;
  /** The message will not reach CCCC (a clear error, or it waited too long). */
  onFailed?(send: SendToGroup, chat: ChatAddress, problem: Problem): void;
  /** The message is waiting for CCCC to come back. */
  onDelayed?(send: SendToGroup, chat: ChatAddress, problem: Problem): void;
  /** A queued `/send @name` names no agent of the group (checked once CCCC was back); it is dropped. */
  onUnknownRecipient?(send: SendToGroup, chat: ChatAddress, unknown: string, known: string[]): void;
  /** The journal could not be written (a full disk, …); delivery waits and tries again. */
  onLocalFailure?(err: unknown): void;
}

/**
 * Sends to CCCC not yet confirmed in its ledger. The file keeps its historical name `inbox.jsonl`
 * (state directories written by earlier versions hold it).
 */
export const SENDS_TO_CCCC_JOURNAL = 'inbox.jsonl';

/** CCCC stamps events with its own clock; allow for a little skew when looking back. */
const LEDGER_CLOCK_MARGIN_MS = 60_000;

export class GroupDelivery {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly backoff: BackoffPolicy;
  private pump: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private closed = false;
  private attempt = 0;
  private readonly noticed = new Set<string>();
  /** Entries that may have reached CCCC already: look in the ledger before sending them. */
  private readonly uncertain = new Set<string>();

  private constructor(
    private readonly journal: Journal<Entry>,
    private readonly options: GroupDeliveryOptions,
  ) {
    this.log = (options.logger ?? silentLogger).child('inbox');
    this.now = options.now ?? Date.now;
    this.backoff = options.backoff ?? { baseMs: 500, capMs: 30_000, jitterMs: 250 };
  }

  static async open(options: GroupDeliveryOptions): Promise<GroupDelivery> {
    const journal = await Journal.open<Entry>({ path: join(options.stateDir, SENDS_TO_CCCC_JOURNAL), schema: entrySchema, logger: options.logger });
    const delivery = new GroupDelivery(journal, options);
    for (const entry of journal.pending()) delivery.uncertain.add(entry.id);
    if (journal.pendingCount > 0) delivery.kick();
    return delivery;
  }

  get depth(): number {
    return this.journal.pendingCount;
  }

  /** Journal lines damaged while the bridge was stopped (kept aside in `<journal>.rejected`). */
  get damagedLines(): readonly string[] {
    return this.journal.rejectedLines;
  }

  /** Resolves once the message is journaled; delivery continues in the background. */
  async deliver(send: SendToGroup, chat: ChatAddress, recipients?: string[]): Promise<void> {
    await this.journal.append([{ id: send.clientId, data: { chat, send, receivedAt: this.now(), ...(recipients?.length ? { recipients } : {}) } }]);
    this.kick();
  }

  /** Resolves when nothing is waiting (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.pump) await this.pump;
  }

  /** Retry now (e.g. when the daemon monitor sees CCCC come back). */
  retryNow(): void {
    this.attempt = 0;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.wake?.();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.retryNow();
    await this.pump?.catch(() => undefined);
    await this.journal.close();
  }

  private kick(): void {
    if (this.pump || this.closed) return;
    this.pump = this.drain().finally(() => {
      this.pump = undefined;
      if (!this.closed && this.journal.pendingCount > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const next = this.journal.pending()[0];
      if (!next) return;
      const { chat, receivedAt, recipients } = next.data;
      let send: SendToGroup = next.data.send;
      let sent: { eventId: string; replayed: boolean };
      try {
        if (this.uncertain.has(next.id) && (await this.alreadyInLedger(next.id))) continue;
        if (recipients) {
          const resolved = resolveRecipients(recipients, await this.options.group.actors());
          if (!resolved.ok) {
            this.log.info('A queued message names no agent of the group', { chat: chat.conversationId, unknown: resolved.unknown });
            if (!(await this.settle(next.id))) return;
            this.noticed.delete(send.clientId);
            this.options.onUnknownRecipient?.(send, chat, resolved.unknown, resolved.known);
            continue;
          }
          send = { ...send, to: resolved.to };
        }
        sent = await this.options.group.send(send);
      } catch (err) {
        const problem = toProblem(err, 'cccc.unavailable');
        // The request may have reached CCCC before the answer was lost — unless it never got there
        // (no daemon to connect to): then a look into the ledger before the next try is wasted I/O.
        if (problem.code !== 'cccc.not_running') this.uncertain.add(next.id);
        const waited = this.now() - receivedAt;
        if (!problem.retryable || waited >= (this.options.maxAgeMs ?? 30 * 60_000)) {
          this.log.warn('Could not deliver to CCCC', { chat: chat.conversationId, code: problem.code, waitedMs: waited });
          if (!(await this.settle(next.id))) return;
          this.noticed.delete(send.clientId);
          this.options.onFailed?.(send, chat, problem);
          continue;
        }
        if (waited >= (this.options.slowNoticeMs ?? 5_000) && !this.noticed.has(send.clientId)) {
          this.noticed.add(send.clientId);
          this.options.onDelayed?.(send, chat, problem);
        }
        await this.sleep(backoffDelay(this.attempt++, this.backoff));
        continue;
      }
      this.attempt = 0;
      this.noticed.delete(send.clientId);
      if (!(await this.settle(next.id))) return;
      this.log.info('Delivered to CCCC', { chat: chat.conversationId, event: sent.eventId, replayed: sent.replayed });
      this.options.onDelivered?.(send, chat, sent.eventId);
    }
  }

  /**
   * Writes the done mark, trying again while it fails (a full disk): the message is finished,
   * so it must not be sent again for a local failure. False when closed meanwhile.
   */
  private async settle(id: string): Promise<boolean> {
    for (let attempt = 0; !this.closed; attempt++) {
      try {
        await this.journal.markDone([id]);
        return true;
      } catch (err) {
        this.log.error('Could not record a delivered message; trying again', { error: err });
        this.options.onLocalFailure?.(err);
        await this.sleep(backoffDelay(attempt, this.backoff));
      }
    }
    return false;
  }

  /**
   * Looks for every uncertain entry at once (one pass over the ledger) and finishes those CCCC
   * already has; says whether `id` was among them.
   */
  private async alreadyInLedger(id: string): Promise<boolean> {
    const waiting = this.journal.pending().filter((e) => this.uncertain.has(e.id));
    const since = Math.min(...waiting.map((e) => e.data.receivedAt)) - LEDGER_CLOCK_MARGIN_MS;
    let found: Map<string, string>;
    try {
      found = await this.options.findInLedger(new Set(waiting.map((e) => e.data.send.clientId)), since);
    } catch (err) {
      // Sending is still safe within CCCC's own 800-line window.
      this.log.warn('Could not look in the ledger for messages already delivered; sending', { error: err });
      found = new Map();
    }
    for (const entry of waiting) {
      this.uncertain.delete(entry.id);
      const eventId = found.get(entry.data.send.clientId);
      if (eventId === undefined) continue;
      if (!(await this.settle(entry.id))) return false;
      this.log.info('Already in CCCC; not sent again', { chat: entry.data.chat.conversationId, event: eventId });
      this.options.onDelivered?.(entry.data.send, entry.data.chat, eventId);
    }
    return this.journal.state(id) === 'done';
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        resolve();
      }, ms);
    });
  }
}
