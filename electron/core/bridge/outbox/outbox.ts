/**
 * The outbox: messages and files for DingTalk chats, persisted before anything else happens
 * (the engine moves the ledger cursor only after enqueue() resolved), delivered in order per
 * chat with chats in parallel, under one rate gate per DingTalk API, retried until delivered
 * or clearly impossible — then reported through onFailure and the audit log, never dropped
 * silently. open() on the same directory resumes whatever a previous run left.
 *
 * What can be repeated: an item DingTalk accepted just before the process died, before its
 * `done` line was written (at most one per chat, since a chat has one send in flight), and a
 * send whose answer was lost on the network although DingTalk got it (retried like any network
 * error). A graceful close() waits for in-flight sends, so it repeats nothing.
 */
import { join } from 'node:path';
import type { Problem } from '../../errors';
import type { AuditEntry, AuditLog } from '../../log/audit';
import { silentLogger, type Logger } from '../../log/logger';
import type { DingTalkApi } from '../../dingtalk/openapi-client';
import type { OutboundMessage } from '../../dingtalk/outbound-message';
import { backoffDelay, type BackoffPolicy } from '../../util/backoff';
import { Journal } from '../../util/journal';
import { attemptDelivery, type CardMaker, type DeliveryContext, type Gates, type ItemProgress } from './deliver';
import { outboxItemSchema, type DeliveryVia, type OutboxItem, type OutboxPayload } from './item';
import { ChatLanes } from '../../util/chat-lanes';
import { RateGate } from './rate-gate';
import { DEFAULT_RETRY_POLICY, judge, problemOf, SETUP_PROBLEMS, type RetryPolicy } from './retry';
import { SessionWebhooks } from '../session-webhooks';
import { RouteChooser } from './route';
import { Sleeper } from './sleeper';
import { appBuckets, type AppBuckets } from './app-buckets';

export interface OutboxOptions {
  /** Holds the journal (`outbox.jsonl`). */
  dir: string;
  api: DingTalkApi;
  logger?: Logger;
  audit?: AuditLog;
  /** Calls per second per DingTalk API, under DingTalk's 20 per app per API. Default 19: the most that keeps every one-second window at or under 20. */
  qpsPerApi?: number;
  /**
   * The app's token buckets, when its groups' outboxes share them (DingTalk counts per app, not
   * per group); each outbox still has its own gates, so closing one lets only its own waiters go.
   */
  buckets?: AppBuckets;
  /** Makes the cards of `card` items; without it they go as their fallback messages. */
  cards?: CardMaker;
  /** The chats' session webhooks, remembered by the inbound side; default none (the OpenAPI only). */
  webhooks?: SessionWebhooks;
  /** Session webhook messages per chat per minute (DingTalk: 20). Default 20. */
  webhookPerChatPerMinute?: number;
  /** Give up on an item this long after it was created. Default 24 h. */
  maxAttemptAgeMs?: number;
  /** Flush the journal to disk on every write (survives power loss). Default false. */
  fsync?: boolean;
  retryPolicy?: RetryPolicy;
  now?: () => number;
  random?: () => number;
  onFailure?: (item: OutboxItem, problem: Problem) => void;
  onDelivered?: (item: OutboxItem, via: DeliveryVia) => void;
  /** An item waits because the app's setup is wrong (see SETUP_PROBLEMS); tell the user. */
  onWaiting?: (item: OutboxItem, problem: Problem) => void;
  /** The journal could not be written (a full disk, …); the chat waits and tries again by itself. */
  onLocalFailure?: (err: unknown) => void;
}

export const OUTBOX_JOURNAL = 'outbox.jsonl';

export class Outbox {
  private journal: Journal<OutboxItem> | undefined;
  private readonly lanes: ChatLanes<OutboxItem>;
  private readonly gates: Gates;
  private readonly routes: RouteChooser;
  /** What every delivery attempt works with. */
  private readonly ctx: DeliveryContext;
  private readonly sleeper = new Sleeper();
  private readonly progress = new Map<string, ItemProgress>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly maxAttemptAgeMs: number;
  private readonly retryPolicy: RetryPolicy;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: OutboxOptions) {
    this.log = (options.logger ?? silentLogger).child('outbox');
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.maxAttemptAgeMs = options.maxAttemptAgeMs ?? 24 * 60 * 60_000;
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    const buckets = options.buckets ?? appBuckets(options.qpsPerApi);
    this.gates = {
      group: new RateGate(buckets.group),
      single: new RateGate(buckets.single),
      media: new RateGate(buckets.media),
      card: new RateGate(buckets.card),
    };
    this.routes = new RouteChooser({
      webhooks: options.webhooks ?? new SessionWebhooks({ now: this.now }),
      webhookPerChatPerMinute: options.webhookPerChatPerMinute ?? 20,
      now: this.now,
    });
    this.ctx = { api: options.api, gates: this.gates, routes: this.routes, log: this.log, ...(options.cards ? { cards: options.cards } : {}) };
    this.lanes = new ChatLanes(
      (item) => item.chat.conversationId,
      (item) => this.deliver(item),
      (err, item) => {
        this.log.error('An outbox chat waits after an unexpected error; it will try again', { item: item.id, error: err });
        safely(this.log, () => this.options.onLocalFailure?.(err));
      },
    );
  }

  /** Loads the journal and resumes delivering what it holds. */
  async open(): Promise<void> {
    if (this.journal) throw new Error('Outbox is already open');
    this.journal = await Journal.open({
      path: join(this.options.dir, OUTBOX_JOURNAL),
      schema: outboxItemSchema,
      fsync: this.options.fsync ?? false,
      logger: this.log,
    });
    const pending = this.journal.pending().map((e) => e.data);
    if (pending.length > 0) this.log.info('Resuming the outbox', { items: pending.length });
    this.lanes.push(pending);
  }

  /**
   * Persists the items, then queues them. Resolves once they are durable; ids seen before
   * (pending or recently delivered) are skipped, so a replay after a crash repeats nothing.
   */
  async enqueue(items: OutboxItem[]): Promise<void> {
    const journal = this.journal;
    if (!journal || this.closing) throw new Error('Outbox is not open');
    const added = await journal.append(items.map((item) => ({ id: item.id, data: item })));
    this.lanes.push(added.map((e) => e.data));
  }

  /** Journal lines damaged while the bridge was stopped (kept aside in `outbox.jsonl.rejected`). */
  get damagedLines(): readonly string[] {
    return this.journal?.rejectedLines ?? [];
  }

  /** Ids of the items pending or recently delivered (what a replay would skip). */
  knownIds(): IterableIterator<string> {
    return this.journal?.ids() ?? [].values();
  }

  /**
   * One attempt, without the journal: for a notice that must reach a chat while nothing can be
   * written (the disk is full). Best effort; resolves false when it did not go out.
   */
  async sendNow(item: OutboxItem): Promise<boolean> {
    try {
      const outcome = await attemptDelivery(item, this.ctx, {});
      return outcome.status === 'delivered';
    } catch (err) {
      this.log.warn('A direct notice did not go out', { chat: item.chat.conversationId, code: problemOf(err).code });
      return false;
    }
  }

  /** Chats waiting after a local failure try again now (e.g. disk space returned). */
  retryNow(): void {
    this.lanes.retryNow();
  }

  depth(): number {
    return this.lanes.depth();
  }

  depthByChat(): Record<string, number> {
    return this.lanes.depthByKey();
  }

  /** Items queued to one chat and not finished yet. */
  depthOf(chatId: string): number {
    return this.lanes.depthOf(chatId);
  }

  /** Resolves when everything queued so far is delivered or failed (or the outbox closed). */
  idle(): Promise<void> {
    return this.lanes.idle();
  }

  /** Resolves when everything queued so far to this chat is delivered or failed (or the outbox closed). */
  settled(chatId: string): Promise<void> {
    return this.lanes.settled(chatId);
  }

  /** Stops delivering, waits for sends in flight, keeps pending items on disk, clears every timer. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.sleeper.cancelAll();
      for (const gate of Object.values(this.gates)) gate.close();
      await this.lanes.stop();
      await this.journal?.close();
      await this.options.audit?.flush();
    })();
    return this.closing;
  }

  /** Works on one item until it is delivered, given up, or the outbox closes. */
  private async deliver(item: OutboxItem): Promise<boolean> {
    const progress = this.progress.get(item.id) ?? {};
    this.progress.set(item.id, progress);
    let lastProblem: Problem | undefined;
    for (let attempt = 0; ; attempt++) {
      if (this.closing) return false;
      if (this.now() - item.createdAt > this.maxAttemptAgeMs) {
        await this.finish(item, { failed: giveUp(item, attempt, lastProblem, this.maxAttemptAgeMs) });
        return true;
      }
      try {
        const outcome = await attemptDelivery(item, this.ctx, progress);
        if (outcome.status === 'stopped') return false;
        return await this.finish(item, { via: outcome.via });
      } catch (err) {
        const verdict = judge(err, attempt, this.retryPolicy, this.random);
        if (!verdict.retry) return await this.finish(item, { failed: verdict.problem });
        lastProblem = verdict.problem;
        if (SETUP_PROBLEMS.has(verdict.problem.code)) safely(this.log, () => this.options.onWaiting?.(item, verdict.problem));
        // Rate limits are expected under bursts; anything else deserves attention.
        const level = verdict.problem.code === 'dingtalk.rate_limited' ? 'info' : 'warn';
        this.log[level]('Delivery failed, will retry', {
          item: item.id,
          chat: item.chat.conversationId,
          code: verdict.problem.code,
          attempt: attempt + 1,
          inMs: verdict.delayMs,
        });
        if (!(await this.sleeper.sleep(verdict.delayMs))) return false;
      }
    }
  }

  /** Records the outcome; false when the outbox closed before the done mark could be written. */
  private async finish(item: OutboxItem, result: { via: DeliveryVia } | { failed: Problem }): Promise<boolean> {
    // The done mark comes first: if it cannot be written, the item stays pending and is resent
    // after a restart rather than lost.
    if (!(await this.markDone(item))) return false;
    const progress = this.progress.get(item.id);
    this.progress.delete(item.id);
    this.options.audit?.record(auditEntry(item, progress, result));
    if ('via' in result) {
      this.log.debug('Delivered', { item: item.id, chat: item.chat.conversationId, via: result.via });
      safely(this.log, () => this.options.onDelivered?.(item, result.via));
    } else {
      this.log.warn('Delivery failed for good', { item: item.id, chat: item.chat.conversationId, code: result.failed.code, message: result.failed.message });
      safely(this.log, () => this.options.onFailure?.(item, result.failed));
    }
    return true;
  }

  /**
   * Writes the done mark, trying again while it fails: the item already went out (or failed for
   * good), so it must never be attempted again in this run — that would send it twice.
   */
  private async markDone(item: OutboxItem): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.journal?.markDone([item.id]);
        return true;
      } catch (err) {
        this.log.error('Could not record a finished item; trying again', { item: item.id, error: err });
        safely(this.log, () => this.options.onLocalFailure?.(err));
        if (!(await this.sleeper.sleep(backoffDelay(attempt, DONE_MARK_BACKOFF)))) return false;
      }
    }
  }
}

const DONE_MARK_BACKOFF: BackoffPolicy = { baseMs: 200, capMs: 5_000, jitterMs: 100 };

function giveUp(item: OutboxItem, attempts: number, last: Problem | undefined, maxAgeMs: number): Problem {
  const hours = Math.round((maxAgeMs / 3_600_000) * 10) / 10;
  return {
    code: 'outbox.expired',
    message: last
      ? `Gave up after ${attempts} attempts over ${hours} h: ${last.message}`
      : `Not sent: the message waited longer than ${hours} h (the bridge was probably stopped)`,
    retryable: false,
    details: { item: item.id, attempts, ...(last ? { lastCode: last.code } : {}) },
  };
}

function auditEntry(item: OutboxItem, progress: ItemProgress | undefined, result: { via: DeliveryVia } | { failed: Problem }): AuditEntry {
  const payload = item.payload;
  // A card is audited with the words of its plain reply (what the card says, or what went instead).
  const message = payload.kind === 'message' ? payload.message : payload.kind === 'card' ? payload.fallback : undefined;
  const content = message ? messageText(message) : undefined;
  const recipients = [...(item.chat.userId ? [item.chat.userId] : []), ...(payload.kind === 'file' ? [] : (payload.atUserIds ?? []))];
  return {
    direction: 'out',
    chatId: item.chat.conversationId,
    chatType: item.chat.conversationType,
    kind: auditKind(payload, progress),
    ...(recipients.length > 0 ? { recipients } : {}),
    ...(content !== undefined ? { chars: content.length, bytes: Buffer.byteLength(content) } : {}),
    ...(progress?.upload ? { bytes: progress.upload.bytes } : {}),
    result: 'via' in result ? { ok: true, via: result.via } : { ok: false, code: result.failed.code },
    ref: item.id,
    ...(content !== undefined ? { content } : payload.kind === 'file' ? { content: payload.fileName } : {}),
  };
}

/** What went: a message's kind, `card` (or its plain reply's kind when that went instead), `image` or `file`. */
function auditKind(payload: OutboxPayload, progress: ItemProgress | undefined): string {
  if (payload.kind === 'message') return payload.message.kind;
  if (payload.kind === 'card') return progress?.plain ? payload.fallback.kind : 'card';
  return progress?.upload?.type === 'image' ? 'image' : 'file';
}

function messageText(message: OutboundMessage): string {
  switch (message.kind) {
    case 'text':
      return message.content;
    case 'markdown':
    case 'link':
    case 'actionCard':
      return `${message.title}\n${message.text}`;
    case 'image':
      return message.photoUrl;
    case 'file':
      return message.fileName;
  }
}

function safely(log: Logger, call: () => void): void {
  try {
    call();
  } catch (err) {
    log.error('An outbox callback threw', { error: err });
  }
}
