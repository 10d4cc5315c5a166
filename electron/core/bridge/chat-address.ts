/**
 * Where a message to DingTalk goes: shared by inbound (replies, deliveries to CCCC that remember
 * their chat) and the outbox, so neither direction reaches into the other's modules for it.
 */
import { z } from 'zod';
import type { InboundMessage } from '../dingtalk/inbound-message';

export interface ChatAddress {
  conversationId: string;
  conversationType: 'single' | 'group';
  /** Single chats: the staffId to send to (OpenAPI single-chat send needs it). */
  userId?: string;
}

export const chatAddressSchema: z.ZodType<ChatAddress> = z.object({
  conversationId: z.string().min(1),
  conversationType: z.enum(['single', 'group']),
  userId: z.string().min(1).optional(),
});

/** Where replies to a message go. */
export function chatAddressOf(m: InboundMessage): ChatAddress {
  const chat: ChatAddress = { conversationId: m.conversationId, conversationType: m.conversationType };
  if (m.conversationType === 'single' && m.sender.staffId) chat.userId = m.sender.staffId;
  return chat;
}
