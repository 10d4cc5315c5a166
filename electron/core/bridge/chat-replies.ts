/**
 * The bridge's own words to a chat (answers to commands, notices), queued in the outbox like
 * agents' messages so they keep the chat's order and its rate.
 */
import { randomUUID } from 'node:crypto';
import type { OutboundMessage } from '../dingtalk/outbound-message';
import type { Logger } from '../log/logger';
import type { ChatAddress } from './chat-address';
import type { ChatDirectory } from './chat-directory';
import type { Outbox, OutboxItem } from './outbox';

export class ChatReplies {
  constructor(
    private readonly outbox: Pick<Outbox, 'enqueue'>,
    private readonly chats: Pick<ChatDirectory, 'chat'>,
    private readonly log: Logger,
  ) {}

  /** An outbox item with a fresh id; callers that may repeat a notice replace the id with a derived one. */
  item(chat: ChatAddress, message: OutboundMessage, mention?: string[]): OutboxItem {
    return {
      id: `reply:${randomUUID()}`,
      chat,
      payload: { kind: 'message', message, ...(mention?.length ? { atUserIds: mention } : {}) },
      createdAt: Date.now(),
    };
  }

  /** Queues a reply; rejects when the outbox could not keep it (e.g. a full disk). */
  async send(chat: ChatAddress, message: OutboundMessage, mention?: string[]): Promise<void> {
    await this.outbox.enqueue([this.item(chat, message, mention)]);
  }

  /** Queues a text; a failure is logged, not thrown (nobody could act on it). */
  async text(chat: ChatAddress, text: string): Promise<void> {
    try {
      await this.send(chat, { kind: 'text', content: text });
    } catch (err) {
      this.log.error('Could not queue a reply', { error: err, chat: chat.conversationId });
    }
  }

  /** A chat's reply address from the directory, for chats the bridge answers unprompted. */
  async addressOf(chatId: string): Promise<ChatAddress | undefined> {
    const record = await this.chats.chat(chatId);
    return record ? { conversationId: chatId, conversationType: record.conversationType, ...(record.userId ? { userId: record.userId } : {}) } : undefined;
  }
}
