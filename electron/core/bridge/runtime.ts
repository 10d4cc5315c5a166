/**
 * The running bridge: every service that exists only between `start()` and `stop()`, built
 * together and torn down together, so none of them is ever half there. Read it as two paths
 * that meet only in the ReplyTracker, SessionWebhooks, DeliveryWatch and ReplyRequests:
 *
 * - inbound: DingTalk message → `received` (journal) → `handler` (access, commands; asks
 *   `requests` which question a message answers) → `delivery` (durable sends to CCCC) →
 *   `deliveries.inLedger(...)`;
 * - outbound: ledger → `follower` → `fanout` (per subscribed chat, or `held` while paused) →
 *   `outbox` (routes through `webhooks` while valid) → DingTalk, and streams → `cards` (live AI
 *   cards, which hold back a streamed answer's message until their outcome); `replies` says whom to mention
 *   and when the 🤔 comes off, `requests` notes the agents' questions and their answers, and
 *   `deliveries` reads the delivery evidence (🤔 on, or the person told why nobody got it).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { resolveChatText } from '../cccc/ledger/chat-text';
import type { LedgerEvent } from '../cccc/ledger/event';
import { LedgerFollower } from '../cccc/ledger/follower';
import { findClientIds } from '../cccc/ledger/scan';
import { isAllowedWebhook, type DingTalkEndpoints } from '../dingtalk/endpoints';
import { CardApi } from '../dingtalk/card-api';
import type { DingTalkApi } from '../dingtalk/openapi-client';
import type { InboundMessage } from '../dingtalk/inbound-message';
import { toProblem, type Problem } from '../errors';
import type { DaemonFeatures } from '../cccc/daemon/features';
import { CONVERSATION } from '../i18n/conversation';
import { DeliveryWatch } from './delivery-watch';
import { openRequestsMarkdown } from './outbound/reply-request';
import { LEDGER_CURSOR_FILE } from './group-state';
import { ReplyRequests } from './reply-requests';
import type { AuditLog } from '../log/audit';
import type { Logger } from '../log/logger';
import type { DiskSpace } from '../util/disk-space';
import type { ApiUsage } from './api-usage/api-usage';
import type { BlobPort, GroupPort, ImStatePort, PendingRequest } from './ports';
import type { BridgeServices } from './bridge';
import { chatAddressOf, type ChatAddress } from './chat-address';
import type { ChatDirectory } from './chat-directory';
import type { ChatReach } from './chat-reach';
import { LiveCards } from './cards/live-cards';
import { ChatReplies } from './chat-replies';
import { ChatControls } from './chat-controls';
import { ButtonCards } from './cards/button-cards';
import { CardPresses } from './cards/card-presses';
import { CardRegistry } from './cards/card-registry';
import type { CardPermissions } from './cards/card-permissions';
import { reportDamage } from './damage-report';
import { GroupDelivery, SENDS_TO_CCCC_JOURNAL } from './inbound/group-delivery';
import { InboundHandler } from './inbound/handler';
import { InboundQueue, RECEIVED_JOURNAL } from './inbound/inbound-queue';
import { Refusals } from './inbound/refusals';
import { agentsAnsweredPeople } from './outbound/agent-event';
import { HeldMessages } from './outbound/held';
import { OutboundRouter } from './outbound/router';
import { appBuckets, Outbox, OUTBOX_JOURNAL, type AppBuckets, type OutboxItem } from './outbox';
import { SETUP_PROBLEMS } from './outbox/retry';
import { REPLIES } from '../i18n/replies';
import { ReplyTracker } from './reply-tracker';
import { SessionWebhooks } from './session-webhooks';
import type { BridgeSettings } from './settings';

/** What the runtime is built from: the bridge's long-lived services, and how it reports back. */
export interface RuntimeContext {
  stateDir: string;
  groupDir: string;
  endpoints: DingTalkEndpoints;
  settings(): BridgeSettings;
  services: BridgeServices;
  log: Logger;
  api: DingTalkApi;
  group: GroupPort;
  im: ImStatePort;
  blobs: BlobPort;
  audit: AuditLog;
  chats: ChatDirectory;
  reach: ChatReach;
  space: DiskSpace;
  /**
   * The monthly API budget: whatever spends DingTalk calls on a card asks `cardAllowance()` first
   * (full, lean: fewer updates, plain: an ordinary message instead; bridge/api-usage/budget.ts).
   */
  usage: Pick<ApiUsage, 'cardAllowance'>;
  /** The app's card permissions, as last probed (one for every group of an app). */
  cardPermissions: CardPermissions;
  /** What the daemon supports (probed; rejects while CCCC is down). */
  features(): Promise<DaemonFeatures>;
  /** Records a problem for the dashboard. */
  fail(problem: Problem): void;
  onPending(request: PendingRequest, who: { chatTitle?: string; senderNick: string }): void;
  /** The app's approve and reject of a /subscribe request (Bridge.approve / Bridge.reject), for its card's buttons. */
  approve(key: string): Promise<unknown>;
  reject(key: string): Promise<unknown>;
  /** Handling a received message failed on a local write: the chat may be told its messages wait. */
  onReceivedStuck(err: unknown, chat: ChatAddress): void;
}

export interface BridgeRuntime {
  /** Session webhooks: remembered by inbound, used by the outbox. */
  readonly webhooks: SessionWebhooks;
  /** Who asked and which message shows 🤔: noted by inbound, read by outbound. */
  readonly replies: ReplyTracker;
  /** The bridge's own words to chats, through the outbox. */
  readonly say: ChatReplies;
  /** The agents' questions waiting for the people's answer: noted by outbound, read by inbound. */
  readonly requests: ReplyRequests;
  /** Whether each person's message reached an agent: noted by inbound, settled by outbound. */
  readonly deliveries: DeliveryWatch;
  readonly outbox: Outbox;
  readonly held: HeldMessages;
  /** Messages received from DingTalk, not yet handled (`inbound.jsonl`). */
  readonly received: InboundQueue;
  /** Sends to CCCC not yet confirmed (`inbox.jsonl`). */
  readonly delivery: GroupDelivery;
  readonly refusals: Refusals;
  readonly follower: LedgerFollower;
  /** Live AI cards for streamed answers (`live-cards.json`). */
  readonly cards: LiveCards;
  /** Cards with buttons: made by the outbox, redrawn after presses. */
  readonly buttons: ButtonCards;
  /** Presses of the buttons on the bridge's cards. */
  readonly presses: CardPresses;
}

/**
 * Opens the state journals, replays what a previous run left, starts following the ledger and
 * tells what damage was found on disk. Rejects (with everything opened closed again) when the
 * ledger cannot be followed.
 */
export async function openRuntime(ctx: RuntimeContext): Promise<BridgeRuntime> {
  const { log, space } = ctx;
  const t = () => REPLIES[ctx.settings().replyLanguage];
  const webhooks = new SessionWebhooks({ accepts: (url) => isAllowedWebhook(url, ctx.endpoints), logger: log });
  const replies = new ReplyTracker({
    // Past the budget the 🤔 (two calls per message) is left out before any message would be.
    thinkingReaction: () => ctx.settings().thinkingReaction && ctx.usage.cardAllowance() !== 'plain',
    react: (msgId, chatId, on) => react(ctx, msgId, chatId, on),
  });
  // Cards with buttons are outbox items: their maker must exist before the outbox resumes them.
  const registry = await CardRegistry.open(ctx.stateDir, log);
  // The app's buckets when it serves several groups (app-bridge.ts), else this group's own: the
  // outbox and the card calls outside it wait on the same ones.
  const buckets = ctx.services.outbox?.buckets ?? appBuckets(ctx.services.outbox?.qpsPerApi);
  const buttons = new ButtonCards({
    api: new CardApi(ctx.api),
    registry,
    settings: () => ({ enabled: ctx.settings().buttonCards, templateId: ctx.settings().buttonCardTemplateId }),
    allowance: () => ctx.usage.cardAllowance(),
    reply: (chat, message, mention) => say.send(chat, message, mention),
    queue: (chat, card) => say.card(chat, card),
    onUnavailable: (problem) => ctx.fail(problem),
    buckets,
    logger: log,
  });
  const outbox: Outbox = new Outbox({
    dir: ctx.stateDir,
    api: ctx.api,
    logger: log,
    audit: ctx.audit,
    webhooks,
    cards: buttons,
    ...ctx.services.outbox,
    buckets,
    onFailure: (item, problem) => onOutboxFailure(item, problem),
    onWaiting: (_item, problem) => ctx.fail(problem),
    onLocalFailure: (err) => space.noteFailure(err),
  });
  const say = new ChatReplies(outbox, ctx.reach, log);
  const deliveries = new DeliveryWatch({
    features: () => ctx.features(),
    group: ctx.group,
    replies,
    tell: (chat, message, mention) => void say.send(chat, message, mention),
    texts: () => CONVERSATION[ctx.settings().replyLanguage],
    ...(ctx.services.delivery?.pickupTimeoutMs ? { pickupTimeoutMs: ctx.services.delivery.pickupTimeoutMs } : {}),
    logger: log,
  });
  const onOutboxFailure = (item: OutboxItem, problem: Problem): void => {
    ctx.fail(problem);
    // Tell the chat, unless the failure is about reaching that chat at all.
    if (item.id.startsWith('notice:') || problem.code === 'dingtalk.invalid_user' || SETUP_PROBLEMS.has(problem.code)) return;
    void outbox
      .enqueue([{ ...say.item(item.chat, { kind: 'text', content: t().error(problem.message) }), id: `notice:${randomUUID()}` }])
      .catch(() => undefined);
  };
  const closers: Array<() => Promise<void>> = [async () => buttons.close()];
  try {
    await outbox.open();
    closers.push(() => outbox.close());
    const held = await HeldMessages.open(ctx.stateDir, 30, log);
    closers.push(() => held.close());
    const chatsRebuilt = await ctx.chats.check();
    const requests = await ReplyRequests.open(ctx.stateDir, { logger: log });
    closers.push(() => Promise.resolve(deliveries.close()));
    const sinks: Sinks = { webhooks, replies, say, outbox, held, requests, deliveries };
    const { delivery, received, refusals, presses } = await openInbound(ctx, sinks, closers, { registry, cards: buttons });
    const { follower, cards } = await openOutbound(ctx, sinks, closers, buckets);
    const runtime: BridgeRuntime = {
      webhooks,
      replies,
      say,
      requests,
      deliveries,
      outbox,
      held,
      received,
      delivery,
      refusals,
      follower,
      cards,
      buttons,
      presses,
    };
    await tellDamage(ctx, runtime, chatsRebuilt, follower.rebuilt);
    return runtime;
  } catch (err) {
    for (const close of closers.reverse()) await close().catch((e: unknown) => log.error('Could not close after a failed start', { error: e }));
    throw err;
  }
}

/** What both paths write to: the outbox (and the bridge's words through it), held messages, and the two meeting points. */
type Sinks = Pick<BridgeRuntime, 'webhooks' | 'replies' | 'say' | 'outbox' | 'held' | 'requests' | 'deliveries'>;

/**
 * Inbound: received messages are journaled, handled in order per chat (access, commands) and
 * handed to CCCC durably; refused ones are answered. Writes: replies, webhooks, the outbox.
 */
async function openInbound(
  ctx: RuntimeContext,
  sinks: Sinks,
  closers: Array<() => Promise<void>>,
  buttons: { registry: CardRegistry; cards: ButtonCards },
): Promise<Pick<BridgeRuntime, 'delivery' | 'received' | 'refusals' | 'presses'>> {
  const { log, space } = ctx;
  const { webhooks, say, outbox, held, requests, deliveries } = sinks;
  const t = () => REPLIES[ctx.settings().replyLanguage];
  const titles = actorTitles(ctx);
  const heldCount = (chatId: string): Promise<number> => held.count(chatId);
  const release = (chatId: string): Promise<void> => releaseHeld(held, outbox, say, t(), chatId);
  const { registry, cards } = buttons;
  const presses = new CardPresses({
    registry,
    cards,
    controls: new ChatControls({ group: ctx.group, im: ctx.im, heldCount, releaseHeld: release }),
    im: ctx.im,
    chats: ctx.chats,
    groupId: ctx.group.groupId,
    settings: () => {
      const s = ctx.settings();
      return { lang: s.replyLanguage, access: s.access, approvers: s.approvers };
    },
    approve: (key) => ctx.approve(key),
    reject: (key) => ctx.reject(key),
    audit: (entry) => ctx.audit.record(entry),
    logger: log,
  });
  const delivery = await GroupDelivery.open({
    stateDir: ctx.stateDir,
    group: ctx.group,
    findInLedger: (clientIds, sinceMs) => findClientIds(ctx.groupDir, 'user', clientIds, sinceMs),
    logger: log,
    ...ctx.services.delivery,
    onLocalFailure: (err) => space.noteFailure(err),
    onDelivered: (send, chat, eventId) => void deliveries.inLedger(eventId, send, chat),
    onDelayed: (_send, chat) => void say.text(chat, t().waitingForCccc()),
    onUnknownRecipient: (_send, chat, unknown, known) => void say.text(chat, t().noAgent(unknown, known)),
    onFailed: (_send, chat, problem) => void say.text(chat, t().deliveryFailed(problem.hint ? `${problem.message} — ${problem.hint}` : problem.message)),
  });
  closers.push(() => delivery.close());
  const handler = new InboundHandler({
    group: ctx.group,
    im: ctx.im,
    blobs: ctx.blobs,
    chats: ctx.chats,
    logger: log,
    settings: () => {
      const s = ctx.settings();
      const severalGroups = ctx.services.app?.severalGroups() ?? false;
      return { lang: s.replyLanguage, access: s.access, maxFileBytes: s.maxFileMb * 1024 * 1024, approvers: s.approvers, severalGroups };
    },
    download: async (file, robotCode, maxBytes) => (await ctx.api.downloadFile(file.downloadCode, { maxBytes, ...(robotCode ? { robotCode } : {}) })).body,
    reply: (chat, message, mention) => say.send(chat, message, mention),
    show: (chat, purpose, card, mention) => cards.show(chat, purpose, card.view, card.fallback, mention),
    deliver: (send, chat, recipients) => delivery.deliver(send, chat, recipients),
    heldCount,
    releaseHeld: release,
    onPending: (request, who) => ctx.onPending(request, who),
    answerTo: async (chatId, text, quote) => {
      const answer = await requests.answerIn(chatId, text, quote);
      return answer && { replyTo: answer.request.eventId, to: answer.request.by, text: answer.text };
    },
    openRequests: async (chatId) => {
      const names = await titles();
      return openRequestsMarkdown(
        await requests.openIn(chatId),
        { title: (id) => names.get(id) ?? id, systemLabel: t().systemLabel },
        CONVERSATION[ctx.settings().replyLanguage],
      );
    },
    audit: (entry) => ctx.audit.record(entry),
    ...(ctx.services.subscribeLimits ? { subscribeLimits: ctx.services.subscribeLimits } : {}),
  });
  const received = await InboundQueue.open({
    stateDir: ctx.stateDir,
    logger: log,
    handle: (m) => handler.handle(m),
    onStuck: (err, m: InboundMessage) => ctx.onReceivedStuck(err, chatAddressOf(m)),
  });
  closers.push(() => received.close());
  const replayed = received.replay();
  if (replayed) log.info('Handling messages received before the last stop', { count: replayed });
  const refusals = new Refusals({
    stateDir: ctx.stateDir,
    im: ctx.im,
    logger: log,
    settings: () => ({ lang: ctx.settings().replyLanguage, maxMessageChars: ctx.settings().maxMessageChars }),
    reply: (chat, text, mention) => say.send(chat, { kind: 'text', content: text }, mention),
    webhooks,
    problem: (problem) => ctx.fail(problem),
  });
  return { delivery, received, refusals, presses };
}

/**
 * Outbound: ledger events → items for each subscribed chat (held while it is paused) → the
 * outbox; the cursor moves only once they are durable. Reads replies for mentions and the 🤔.
 */
async function openOutbound(
  ctx: RuntimeContext,
  sinks: Sinks,
  closers: Array<() => Promise<void>>,
  buckets: AppBuckets,
): Promise<Pick<BridgeRuntime, 'follower' | 'cards'>> {
  const { log, space } = ctx;
  const { replies, outbox, held, requests, deliveries } = sinks;
  const cards = await LiveCards.open({
    stateDir: ctx.stateDir,
    cards: new CardApi(ctx.api),
    enqueue: (items) => outbox.enqueue(items),
    queuedFor: (chatId) => outbox.depthOf(chatId),
    settled: (chatId) => outbox.settled(chatId),
    settings: () => {
      const s = ctx.settings();
      return { enabled: s.cards, templateId: s.cardTemplateId, lang: s.replyLanguage };
    },
    cardAllowance: () => ctx.usage.cardAllowance(),
    buckets,
    permissions: ctx.cardPermissions,
    onProblem: (problem) => ctx.fail(problem),
    logger: log,
  });
  closers.push(() => cards.close());
  const fanout = new OutboundRouter({
    im: ctx.im,
    reach: ctx.reach,
    blobs: ctx.blobs,
    held,
    logger: log,
    titles: actorTitles(ctx),
    systemLabel: () => REPLIES[ctx.settings().replyLanguage].systemLabel,
    ...(ctx.services.app ? { groupLabel: ctx.services.app.label } : {}),
    enqueue: (items) => outbox.enqueue(items),
    askedBy: (eventId) => replies.askedBy(eventId),
    conversation: () => CONVERSATION[ctx.settings().replyLanguage],
    cards,
  });
  const follower = new LedgerFollower({
    groupDir: ctx.groupDir,
    cursorPath: join(ctx.stateDir, LEDGER_CURSOR_FILE),
    catchUp: ctx.settings().catchUp,
    handled: handledEvents(() => [...outbox.knownIds(), ...held.ids()]),
    logger: log,
    ...(ctx.services.ledgerPollMs ? { pollIntervalMs: ctx.services.ledgerPollMs } : {}),
    ...(ctx.services.app ? { clock: ctx.services.app.ledgerClock } : {}),
    onBatch: async (batch) => {
      const events = await Promise.all(batch.events.map((e) => expandText(ctx, e)));
      try {
        await fanout.route(events, (shown) => requests.observe(events, (eventId) => shown.get(eventId) ?? []));
        await batch.commit();
      } catch (err) {
        // The events stay unread (the cursor does not pass them); the follower tries again.
        space.noteFailure(err);
        throw err;
      }
      deliveries.observe(events);
      if (agentsAnsweredPeople(events)) replies.agentsAnswered();
    },
  });
  try {
    await follower.start();
  } catch (err) {
    ctx.fail(toProblem(err, 'cccc.ledger'));
    throw err;
  }
  closers.push(() => follower.stop());
  return { follower, cards };
}

/** Stops following the ledger, then closes the journals once what is in flight has finished. */
export async function closeRuntime(rt: BridgeRuntime): Promise<void> {
  await rt.follower.stop();
  rt.buttons.close();
  await rt.cards.close();
  rt.deliveries.close();
  await rt.received.close();
  await rt.delivery.close();
  await rt.outbox.close();
  await rt.held.close();
}

/** Best effort: the reaction API is undocumented, and a failure must never hold anything up. */
function react(ctx: RuntimeContext, msgId: string, chatId: string, on: boolean): void {
  ctx.api.setReaction(msgId, chatId, on).catch((err: unknown) => ctx.log.debug('Reaction not shown', { code: toProblem(err).code, on }));
}

/** Catch-up after /resume: the notices first (lost records, folded messages), then what was held. */
async function releaseHeld(held: HeldMessages, outbox: Outbox, say: ChatReplies, t: (typeof REPLIES)['en'], chatId: string): Promise<void> {
  await held.release(chatId, async ({ items, folded, lost }) => {
    const first = items[0];
    const chat = first?.chat ?? (lost > 0 ? await say.addressOf(chatId) : undefined);
    if (!chat) return;
    // Ids derived from what is released, so a release tried again after a failure does not repeat a notice.
    const key = first?.id ?? chatId;
    const notices = [
      ...(lost > 0 ? [{ ...say.item(chat, { kind: 'text', content: t.heldLost(lost) }), id: `held-lost:${key}` }] : []),
      ...(folded > 0 ? [{ ...say.item(chat, { kind: 'text', content: t.heldBackNotice(folded) }), id: `held:${key}` }] : []),
    ];
    await outbox.enqueue([...notices, ...items]);
  });
}

/**
 * State files damaged while the bridge was stopped were moved aside and rebuilt at start; the
 * dashboard hears once what that cost, and each chat once what it lost (held messages: on /resume).
 */
async function tellDamage(
  ctx: RuntimeContext,
  rt: BridgeRuntime,
  chats: Awaited<ReturnType<ChatDirectory['check']>>,
  cursor: LedgerFollower['rebuilt'],
): Promise<void> {
  const { problem, perChat } = reportDamage({
    stateDir: ctx.stateDir,
    cursor,
    chats,
    heldLost: [...rt.held.lostByChat().values()].reduce((a, b) => a + b, 0) + rt.held.lostUnknown,
    journals: [
      { file: RECEIVED_JOURNAL, lines: rt.received.damagedLines, fromPeople: true },
      { file: SENDS_TO_CCCC_JOURNAL, lines: rt.delivery.damagedLines, fromPeople: true },
      { file: OUTBOX_JOURNAL, lines: rt.outbox.damagedLines, fromPeople: false },
    ],
  });
  if (!problem) return;
  ctx.fail(problem);
  for (const [chatId, { fromYou, forYou }] of perChat) {
    const chat = await rt.say.addressOf(chatId);
    if (chat) await rt.say.text(chat, REPLIES[ctx.settings().replyLanguage].damagedOnDisk(fromYou, forYou));
  }
}

/** Actor id → title for sender labels, read at most once a minute. */
function actorTitles(ctx: RuntimeContext): () => Promise<Map<string, string>> {
  let titles = new Map<string, string>();
  let readAt = 0;
  return async () => {
    if (Date.now() - readAt < 60_000 && titles.size > 0) return titles;
    try {
      const actors = await ctx.group.actors();
      titles = new Map(actors.map((a) => [a.id, a.title]));
      readAt = Date.now();
    } catch (err) {
      ctx.log.warn('Could not read actor titles; using ids', { code: toProblem(err).code });
    }
    return titles;
  };
}

/** Long texts live in a side file; agents' answers are forwarded whole. */
async function expandText(ctx: RuntimeContext, event: LedgerEvent): Promise<LedgerEvent> {
  if (event.kind !== 'chat.message') return event;
  try {
    const { text, spillPath } = await resolveChatText(ctx.groupDir, event);
    if (!spillPath) return event;
    const attachments = Array.isArray(event.data.attachments) ? event.data.attachments.filter((a) => (a as { path?: unknown }).path !== spillPath) : [];
    return { ...event, data: { ...event.data, text, attachments } };
  } catch (err) {
    ctx.log.warn('Could not read a long message text; forwarding the pointer', { event: event.id, code: toProblem(err).code });
    return event;
  }
}

/**
 * Ledger event ids behind outbox and held item ids (`<event id>:<chat>:<n>`). Gathered on the
 * first question, which only a damaged cursor asks: the follower keeps this function for its
 * whole run, and a set of up to 10,000 ids built at every start would stay with it.
 */
export function handledEvents(itemIds: () => Iterable<string>): (eventId: string) => boolean {
  let events: Set<string> | undefined;
  return (eventId) => {
    if (!events) {
      events = new Set<string>();
      for (const id of itemIds()) {
        const at = id.indexOf(':');
        if (at > 0) events.add(id.slice(0, at));
      }
    }
    return events.has(eventId);
  };
}
