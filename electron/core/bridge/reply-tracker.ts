/**
 * The one place the two directions meet about a conversation: a person's message, once CCCC has
 * it, is noted under the ledger event it became (who asked, which DingTalk message shows 🤔);
 * outbound asks whom to @-mention when an agent answers that event, and says when agents have
 * spoken to the people so the 🤔 comes off. The 🤔 goes on once an agent has the message: with
 * CCCC's delivery evidence when the daemon writes it (bridge/delivery-watch.ts), else as soon as
 * it is in the ledger. In memory and bounded: after a restart an answer simply carries no extra
 * mention.
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
  /** Ledger event id of a person's message → its DingTalk message, until an agent has it. */
  private readonly waiting = new BoundedMap<string, { msgId: string; chatId: string }>(MAX_THINKING);
  /** Ledger event id of a person's message → the DingTalk message showing 🤔 until an agent answers. */
  private readonly thinking = new BoundedMap<string, { msgId: string; chatId: string }>(MAX_THINKING);

  constructor(private readonly options: ReplyTrackerOptions) {}

  /** A person's message reached CCCC's ledger as event `eventId`; no agent has it yet. */
  inLedger(eventId: string, send: SendToGroup, chat: ChatAddress): void {
    const staffId = send.mentionUserIds[0];
    if (staffId) this.asked.set(eventId, { chatId: chat.conversationId, staffId });
    this.waiting.set(eventId, { msgId: send.msgId, chatId: chat.conversationId });
  }

  /** An agent has the message of ledger event `eventId`: it shows 🤔 (once). */
  accepted(eventId: string): void {
    const message = this.waiting.get(eventId);
    if (!message) return;
    this.waiting.delete(eventId);
    if (!this.options.thinkingReaction()) return;
    this.thinking.set(eventId, message);
    this.options.react(message.msgId, message.chatId, true);
  }

  /** A person's message reached CCCC, and the daemon says nothing about delivery (CCCC 0.4.35rc1). */
  delivered(eventId: string, send: SendToGroup, chat: ChatAddress): void {
    this.inLedger(eventId, send, chat);
    this.accepted(eventId);
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
