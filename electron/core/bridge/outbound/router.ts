/**
 * Outbound: ledger events → DingTalk messages for every subscribed chat that wants them, and
 * streams → live cards (bridge/cards) for the chats that should watch them.
 * Item ids derive from the event id, so replaying events after a crash enqueues nothing twice.
 * The caller moves the ledger cursor only after `route` resolves (the outbox and the live cards'
 * records are durable then).
 */
import { blobFileName } from '../../cccc/blobs/sanitize';
import type { LedgerEvent } from '../../cccc/ledger/event';
import { silentLogger, type Logger } from '../../log/logger';
import type { ChatAddress } from '../chat-address';
import type { ChatReach } from '../chat-reach';
import type { OutboxItem } from '../outbox/item';
import type { SubscriberFlags } from '../ports';
import type { CardChat, LiveCardsPort, StreamEvent } from '../cards/live-cards';
import type { BlobPort, ImStatePort } from '../ports';
import { readAgentEvent, wantsEvent, type AgentEvent } from './agent-event';
import { formatAgentEvent, speaker, type FormatContext, type MessageEvent } from './format';
import type { HeldMessages } from './held';
import { formatReplyRequest } from './reply-request';
import { CONVERSATION, type ConversationTexts } from '../../i18n/conversation';

export interface RouterDeps {
  im: ImStatePort;
  reach: Pick<ChatReach, 'addresses'>;
  blobs: BlobPort;
  held: HeldMessages;
  /** Actor id → title, for sender labels. */
  titles(): Promise<Map<string, string>>;
  /** Who speaks in CCCC's notices, in the chats' language. */
  systemLabel(): string;
  /** The group's title, before every speaker's, when the robot serves several groups. */
  groupLabel?: string;
  enqueue(items: OutboxItem[]): Promise<void>;
  /** Who to @-mention in a chat when an agent answers event `replyTo` (the person who asked). */
  askedBy(replyTo: string): { chatId: string; staffId: string } | undefined;
  /** The words around an agent's question to the people (the chat's language); default English. */
  conversation?: () => ConversationTexts;
  /** Live cards for streams; without them streams are ignored and their final messages sent as usual. */
  cards?: LiveCardsPort;
  logger?: Logger;
  now?: () => number;
}

export class OutboundRouter {
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly deps: RouterDeps) {
    this.log = (deps.logger ?? silentLogger).child('outbound');
    this.now = deps.now ?? Date.now;
  }

  /**
   * Queues (or holds) what each chat gets of these events. `beforeSending` hears, before anything
   * is queued, which chats each agent's question to the people goes to (held ones not counted:
   * not seen yet) — so an answer can never arrive before the question is noted.
   */
  async route(events: LedgerEvent[], beforeSending: (shown: Map<string, string[]>) => Promise<void> = async () => undefined): Promise<void> {
    // A card opened by this batch waits for the chat's earlier messages, this batch's among them,
    // which reach the outbox only at the end (bridge/cards/live-cards.ts).
    let queued: (done: boolean) => void = () => undefined;
    const batchQueued = new Promise<boolean>((resolve) => (queued = resolve));
    try {
      await this.routeBatch(events, beforeSending, batchQueued);
      queued(true);
    } catch (err) {
      queued(false);
      throw err;
    }
  }

  private async routeBatch(
    events: LedgerEvent[],
    beforeSending: (shown: Map<string, string[]>) => Promise<void>,
    batchQueued: Promise<boolean>,
  ): Promise<void> {
    const shown = new Map<string, string[]>();
    const agentEvents = events.map(readAgentEvent).filter((e): e is AgentEvent => e !== undefined);
    if (agentEvents.length === 0) return beforeSending(shown);
    const [subscribers, titles] = await Promise.all([this.deps.im.subscribers(), this.deps.titles()]);
    const subscribed = [...subscribers].filter(([, flags]) => flags.subscribed);
    const addresses = await this.deps.reach.addresses(subscribed.map(([chatId]) => chatId));
    const { groupLabel } = this.deps;
    const speaker = (name: string): string => (groupLabel ? `${groupLabel} · ${name}` : name);
    const ctx: FormatContext = { title: (id: string) => speaker(titles.get(id) ?? id), systemLabel: speaker(this.deps.systemLabel()) };
    // Streams first: a card must exist before the message completing its stream (same batch) is routed.
    for (const event of agentEvents) if (event.kind === 'stream') await this.stream(event, subscribed, addresses, ctx, batchQueued);
    const live: OutboxItem[] = [];
    const settles: { streamId: string; chatId: string; text: string; items: OutboxItem[] }[] = [];
    const held = new Map<string, OutboxItem[]>();
    for (const [chatId, flags] of subscribed) {
      const chat = addresses.get(chatId);
      if (!chat) {
        // Counted for the dashboard, `status` and `doctor` (bridge/inspection.ts); here only logged.
        this.log.debug('A subscribed single chat cannot be reached until someone writes in it', { chat: chatId });
        continue;
      }
      const items: OutboxItem[] = [];
      for (const event of agentEvents) {
        if (event.kind === 'stream' || !wantsEvent(event, flags)) continue;
        const eventItems = await this.itemsFor(event, chat, ctx);
        // A chat that watched the card (paused since, maybe) gets the message only if the card failed.
        if (event.kind === 'message' && event.streamId && this.deps.cards?.covers(event.streamId, chatId)) {
          settles.push({ streamId: event.streamId, chatId, text: event.text, items: eventItems });
        } else items.push(...eventItems);
        if (event.kind === 'message' && event.requestsReply && !flags.paused) shown.set(event.id, [...(shown.get(event.id) ?? []), chatId]);
      }
      if (flags.paused) held.set(chatId, items);
      else live.push(...items);
    }
    await beforeSending(shown);
    for (const s of settles) await this.deps.cards?.settle(s.streamId, s.chatId, s.text, s.items);
    for (const [chatId, items] of held) await this.deps.held.hold(chatId, items);
    if (live.length) await this.deps.enqueue(live);
  }

  /** A stream's start opens a card in each chat that would get its message (not paused ones); the rest goes to the cards it opened. */
  private async stream(
    event: StreamEvent,
    subscribed: [string, SubscriberFlags][],
    addresses: Map<string, ChatAddress>,
    ctx: FormatContext,
    batchQueued: Promise<boolean>,
  ): Promise<void> {
    const cards = this.deps.cards;
    if (!cards) return;
    if (event.op === 'update') return cards.update(event);
    if (event.op === 'end') return cards.end(event);
    const named: FormatContext = { ...ctx, title: (id) => (id === event.by && event.senderTitle ? event.senderTitle : ctx.title(id)) };
    const chats: CardChat[] = [];
    for (const [chatId, flags] of subscribed) {
      const chat = addresses.get(chatId);
      if (chat && !flags.paused && wantsEvent(event, flags)) chats.push({ chat, label: speaker(event, named) });
    }
    await cards.start(event, chats, batchQueued);
  }

  private async itemsFor(event: MessageEvent, chat: ChatAddress, ctx: FormatContext): Promise<OutboxItem[]> {
    const formatted =
      event.kind === 'message' && event.requestsReply
        ? { messages: formatReplyRequest(event, ctx, (this.deps.conversation ?? (() => CONVERSATION.en))()), files: event.attachments }
        : formatAgentEvent(event, ctx);
    const createdAt = this.now();
    const base = `${event.id}:${chat.conversationId}`;
    const atUserIds = chat.conversationType === 'group' && event.kind === 'message' ? this.mentions(event, chat.conversationId) : [];
    const items: OutboxItem[] = formatted.messages.map((message, i) => ({
      id: `${base}:${i}`,
      chat,
      // Mention only once, on the first chunk.
      payload: { kind: 'message', message, ...(i === 0 && atUserIds.length ? { atUserIds } : {}) },
      createdAt,
      sourceEventId: event.id,
    }));
    for (const [i, file] of formatted.files.entries()) {
      const path = await this.deps.blobs.resolve(file.path);
      if (!path) {
        this.log.warn('Skipped an attachment outside the group directory', { event: event.id, path: file.path });
        continue;
      }
      // The title CCCC keeps is the readable name; the blob's own name is sanitized (周报.pdf → file.pdf).
      const fileName = file.title?.trim() || blobFileName(file.path);
      items.push({ id: `${base}:file${i}`, chat, payload: { kind: 'file', path, fileName }, createdAt, sourceEventId: event.id });
    }
    return items;
  }

  private mentions(event: Extract<AgentEvent, { kind: 'message' }>, chatId: string): string[] {
    const asked = event.replyTo ? this.deps.askedBy(event.replyTo) : undefined;
    const ids = new Set(event.mentionUserIds);
    if (asked && asked.chatId === chatId) ids.add(asked.staffId);
    return [...ids];
  }
}
