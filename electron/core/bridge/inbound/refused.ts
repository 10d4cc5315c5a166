/**
 * People's messages the bridge could not keep (the disk was full), so did not ACK: DingTalk
 * sends each again on its own timer, in no promised order. A chat's later message must not
 * overtake an earlier refused one, so it is refused too until the earlier one is taken — for a
 * while only: DingTalk stops redelivering at some point, and then the chat must not stay stuck.
 */
import type { InboundMessage } from '../../dingtalk/inbound-message';

interface Refusal {
  createAt: number;
  /** When it was last refused; stale refusals stop holding the chat up. */
  at: number;
}

export class RefusedMessages {
  private readonly byChat = new Map<string, Map<string, Refusal>>();

  constructor(
    private readonly holdMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many messages wait to be sent again. */
  get size(): number {
    let n = 0;
    for (const chat of this.byChat.values()) n += chat.size;
    return n;
  }

  refuse(m: InboundMessage): void {
    const chat = this.byChat.get(m.conversationId) ?? new Map<string, Refusal>();
    chat.set(m.msgId, { createAt: m.createAt, at: this.now() });
    this.byChat.set(m.conversationId, chat);
  }

  taken(m: InboundMessage): void {
    const chat = this.byChat.get(m.conversationId);
    chat?.delete(m.msgId);
    if (chat?.size === 0) this.byChat.delete(m.conversationId);
  }

  clear(): void {
    this.byChat.clear();
  }

  /** An earlier message of the same chat is still out: taking this one now would reorder them. */
  overtakes(m: InboundMessage): boolean {
    const chat = this.byChat.get(m.conversationId);
    if (!chat) return false;
    const now = this.now();
    for (const [msgId, r] of chat) {
      if (now - r.at > this.holdMs) chat.delete(msgId);
      else if (msgId !== m.msgId && r.createAt < m.createAt) return true;
    }
    return false;
  }
}
