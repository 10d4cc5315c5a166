/**
 * The bridge's own words to a chat (answers to commands, notices), queued in the outbox like
 * agents' messages so they keep the chat's order and its rate.
 */
import { randomUUID } from 'node:crypto';
import type { OutboundMessage } from '../dingtalk/outbound-message';
import type { Logger } from '../log/logger';
import type { ChatAddress } from './chat-address';
import type { ChatReach } from './chat-reach';
import type { Outbox, OutboxItem, OutboxPayload } from './outbox';
import type { CardPayload } from './outbox/item';

export class ChatReplies {
  constructor(
    private readonly outbox: Pick<Outbox, 'enqueue'>,
    private readonly reach: Pick<ChatReach, 'address'>,
    private readonly log: Logger,
  ) {}

  /** An outbox item with a fresh id; callers that may repeat a notice replace the id with a derived one. */
  item(chat: ChatAddress, message: OutboundMessage, mention?: string[]): OutboxItem {
    return this.wrap(chat, { kind: 'message', message, ...(mention?.length ? { atUserIds: mention } : {}) });
  }

  /** Queues a reply; rejects when the outbox could not keep it (e.g. a full disk). */
  async send(chat: ChatAddress, message: OutboundMessage, mention?: string[]): Promise<void> {
    await this.outbox.enqueue([this.item(chat, message, mention)]);
  }

  /** Queues a card with buttons, its plain reply inside for where it cannot go; rejects like send(). */
  async card(chat: ChatAddress, card: CardPayload): Promise<void> {
    await this.outbox.enqueue([this.wrap(chat, card)]);
  }

  private wrap(chat: ChatAddress, payload: OutboxPayload): OutboxItem {
    return { id: `reply:${randomUUID()}`, chat, payload, createdAt: Date.now() };
  }

  /** Queues a text; a failure is logged, not thrown (nobody could act on it). */
  async text(chat: ChatAddress, text: string): Promise<void> {
    try {
      await this.send(chat, { kind: 'text', content: text });
    } catch (err) {
      this.log.error('Could not queue a reply', { error: err, chat: chat.conversationId });
    }
  }

  /** A chat's address, for chats the bridge tells something unprompted (bridge/chat-reach.ts). */
  addressOf(chatId: string): Promise<ChatAddress | undefined> {
    return this.reach.address(chatId);
  }
}
