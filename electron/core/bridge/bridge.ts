/**
 * One bridge: a DingTalk app ↔ one CCCC group. Composes the small services — Stream client,
 * OpenAPI client, daemon client and monitor, ledger follower, IM state, blob store, outbox,
 * durable delivery to CCCC — each behind its own error boundary. Nothing thrown by the network
 * or by bad input reaches the host; failures surface as status and problems a user can act on.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DaemonClient, DaemonMonitor, type DaemonState } from '../cccc/daemon';
import { ImState } from '../cccc/im-state/im-state';
import { resolveChatText } from '../cccc/ledger/chat-text';
import type { LedgerEvent } from '../cccc/ledger/event';
import { LedgerFollower, type CursorRebuild } from '../cccc/ledger/follower';
import { findClientIds } from '../cccc/ledger/scan';
import { isAllowedWebhook, type DingTalkCredentials, type DingTalkEndpoints } from '../dingtalk/endpoints';
import { DingTalkApi } from '../dingtalk/openapi-client';
import type { OutboundMessage } from '../dingtalk/outbound-message';
import { StreamClient, type StreamState } from '../dingtalk/stream-client';
import { refusedChatOfMessage, textLength, type InboundMessage } from '../dingtalk/inbound-message';
import { toProblem, type Problem } from '../errors';
import { AuditLog } from '../log/audit';
import { silentLogger, type Logger } from '../log/logger';
import { DiskSpace } from '../util/disk-space';
import { LocalHoldError } from '../util/local-failure';
import { DaemonGroup } from './adapters/daemon-group';
import { GroupBlobs } from './adapters/group-blobs';
import { ChatDirectory, type DirectoryRebuild } from './chat-directory';
import { reportDamage } from './damage-report';
import { GroupDelivery, INBOX_JOURNAL } from './inbound/group-delivery';
import { chatAddressOf, InboundHandler } from './inbound/handler';
import { INBOUND_JOURNAL, InboundQueue } from './inbound/inbound-queue';
import { Refusals } from './inbound/refusals';
import { RefusedMessages } from './inbound/refused';
import type { SubscribeLimits } from './inbound/subscribe-throttle';
import { HeldMessages } from './outbound/held';
import { OutboundRouter } from './outbound/router';
import { readAgentEvent } from './outbound/agent-event';
import { Outbox, OUTBOX_JOURNAL } from './outbox';
import type { ChatAddress, OutboxItem } from './outbox';
import { SETUP_PROBLEMS } from './outbox/retry';
import type { GroupPort, ImStatePort, PendingRequest, SendToGroup } from './ports';
import { REPLIES } from './replies';
import type { BridgeSettings } from './settings';

export interface BridgeConfig {
  groupId: string;
  ccccHome: string;
  /** The bridge's own state: cursor, outbox, inbox, chats, held messages, audit log. */
  stateDir: string;
  credentials: DingTalkCredentials;
  endpoints: DingTalkEndpoints;
  settings: BridgeSettings;
}

export interface BridgeServices {
  logger?: Logger;
  /** CCCC's IM state files for the group; default: the files themselves, under CCCC's lock. */
  imState?: (groupDir: string) => ImStatePort;
  /** Secrets to keep out of every log line. */
  secrets?: () => readonly string[];
  /** Stream client tuning (tests shorten timers). */
  stream?: { pingIntervalMs?: number; deadAfterMs?: number; backoff?: { baseMs: number; capMs: number; jitterMs: number } };
  ledgerPollMs?: number;
  daemonPollMs?: number;
  /** Outbox rate, for DingTalk-compatible servers with other limits (the fake, the sandbox). */
  outbox?: { qpsPerApi?: number };
  /** Delivery to CCCC: when to tell a person CCCC is down, when to give up (tests shorten them). */
  delivery?: { slowNoticeMs?: number; maxAgeMs?: number };
  /** How often unauthorized chats may ask to /subscribe (tests lower them). */
  subscribeLimits?: SubscribeLimits;
}

export type BridgeState = 'stopped' | 'starting' | 'running' | 'degraded' | 'error';

export interface BridgeStatus {
  state: BridgeState;
  dingtalk: StreamState;
  cccc: DaemonState;
  outboxDepth: number;
  inboxDepth: number;
  lastProblem?: Problem;
}

export interface PendingNotice extends PendingRequest {
  chatTitle?: string;
  senderNick: string;
}

const CONFIRM_POLL_MS = 2_000;

export const DISK_FULL = 'bridge.disk_full';

/** The state dir's disk is full; `waiting` counts what is queued or was refused meanwhile. */
export function diskFullProblem(dir: string, waiting: number): Problem {
  return {
    code: DISK_FULL,
    message: `The disk holding ${dir} is full: ${waiting} ${waiting === 1 ? 'message is' : 'messages are'} waiting`,
    hint: 'Free space on that disk. Nothing is lost: messages wait (DingTalk sends the people’s again) and flow by themselves, in order, once there is room.',
    retryable: true,
    details: { dir, waiting },
  };
}

export class Bridge extends EventEmitter<{ status: [BridgeStatus]; pending: [PendingNotice]; problem: [Problem] }> {
  readonly groupDir: string;
  readonly api: DingTalkApi;
  readonly group: GroupPort;
  readonly im: ImStatePort;
  readonly chats: ChatDirectory;
  private readonly log: Logger;
  private readonly daemon: DaemonClient;
  private readonly monitor: DaemonMonitor;
  private readonly stream: StreamClient;
  private held: HeldMessages | undefined;
  private readonly audit: AuditLog;
  private readonly blobs: GroupBlobs;
  private readonly refusals: Refusals;
  private outbox: Outbox | undefined;
  private delivery: GroupDelivery | undefined;
  private follower: LedgerFollower | undefined;
  private handler: InboundHandler | undefined;
  private inbound: InboundQueue | undefined;
  private router: OutboundRouter | undefined;
  private state: BridgeState = 'stopped';
  private lastProblem: Problem | undefined;
  private lastProblemAt = 0;
  private titles = new Map<string, string>();
  private titlesAt = 0;
  /** Event id of a person's message → where it came from, to @-mention them in the answer. */
  private readonly asked = new Map<string, { chatId: string; staffId: string }>();
  /** Event id of a person's message → the DingTalk message showing 🤔 until an agent answers. */
  private readonly thinking = new Map<string, { msgId: string; chatId: string }>();
  private readonly confirmWatch = new Map<string, NodeJS.Timeout>();
  /** Whether the state dir's disk is full, and when there is room again. */
  private readonly space: DiskSpace;
  /** People's messages refused (not ACKed) for lack of space: DingTalk sends them again. */
  private readonly refused = new RefusedMessages();
  /** Chats told this episode that their messages wait for space. */
  private readonly diskNoticed = new Set<string>();

  constructor(
    private readonly config: BridgeConfig,
    private readonly services: BridgeServices = {},
  ) {
    super();
    this.log = (services.logger ?? silentLogger).child('bridge');
    this.groupDir = join(config.ccccHome, 'groups', config.groupId);
    this.api = new DingTalkApi({ credentials: config.credentials, endpoints: config.endpoints, logger: this.log });
    this.daemon = new DaemonClient({ home: config.ccccHome, logger: this.log });
    this.monitor = new DaemonMonitor(this.daemon, { logger: this.log, ...(services.daemonPollMs ? { intervalMs: services.daemonPollMs } : {}) });
    this.group = new DaemonGroup(this.daemon, config.groupId);
    this.im = services.imState?.(this.groupDir) ?? new ImState({ groupDir: this.groupDir, logger: this.log });
    this.blobs = new GroupBlobs(this.groupDir, this.log);
    this.audit = new AuditLog({
      dir: join(config.stateDir, 'audit'),
      includeContent: config.settings.auditContent,
      logger: this.log,
      ...(services.secrets ? { secrets: services.secrets } : {}),
    });
    this.chats = new ChatDirectory(config.stateDir, {
      log: this.log,
      sources: {
        subscribed: async () =>
          new Map([...(await this.im.subscribers())].filter(([, f]) => f.subscribed).map(([id, f]) => [id, f.chatTitle ? { chatTitle: f.chatTitle } : {}])),
        audit: async (chatId) => (await this.audit.read({ chat: chatId, limit: 50 })).reverse(),
      },
    });
    this.refusals = new Refusals({
      stateDir: config.stateDir,
      im: this.im,
      logger: this.log,
      settings: () => ({ lang: this.settings.replyLanguage, maxMessageChars: this.settings.maxMessageChars }),
      reply: (chat, text, mention) => this.reply(chat, { kind: 'text', content: text }, mention),
      rememberWebhook: (chatId, webhook) => this.rememberWebhook(chatId, webhook),
      problem: (problem) => this.fail(problem),
    });
    this.stream = new StreamClient({
      credentials: config.credentials,
      endpoints: config.endpoints,
      logger: this.log,
      persist: (m) => this.onInbound(m),
      onRefused: (refusal) => this.refusals.answer(refusal),
      onMessage: () => undefined,
      ...services.stream,
    });
    this.stream.on('state', (s) => this.onStreamState(s));
    this.monitor.onChange((s) => this.onDaemonState(s));
    this.space = new DiskSpace({ dir: config.stateDir });
    this.space.on('full', () => this.onDiskFull());
    this.space.on('freed', () => this.onDiskFreed());
  }

  get settings(): BridgeSettings {
    return this.config.settings;
  }

  updateSettings(patch: Partial<BridgeSettings>): void {
    Object.assign(this.config.settings, patch);
  }

  status(): BridgeStatus {
    const s: BridgeStatus = {
      state: this.state,
      dingtalk: this.stream.state,
      cccc: this.monitor.state,
      outboxDepth: this.outbox?.depth() ?? 0,
      inboxDepth: (this.inbound?.depth ?? 0) + (this.delivery?.depth ?? 0),
    };
    if (this.space.full) s.lastProblem = this.diskFull();
    else if (this.lastProblem) s.lastProblem = this.lastProblem;
    return s;
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped' && this.state !== 'error') return;
    this.setState('starting');
    await mkdir(this.config.stateDir, { recursive: true, mode: 0o700 });
    this.outbox = new Outbox({
      dir: this.config.stateDir,
      api: this.api,
      logger: this.log,
      audit: this.audit,
      ...this.services.outbox,
      onFailure: (item, problem) => this.onOutboxFailure(item, problem),
      onWaiting: (_item, problem) => this.fail(problem),
      onLocalFailure: (err) => this.space.noteFailure(err),
    });
    await this.outbox.open();
    this.held = await HeldMessages.open(this.config.stateDir, 30, this.log);
    const chatsRebuilt = await this.chats.check();
    this.delivery = await GroupDelivery.open({
      stateDir: this.config.stateDir,
      group: this.group,
      findInLedger: (clientIds, sinceMs) => findClientIds(this.groupDir, 'user', clientIds, sinceMs),
      logger: this.log,
      ...this.services.delivery,
      onLocalFailure: (err) => this.space.noteFailure(err),
      onDelivered: (send, chat, eventId) => this.onDelivered(send, chat, eventId),
      onDelayed: (_send, chat) => void this.replyText(chat, REPLIES[this.settings.replyLanguage].cccDown()),
      onUnknownRecipient: (_send, chat, unknown, known) => void this.replyText(chat, REPLIES[this.settings.replyLanguage].noAgent(unknown, known)),
      onFailed: (_send, chat, problem) =>
        void this.replyText(chat, REPLIES[this.settings.replyLanguage].deliveryFailed(problem.hint ? `${problem.message} — ${problem.hint}` : problem.message)),
    });
    this.handler = new InboundHandler({
      group: this.group,
      im: this.im,
      blobs: this.blobs,
      chats: this.chats,
      logger: this.log,
      settings: () => ({ lang: this.settings.replyLanguage, access: this.settings.access, maxFileBytes: this.settings.maxFileMb * 1024 * 1024 }),
      download: async (file, robotCode, maxBytes) => (await this.api.downloadFile(file.downloadCode, { maxBytes, ...(robotCode ? { robotCode } : {}) })).body,
      reply: (chat, message, mention) => this.reply(chat, message, mention),
      deliver: (send, chat, recipients) => this.delivery!.deliver(send, chat, recipients),
      heldCount: (chatId) => this.held!.count(chatId),
      releaseHeld: (chatId) => this.releaseHeld(chatId),
      onPending: (request, who) => this.onPending(request, who),
      audit: (entry) => this.audit.record(entry),
      ...(this.services.subscribeLimits ? { subscribeLimits: this.services.subscribeLimits } : {}),
    });
    this.inbound = await InboundQueue.open({
      stateDir: this.config.stateDir,
      logger: this.log,
      handle: (m) => this.handler!.handle(m),
      onStuck: (err, m) => {
        if (this.space.noteFailure(err)) this.noticeDiskFull(chatAddressOf(m));
      },
    });
    const replayed = this.inbound.replay();
    if (replayed) this.log.info('Handling messages received before the last stop', { count: replayed });
    this.router = new OutboundRouter({
      im: this.im,
      chats: this.chats,
      blobs: this.blobs,
      held: this.held,
      logger: this.log,
      titles: () => this.actorTitles(),
      enqueue: (items) => this.outbox!.enqueue(items),
      askedBy: (eventId) => this.asked.get(eventId),
    });
    this.follower = new LedgerFollower({
      groupDir: this.groupDir,
      cursorPath: join(this.config.stateDir, 'ledger-cursor.json'),
      catchUp: this.settings.catchUp,
      handled: handledEvents([...this.outbox.knownIds(), ...this.held.ids()]),
      logger: this.log,
      ...(this.services.ledgerPollMs ? { pollIntervalMs: this.services.ledgerPollMs } : {}),
      onBatch: async (batch) => {
        const events = await Promise.all(batch.events.map((e) => this.expandText(e)));
        try {
          await this.router!.route(events);
          await batch.commit();
        } catch (err) {
          // The events stay unread (the cursor does not pass them); the follower tries again.
          this.space.noteFailure(err);
          throw err;
        }
        this.settleThinking(events);
      },
    });
    try {
      await this.follower.start();
    } catch (err) {
      this.fail(toProblem(err, 'cccc.ledger'));
      await this.stopServices();
      throw err;
    }
    await this.tellDamage(chatsRebuilt, this.follower.rebuilt, this.held);
    this.monitor.start();
    this.stream.start();
    this.setState('running');
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    await this.stopServices();
    this.setState('stopped');
  }

  /** Approves a /subscribe request (binds it in CCCC) and tells the chat. */
  async approve(key: string): Promise<{ chatId: string }> {
    const { chatId } = await this.group.bind(key);
    await this.confirmSubscribed(chatId);
    return { chatId };
  }

  /**
   * Replaces the DingTalk connection now (warmly: the new one opens before the old one closes)
   * and checks CCCC again; for OS resume from sleep and network changes, when the old socket
   * may be silently dead.
   */
  reconnect(reason: string): void {
    if (this.state === 'stopped' || this.state === 'error') return;
    this.stream.reconnect(reason);
    void this.monitor.checkNow().catch(() => undefined);
  }

  async reject(key: string): Promise<void> {
    await this.group.reject(key);
  }

  /** Resolves when every queued delivery (both ways) has finished; for tests and benchmarks. */
  async idle(): Promise<void> {
    await this.inbound?.idle();
    await this.delivery?.idle();
    await this.outbox?.idle();
  }

  private async stopServices(): Promise<void> {
    for (const timer of this.confirmWatch.values()) clearTimeout(timer);
    this.confirmWatch.clear();
    await this.stream.stop();
    await this.follower?.stop();
    this.monitor.stop();
    await this.inbound?.close();
    await this.delivery?.close();
    await this.outbox?.close();
    await this.held?.close();
    await this.audit.close();
    this.space.stop();
    this.refused.clear();
    this.diskNoticed.clear();
  }

  private setState(state: BridgeState): void {
    this.state = state;
    this.emit('status', this.status());
  }

  /** Records a problem and tells listeners, once per problem a minute (retries repeat them). */
  private fail(problem: Problem): void {
    const repeat = this.lastProblem?.code === problem.code && Date.now() - this.lastProblemAt < 60_000;
    this.lastProblem = problem;
    if (repeat) return;
    this.lastProblemAt = Date.now();
    this.log.error(problem.message, { code: problem.code });
    this.emit('problem', problem);
  }

  private onStreamState(s: StreamState): void {
    if (s.status === 'error') {
      this.fail(s.problem);
      this.setState('error');
    } else if (s.status === 'reconnecting') {
      this.lastProblem = s.problem;
      if (this.state === 'running') this.setState('degraded');
      else this.emit('status', this.status());
    } else if (s.status === 'connected' && this.state === 'degraded' && this.monitor.state.status !== 'down' && !this.space.full) {
      this.setState('running');
    } else {
      this.emit('status', this.status());
    }
  }

  private onDaemonState(s: DaemonState): void {
    if (s.status === 'down') {
      if (s.problem) this.lastProblem = s.problem;
      if (this.state === 'running') this.setState('degraded');
    } else if (s.status === 'up') {
      this.delivery?.retryNow();
      if (this.state === 'degraded' && this.stream.state.status === 'connected' && !this.space.full) this.setState('running');
    }
    this.emit('status', this.status());
  }

  private async onInbound(m: InboundMessage): Promise<void> {
    // Answered instead of kept: the answer is in the outbox (durable) before DingTalk gets the ACK.
    if (textLength(m.content) > this.settings.maxMessageChars) return this.refusals.answer({ reason: 'too_large', chat: refusedChatOfMessage(m) });
    if (m.sessionWebhook) this.rememberWebhook(m.conversationId, m.sessionWebhook);
    if (this.refused.overtakes(m)) {
      this.refused.refuse(m);
      throw new LocalHoldError({
        code: 'bridge.kept_in_order',
        message: 'An earlier message of this chat is not kept yet; DingTalk will send this one again',
        retryable: true,
      });
    }
    try {
      await this.inbound?.accept(m);
      this.refused.taken(m);
    } catch (err) {
      // Not journaled, so not ACKed (the Stream client sees the rejection): DingTalk sends it again.
      if (this.space.noteFailure(err)) {
        this.refused.refuse(m);
        this.noticeDiskFull(chatAddressOf(m));
      }
      throw err;
    }
  }

  /** A message's reply address, used only on the bridge's own DingTalk (or sandbox) host; replies elsewhere go through the OpenAPI. */
  private rememberWebhook(chatId: string, webhook: { url: string; expiresAt: number }): void {
    if (isAllowedWebhook(webhook.url, this.config.endpoints)) this.outbox?.rememberWebhook(chatId, webhook.url, webhook.expiresAt);
    else this.log.warn("Ignored a reply address that is not on DingTalk's host; replies go through the OpenAPI", { chat: chatId });
  }

  private diskFull(): Problem {
    return diskFullProblem(this.config.stateDir, (this.outbox?.depth() ?? 0) + (this.inbound?.depth ?? 0) + (this.delivery?.depth ?? 0) + this.refused.size);
  }

  /** Once per episode: the dashboard, `status` and the log hear it in words. */
  private onDiskFull(): void {
    const problem = this.diskFull();
    this.lastProblem = problem;
    this.lastProblemAt = Date.now();
    this.log.error(problem.message, { code: problem.code });
    this.emit('problem', problem);
    if (this.state === 'running') this.setState('degraded');
    else this.emit('status', this.status());
  }

  /** Room again: everything waiting goes now, by itself, and the problem clears. */
  private onDiskFreed(): void {
    this.log.info('There is room on the disk again; resuming', { dir: this.config.stateDir });
    this.diskNoticed.clear();
    if (this.lastProblem?.code === DISK_FULL) this.lastProblem = undefined;
    this.inbound?.retryNow();
    this.delivery?.retryNow();
    this.outbox?.retryNow();
    this.follower?.retryNow();
    void this.takeRefused();
    if (this.state === 'degraded' && this.stream.state.status === 'connected' && this.monitor.state.status !== 'down') this.setState('running');
    else this.emit('status', this.status());
  }

  /** Takes in the messages refused for lack of space, oldest first, without waiting for DingTalk to push them again. */
  private async takeRefused(): Promise<void> {
    for (const m of this.refused.all()) {
      try {
        await this.inbound?.accept(m);
        this.refused.taken(m);
      } catch (err) {
        // Full again: the rest wait for the next time there is room (or for DingTalk's redelivery).
        this.space.noteFailure(err);
        return;
      }
    }
  }

  /**
   * Tells a chat once per episode that its messages wait for space. Sent directly: a reply
   * through the outbox would need the disk too.
   */
  private noticeDiskFull(chat: ChatAddress): void {
    if (!this.outbox || this.diskNoticed.has(chat.conversationId)) return;
    this.diskNoticed.add(chat.conversationId);
    void this.outbox.sendNow(this.replyItem(chat, { kind: 'text', content: REPLIES[this.settings.replyLanguage].diskFull() }));
  }

  private onDelivered(send: SendToGroup, chat: ChatAddress, eventId: string): void {
    const staffId = send.mentionUserIds[0];
    if (staffId) {
      this.asked.set(eventId, { chatId: chat.conversationId, staffId });
      if (this.asked.size > 2_000) this.asked.delete(this.asked.keys().next().value as string);
    }
    if (this.settings.thinkingReaction) {
      this.thinking.set(eventId, { msgId: send.msgId, chatId: chat.conversationId });
      if (this.thinking.size > 200) this.thinking.delete(this.thinking.keys().next().value as string);
      this.react(send.msgId, chat.conversationId, true);
    }
  }

  /** Best effort: the reaction API is undocumented, and a failure must never hold anything up. */
  private react(msgId: string, chatId: string, on: boolean): void {
    this.api.setReaction(msgId, chatId, on).catch((err: unknown) => this.log.debug('Reaction not shown', { code: toProblem(err).code, on }));
  }

  /** An agent answered the people: take the 🤔 off the messages it was thinking about. */
  private settleThinking(events: readonly LedgerEvent[]): void {
    if (this.thinking.size === 0) return;
    const answered = events.some((e) => {
      const event = readAgentEvent(e);
      return event?.kind === 'message' && event.userFacing;
    });
    if (!answered) return;
    for (const { msgId, chatId } of this.thinking.values()) this.react(msgId, chatId, false);
    this.thinking.clear();
  }

  private onPending(request: PendingRequest, who: { chatTitle?: string; senderNick: string }): void {
    this.emit('pending', { ...request, ...who });
    // Approval may come from CCCC's Web UI or CLI too: watch for it and confirm in the chat.
    const chatId = request.chatId;
    clearTimeout(this.confirmWatch.get(chatId));
    const check = async (): Promise<void> => {
      this.confirmWatch.delete(chatId);
      if (Date.now() > request.expiresAt || this.state === 'stopped') return;
      try {
        if (await this.im.isAuthorized(chatId)) return await this.confirmSubscribed(chatId);
      } catch (err) {
        this.log.warn('Could not check a pending subscription', { chat: chatId, code: toProblem(err).code });
      }
      this.confirmWatch.set(
        chatId,
        setTimeout(() => void check(), CONFIRM_POLL_MS),
      );
    };
    this.confirmWatch.set(
      chatId,
      setTimeout(() => void check(), CONFIRM_POLL_MS),
    );
  }

  private async confirmSubscribed(chatId: string): Promise<void> {
    clearTimeout(this.confirmWatch.get(chatId));
    this.confirmWatch.delete(chatId);
    const chat = await this.addressOf(chatId);
    if (chat) await this.replyText(chat, REPLIES[this.settings.replyLanguage].subscribedConfirmed());
  }

  private async releaseHeld(chatId: string): Promise<void> {
    const t = REPLIES[this.settings.replyLanguage];
    await this.held!.release(chatId, async ({ items, folded, lost }) => {
      const first = items[0];
      const chat = first?.chat ?? (lost > 0 ? await this.addressOf(chatId) : undefined);
      if (!chat) return;
      // Ids derived from what is released, so a release tried again after a failure does not repeat a notice.
      const key = first?.id ?? chatId;
      const notices = [
        ...(lost > 0 ? [{ ...this.replyItem(chat, { kind: 'text', content: t.heldLost(lost) }), id: `held-lost:${key}` }] : []),
        ...(folded > 0 ? [{ ...this.replyItem(chat, { kind: 'text', content: t.heldBackNotice(folded) }), id: `held:${key}` }] : []),
      ];
      await this.outbox!.enqueue([...notices, ...items]);
    });
  }

  private async addressOf(chatId: string): Promise<ChatAddress | undefined> {
    const record = await this.chats.chat(chatId);
    return record ? { conversationId: chatId, conversationType: record.conversationType, ...(record.userId ? { userId: record.userId } : {}) } : undefined;
  }

  /**
   * State files damaged while the bridge was stopped were moved aside and rebuilt at start; the
   * dashboard hears once what that cost, and each chat once what it lost (held messages: on /resume).
   */
  private async tellDamage(chats: DirectoryRebuild | undefined, cursor: CursorRebuild | undefined, held: HeldMessages): Promise<void> {
    const { problem, perChat } = reportDamage({
      stateDir: this.config.stateDir,
      cursor,
      chats,
      heldLost: [...held.lostByChat().values()].reduce((a, b) => a + b, 0) + held.lostUnknown,
      journals: [
        { file: INBOUND_JOURNAL, lines: this.inbound!.damagedLines, fromPeople: true },
        { file: INBOX_JOURNAL, lines: this.delivery!.damagedLines, fromPeople: true },
        { file: OUTBOX_JOURNAL, lines: this.outbox!.damagedLines, fromPeople: false },
      ],
    });
    if (!problem) return;
    this.fail(problem);
    for (const [chatId, { fromYou, forYou }] of perChat) {
      const chat = await this.addressOf(chatId);
      if (chat) await this.replyText(chat, REPLIES[this.settings.replyLanguage].damagedOnDisk(fromYou, forYou));
    }
  }

  private replyItem(chat: ChatAddress, message: OutboundMessage, mention?: string[]): OutboxItem {
    return {
      id: `reply:${randomUUID()}`,
      chat,
      payload: { kind: 'message', message, ...(mention?.length ? { atUserIds: mention } : {}) },
      createdAt: Date.now(),
    };
  }

  private async reply(chat: ChatAddress, message: OutboundMessage, mention?: string[]): Promise<void> {
    await this.outbox!.enqueue([this.replyItem(chat, message, mention)]);
  }

  private async replyText(chat: ChatAddress, text: string): Promise<void> {
    try {
      await this.reply(chat, { kind: 'text', content: text });
    } catch (err) {
      this.log.error('Could not queue a reply', { error: err, chat: chat.conversationId });
    }
  }

  private onOutboxFailure(item: OutboxItem, problem: Problem): void {
    this.fail(problem);
    // Tell the chat, unless the failure is about reaching that chat at all.
    if (item.id.startsWith('notice:') || problem.code === 'dingtalk.invalid_user' || SETUP_PROBLEMS.has(problem.code)) return;
    const t = REPLIES[this.settings.replyLanguage];
    void this.outbox
      ?.enqueue([{ ...this.replyItem(item.chat, { kind: 'text', content: t.error(problem.message) }), id: `notice:${randomUUID()}` }])
      .catch(() => undefined);
  }

  private async actorTitles(): Promise<Map<string, string>> {
    if (Date.now() - this.titlesAt < 60_000 && this.titles.size > 0) return this.titles;
    try {
      const actors = await this.group.actors();
      this.titles = new Map(actors.map((a) => [a.id, a.title]));
      this.titlesAt = Date.now();
    } catch (err) {
      this.log.warn('Could not read actor titles; using ids', { code: toProblem(err).code });
    }
    return this.titles;
  }

  /** Long texts live in a side file; agents' answers are forwarded whole. */
  private async expandText(event: LedgerEvent): Promise<LedgerEvent> {
    if (event.kind !== 'chat.message') return event;
    try {
      const { text, spillPath } = await resolveChatText(this.groupDir, event);
      if (!spillPath) return event;
      const attachments = Array.isArray(event.data.attachments) ? event.data.attachments.filter((a) => (a as { path?: unknown }).path !== spillPath) : [];
      return { ...event, data: { ...event.data, text, attachments } };
    } catch (err) {
      this.log.warn('Could not read a long message text; forwarding the pointer', { event: event.id, code: toProblem(err).code });
      return event;
    }
  }
}

/** Ledger event ids behind outbox and held item ids (`<event id>:<chat>:<n>`). */
function handledEvents(itemIds: readonly string[]): (eventId: string) => boolean {
  const events = new Set<string>();
  for (const id of itemIds) {
    const at = id.indexOf(':');
    if (at > 0) events.add(id.slice(0, at));
  }
  return (eventId) => events.has(eventId);
}
