/**
 * The one place the two directions meet about a conversation: a person's message, once CCCC has
 * it, is noted under the ledger event it became (who asked, which DingTalk message shows 🤔);
 * outbound asks whom to @-mention when an agent answers that event, and says when agents have
 * spoken to the people so the 🤔 comes off. In memory and bounded: after a restart an answer
 * simply carries no extra mention.
 */
import type { ChatAddress } from './chat-address';
import type { SendToGroup } from './ports';

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
  private readonly asked = new Map<string, Asker>();
  /** Ledger event id of a person's message → the DingTalk message showing 🤔 until an agent answers. */
  private readonly thinking = new Map<string, { msgId: string; chatId: string }>();

  constructor(private readonly options: ReplyTrackerOptions) {}

  /** A person's message reached CCCC as ledger event `eventId`. */
  delivered(eventId: string, send: SendToGroup, chat: ChatAddress): void {
    const staffId = send.mentionUserIds[0];
    if (staffId) remember(this.asked, eventId, { chatId: chat.conversationId, staffId }, MAX_ASKED);
    if (this.options.thinkingReaction()) {
      remember(this.thinking, eventId, { msgId: send.msgId, chatId: chat.conversationId }, MAX_THINKING);
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

/** Adds an entry, dropping the oldest once over `max`. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}
