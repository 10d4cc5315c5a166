/**
 * The one place the two directions meet about a conversation: a person's message, once CCCC has
 * it, is noted under the ledger event it became (who asked, which DingTalk message shows 🤔);
 * outbound asks whom to @-mention when an agent answers that event, and says when agents have
 * spoken to the people so the 🤔 comes off. In memory and bounded: after a restart an answer
 * simply carries no extra mention.
 */
import type { ChatAddress } from './chat-address';
import type { SendToGroup } from './ports';
import { BoundedMap } from '../util/bounded';

export interface Asker {
  chatId: string;
  staffId: string;
}

export interface ReplyTrackerOptions {
  /** Whether a delivered message gets the 🤔 reaction (a setting, read each time). */
  thinkingReaction(): boolean;
  /** Shows or takes off the reaction; best effort, never throws. */
  react(msgId: string, chatId: string, on: boolean): void;
}

const MAX_ASKED = 2_000;
const MAX_THINKING = 200;

export class ReplyTracker {
  /** Ledger event id of a person's message → the person, to @-mention them in the answer. */
  private readonly asked = new BoundedMap<string, Asker>(MAX_ASKED);
  /** Ledger event id of a person's message → the DingTalk message showing 🤔 until an agent answers. */
  private readonly thinking = new BoundedMap<string, { msgId: string; chatId: string }>(MAX_THINKING);

  constructor(private readonly options: ReplyTrackerOptions) {}

  /** A person's message reached CCCC as ledger event `eventId`. */
  delivered(eventId: string, send: SendToGroup, chat: ChatAddress): void {
    const staffId = send.mentionUserIds[0];
    if (staffId) this.asked.set(eventId, { chatId: chat.conversationId, staffId });
    if (this.options.thinkingReaction()) {
      this.thinking.set(eventId, { msgId: send.msgId, chatId: chat.conversationId });
      this.options.react(send.msgId, chat.conversationId, true);
    }
  }

  /** Who asked what ledger event `eventId` holds, if a person in a chat did. */
  askedBy(eventId: string): Asker | undefined {
    return this.asked.get(eventId);
  }

  /** An agent spoke to the people: every 🤔 comes off. */
  agentsAnswered(): void {
    for (const { msgId, chatId } of this.thinking.values()) this.options.react(msgId, chatId, false);
    this.thinking.clear();
  }
}
