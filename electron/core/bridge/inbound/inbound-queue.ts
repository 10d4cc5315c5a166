/**
 * DingTalk messages between their arrival and CCCC. DingTalk never sends an ACKed message again,
 * so the Stream client ACKs a message only once `accept()` has journaled it (a millisecond);
 * it is then handled in order per chat and marked done only after the handler finished (by then
 * a `send` is in the delivery journal). A crash in between replays it on the next start; the
 * daemon's client-id dedup keeps the replay from doubling it in CCCC.
 *
 * A message whose handling failed on a local write (the disk is full) is not marked done: its
 * chat waits and handles it again, in order, until it goes through (see ChatLanes).
 */
import { join } from 'node:path';
import { inboundMessageSchema, type InboundMessage } from '../../dingtalk/inbound-message';
import type { Logger } from '../../log/logger';
import { Journal } from '../../util/journal';
import { ChatLanes } from '../../util/chat-lanes';

/**
 * DingTalk messages received (ACKed) but not yet handled. Historical file name, kept: state
 * directories written by earlier versions hold it.
 */
export const RECEIVED_JOURNAL = 'inbound.jsonl';

/** A received message in its chat's lane; `id` is its msgId. */
interface QueuedMessage {
  id: string;
  message: InboundMessage;
}

export class InboundQueue {
  private readonly lanes: ChatLanes<QueuedMessage>;

  private constructor(
    private readonly journal: Journal<InboundMessage>,
    handle: (m: InboundMessage) => Promise<void>,
    log?: Logger,
    onStuck?: (err: unknown, m: InboundMessage) => void,
  ) {
    this.lanes = new ChatLanes<QueuedMessage>(
      (queued) => queued.message.conversationId,
      async (queued) => {
        await handle(queued.message);
        await this.journal.markDone([queued.id]);
        return true;
      },
      (err, queued) => {
        log?.error('An inbound message waits after an error; it will be handled again', { msgId: queued.id, error: err });
        onStuck?.(err, queued.message);
      },
    );
  }

  static async open(options: {
    stateDir: string;
    handle: (m: InboundMessage) => Promise<void>;
    logger?: Logger;
    /** Handling a message failed (it stays pending and is tried again). */
    onStuck?: (err: unknown, m: InboundMessage) => void;
  }): Promise<InboundQueue> {
    const journal = await Journal.open<InboundMessage>({
      path: join(options.stateDir, RECEIVED_JOURNAL),
      schema: inboundMessageSchema,
      logger: options.logger,
    });
    return new InboundQueue(journal, options.handle, options.logger, options.onStuck);
  }

  /** Journals and queues a message; a msgId seen recently (a redelivery) is ignored. */
  async accept(message: InboundMessage): Promise<void> {
    const added = await this.journal.append([{ id: message.msgId, data: message }]);
    if (added.length) this.lanes.push([{ id: message.msgId, message }]);
  }

  /** Handles what a previous run accepted but did not finish. */
  replay(): number {
    const pending = this.journal.pending();
    this.lanes.push(pending.map((e) => ({ id: e.id, message: e.data })));
    return pending.length;
  }

  /** Chats waiting after a failure try again now (e.g. disk space returned). */
  retryNow(): void {
    this.lanes.retryNow();
  }

  get depth(): number {
    return this.journal.pendingCount;
  }

  /** Journal lines damaged while the bridge was stopped (kept aside in `<journal>.rejected`). */
  get damagedLines(): readonly string[] {
    return this.journal.rejectedLines;
  }

  idle(): Promise<void> {
    return this.lanes.idle();
  }

  async close(): Promise<void> {
    await this.lanes.stop();
    await this.journal.close();
  }
}
