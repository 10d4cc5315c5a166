/**
 * People's messages the bridge could not keep (the disk was full), so did not ACK: DingTalk
 * sends each again on its own timer, in no promised order. A chat's later message must not
 * overtake an earlier refused one, so it is refused too until the earlier one is taken — for a
 * while only: DingTalk stops redelivering at some point, and then the chat must not stay stuck.
 * They are kept in memory too, so that once there is room they can be taken in order even if
 * DingTalk has given up on them (a redelivery after that is a duplicate the journal skips).
 */
import type { InboundMessage } from '../../dingtalk/inbound-message';

interface Refusal {
  message: InboundMessage;
  /** Arrival order: breaks ties between messages created in the same millisecond. */
  seq: number;
  /** When it was last refused; stale refusals stop holding the chat up. */
  at: number;
}

export class RefusedMessages {
  private readonly byChat = new Map<string, Map<string, Refusal>>();
  private seq = 0;

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
    chat.set(m.msgId, { message: m, seq: chat.get(m.msgId)?.seq ?? ++this.seq, at: this.now() });
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

  /**
   * An earlier message of the same chat is still out: taking this one now would reorder them.
   * One not refused before arrived after all refused ones, so it is later unless created earlier.
   */
  overtakes(m: InboundMessage): boolean {
    const chat = this.byChat.get(m.conversationId);
    if (!chat) return false;
    const now = this.now();
    const self = chat.get(m.msgId);
    const key = { createAt: m.createAt, seq: self?.seq ?? Infinity };
    for (const [msgId, r] of chat) {
      if (now - r.at > this.holdMs) chat.delete(msgId);
      else if (msgId !== m.msgId && before({ createAt: r.message.createAt, seq: r.seq }, key)) return true;
    }
    if (chat.size === 0) this.byChat.delete(m.conversationId);
    return false;
  }

  /** Every refused message, oldest first within each chat. */
  all(): InboundMessage[] {
    return [...this.byChat.values()].flatMap((chat) =>
      [...chat.values()]
        .sort((a, b) => (before({ createAt: a.message.createAt, seq: a.seq }, { createAt: b.message.createAt, seq: b.seq }) ? -1 : 1))
        .map((r) => r.message),
    );
  }
}

function before(a: { createAt: number; seq: number }, b: { createAt: number; seq: number }): boolean {
  return a.createAt < b.createAt || (a.createAt === b.createAt && a.seq < b.seq);
}
