import type { CardSpace } from '../../dingtalk/card-api';
import type { ChatAddress } from '../chat-address';

/**
 * Where DingTalk shows a card for a chat (docs/dingtalk-protocol.md, "Cards"): a group by its
 * conversation id; a single chat only by its person's staff id, which a chat may not have yet.
 */
export function cardSpaceOf(chat: ChatAddress): CardSpace | undefined {
  if (chat.conversationType === 'group') return { kind: 'group', openConversationId: chat.conversationId };
  return chat.userId ? { kind: 'single', staffId: chat.userId } : undefined;
}
