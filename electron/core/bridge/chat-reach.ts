/**
 * How to reach a chat, including one that never wrote to this bridge: authorized in CCCC's Web
 * UI, with `cccc im bind`, by CCCC's own bridge or by another profile before this bridge ran.
 * What is known of the chat, in order: the bridge's chat directory (the chat wrote here), then
 * CCCC's own DingTalk bridge's record of it. A chat neither knows is taken for a group, as CCCC's
 * own bridge takes it (`ports/im/adapters/dingtalk_session.py` `is_group`): a group's
 * conversation id is all OpenAPI needs. Only a single chat whose person's staff id is unknown
 * cannot be reached — OpenAPI sends single-chat messages to a person — until someone writes in it.
 */
import { readCcccDingTalkChats, type CcccDingTalkChat } from '../cccc/im-state/dingtalk-sessions';
import { own } from '../util/own';
import type { ChatAddress } from './chat-address';
import type { ChatDirectory, ChatRecord } from './chat-directory';

/** A chat's address from what is known of it; undefined when it cannot be reached yet. */
export function addressOf(
  chatId: string,
  known: Pick<ChatRecord, 'conversationType' | 'userId'> | undefined,
  cccc: CcccDingTalkChat | undefined,
): ChatAddress | undefined {
  const type = known?.conversationType ?? cccc?.type ?? 'group';
  if (type === 'group') return { conversationId: chatId, conversationType: 'group' };
  const userId = known?.userId ?? cccc?.staffId;
  return userId ? { conversationId: chatId, conversationType: 'single', userId } : undefined;
}

export class ChatReach {
  constructor(
    private readonly chats: Pick<ChatDirectory, 'chats'>,
    /** The group's folder, where CCCC's own bridge keeps its record of chats. */
    private readonly groupDir: string,
  ) {}

  /** The addresses of these chats; one that cannot be reached yet has none. */
  async addresses(chatIds: Iterable<string>): Promise<Map<string, ChatAddress>> {
    const ids = [...chatIds];
    const directory = await this.chats.chats();
    // CCCC's record is read only for chats this bridge has not met (rare after the first message).
    const cccc = ids.some((id) => !own(directory, id)) ? await readCcccDingTalkChats(this.groupDir) : new Map<string, CcccDingTalkChat>();
    const out = new Map<string, ChatAddress>();
    for (const id of ids) {
      const address = addressOf(id, own(directory, id), cccc.get(id));
      if (address) out.set(id, address);
    }
    return out;
  }

  async address(chatId: string): Promise<ChatAddress | undefined> {
    return (await this.addresses([chatId])).get(chatId);
  }
}
