/**
 * Hands DingTalk messages to CCCC durably: each `send` is journaled before the first attempt,
 * retried with backoff while the daemon is down or restarting, and idempotent through its
 * client id — so every message reaches CCCC at least once (journal) and at most once (the
 * daemon dedups on client id). A bridge restart resumes what was not yet delivered.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { toProblem, type Problem } from '../../errors';
import { silentLogger, type Logger } from '../../log/logger';
import { backoffDelay, type BackoffPolicy } from '../../util/backoff';
import { Journal } from '../../util/journal';
import { chatAddressSchema, type ChatAddress } from '../outbox/item';
import type { GroupPort, SendToGroup } from '../ports';

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
  }),
});

type Entry = z.infer<typeof entrySchema>;

export interface GroupDeliveryOptions {
  stateDir: string;
  group: GroupPort;
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
  /** The journal could not be written (a full disk, …); delivery waits and tries again. */
  onLocalFailure?(err: unknown): void;
}

export const INBOX_JOURNAL = 'inbox.jsonl';

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

  private constructor(
    private readonly journal: Journal<Entry>,
    private readonly options: GroupDeliveryOptions,
  ) {
    this.log = (options.logger ?? silentLogger).child('inbox');
    this.now = options.now ?? Date.now;
    this.backoff = options.backoff ?? { baseMs: 500, capMs: 30_000, jitterMs: 250 };
  }

  static async open(options: GroupDeliveryOptions): Promise<GroupDelivery> {
    const journal = await Journal.open<Entry>({ path: join(options.stateDir, INBOX_JOURNAL), schema: entrySchema, logger: options.logger });
    const delivery = new GroupDelivery(journal, options);
    if (journal.pendingCount > 0) delivery.kick();
    return delivery;
  }

  get depth(): number {
    return this.journal.pendingCount;
  }

  /** Resolves once the message is journaled; delivery continues in the background. */
  async deliver(send: SendToGroup, chat: ChatAddress): Promise<void> {
    await this.journal.append([{ id: send.clientId, data: { chat, send, receivedAt: this.now() } }]);
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
      const { chat, send, receivedAt } = next.data;
      let sent: { eventId: string; replayed: boolean };
      try {
        sent = await this.options.group.send(send);
      } catch (err) {
        const problem = toProblem(err, 'cccc.unavailable');
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
