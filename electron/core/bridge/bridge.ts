/**
 * One bridge: a DingTalk app ↔ one CCCC group. Owns what lives as long as the bridge object —
 * Stream client, OpenAPI client, daemon monitor, IM state, chat directory, audit log, disk-space
 * watch (when the app serves several groups, the app's parts are shared: app-bridge.ts) — and
 * the state machine over them; everything that exists only while it runs is the
 * BridgeRuntime (runtime.ts), built in start() and torn down in stop(). Nothing thrown by the
 * network or by bad input reaches the host; failures surface as status and problems a user can
 * act on. Controls read it through status() and inspect() only.
 */
import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DaemonClient, DaemonMonitor, FeatureProbe, type DaemonState } from '../cccc/daemon';
import { ImState } from '../cccc/im-state/im-state';
import { BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC, type DingTalkCredentials, type DingTalkEndpoints } from '../dingtalk/endpoints';
import { cardPressOf, type CardPress } from '../dingtalk/card-callback';
import type { CallCounter } from '../dingtalk/http';
import { DingTalkApi } from '../dingtalk/openapi-client';
import { StreamClient, type Refusal, type StreamState } from '../dingtalk/stream-client';
import { refusedChatOfMessage, textLength, type InboundMessage } from '../dingtalk/inbound-message';
import { BridgeError, toProblem, type Problem } from '../errors';
import { CardApi } from '../dingtalk/card-api';
import { notRunningForTestCard, sendTestCard } from './cards/test-card';
import { AuditLog } from '../log/audit';
import { silentLogger, type Logger } from '../log/logger';
import { DiskSpace } from '../util/disk-space';
import type { TickSource } from '../util/ticker';
import { LocalHoldError } from '../util/local-failure';
import { DaemonGroup } from './adapters/daemon-group';
import { ApiUsage } from './api-usage/api-usage';
import { CardPermissions } from './cards/card-permissions';
import { GroupBlobs } from './adapters/group-blobs';
import { chatAddressOf, type ChatAddress } from './chat-address';
import { ChatDirectory } from './chat-directory';
import { ChatReach } from './chat-reach';
import { RefusedMessages } from './inbound/refused';
import type { ChatLimits } from './inbound/chat-throttle';
import { readBridgeRecords, type BridgeRecords } from './inspection';
import type { GroupPort, ImStatePort, PendingRequest } from './ports';
import { REPLIES } from '../i18n/replies';
import { bindStateToGroup } from './group-state';
import { closeRuntime, openRuntime, type BridgeRuntime } from './runtime';
import type { BridgeSettings } from './settings';
import { AfterEarlier } from '../util/after-earlier';
import type { ApiUsageView } from '../../shared/api';
import type { OutboundMessage } from '../dingtalk/outbound-message';
import type { AppBuckets, RetryPolicy } from './outbox';

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
  /**
   * Outbox rate, for DingTalk-compatible servers with other limits (the fake, the sandbox); `buckets`:
   * the app's, shared by the outboxes of every group it serves (DingTalk's limits are per app);
   * `retryPolicy`: its pauses between attempts (tests shorten them).
   */
  outbox?: { qpsPerApi?: number; buckets?: AppBuckets; retryPolicy?: RetryPolicy };
  /** The DingTalk app's parts, when the app serves several groups (app-bridge.ts); absent: the bridge's own. */
  app?: SharedApp;
  /**
   * Delivery to CCCC: when to tell a person CCCC is down, when to give up, how long a message in
   * CCCC may wait for an agent before the person hears why (tests shorten them).
   */
  delivery?: { slowNoticeMs?: number; maxAgeMs?: number; pickupTimeoutMs?: number };
  /** How often an app serving several groups checks that each is still there (app-bridge.ts; default 30 s). */
  groupCheckMs?: number;
  /** How often unauthorized chats may ask to /subscribe (tests lower them). */
  subscribeLimits?: ChatLimits;
}

/**
 * What one DingTalk app shares between the groups it serves: one Stream connection (started,
 * stopped and routed by its owner, app-bridge.ts), one OpenAPI client, one count of calls; and,
 * so that an idle group adds no wakeups, one watch of the CCCC daemon and one clock for the
 * ledger followers' safety poll. The owner starts and stops the daemon watch; a group only listens.
 */
export interface SharedApp {
  api: DingTalkApi;
  usage: ApiUsage;
  cardPermissions: CardPermissions;
  stream: StreamClient;
  daemon: CcccDaemon;
  ledgerClock: TickSource;
  /** The group's title, said with its agents' messages so a chat knows which group speaks. */
  label: string;
  /** Whether the app serves more than one group now (/help then lists /groups). */
  severalGroups(): boolean;
}

/** The CCCC daemon of a CCCC home: the client that talks to it and the monitor that pings it. */
export interface CcccDaemon {
  client: DaemonClient;
  monitor: DaemonMonitor;
}

/** The daemon of `ccccHome`, its monitor not started yet (pinging every `daemonPollMs`, default 10 s). */
export function ccccDaemon(ccccHome: string, services: Pick<BridgeServices, 'daemonPollMs'>, log: Logger): CcccDaemon {
  const client = new DaemonClient({ home: ccccHome, logger: log });
  const monitor = new DaemonMonitor(client, { logger: log, ...(services.daemonPollMs ? { intervalMs: services.daemonPollMs } : {}) });
  return { client, monitor };
}

export type BridgeState = 'stopped' | 'starting' | 'running' | 'degraded' | 'error';

export interface BridgeStatus {
  state: BridgeState;
  dingtalk: StreamState;
  cccc: DaemonState;
  /** Messages for DingTalk not yet delivered. */
  outboxDepth: number;
  /**
   * People's messages not yet in CCCC: received but not handled, plus handed over but not
   * confirmed. (Named for the dashboard's and status file's `inboxDepth`.)
   */
  toCcccDepth: number;
  lastProblem?: Problem;
}

/** Where people's and agents' messages wait, by stage. */
export interface QueueDepths {
  /** Received from DingTalk, not yet handled (`inbound.jsonl`). */
  received: number;
  /** Handed to CCCC, not yet confirmed in its ledger (`inbox.jsonl`). */
  toCccc: number;
  /** For DingTalk, not yet delivered (`outbox.jsonl`). */
  toDingTalk: number;
}

/** A group of an app that serves several: how it runs and how many chats it knows. */
export interface GroupView {
  groupId: string;
  title: string;
  state: BridgeState;
  chats: number;
}

/** Everything controls read of a bridge, as plain data. */
export interface BridgeView extends BridgeRecords {
  status: BridgeStatus;
  queues: QueueDepths;
  apiUsage: ApiUsageView;
  /** When the app serves several groups: each of them (chats and requests carry their groupId). */
  groups?: GroupView[];
}

export interface PendingNotice extends PendingRequest {
  chatTitle?: string;
  senderNick: string;
}

const CONFIRM_POLL_MS = 2_000;
/** The longest a press waits for the messages that came before it (a chat stuck on a full disk must not hold every press). */
export const PRESS_WAITS_FOR_MESSAGES_MS = 10_000;

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

export interface BridgeEvents {
  status: [BridgeStatus];
  pending: [PendingNotice];
  problem: [Problem];
  /** A chat's subscription was approved (here, in CCCC's Web UI or with `cccc im bind`). */
  subscribed: [chatId: string];
}

export class Bridge extends EventEmitter<BridgeEvents> {
  private readonly log: Logger;
  private readonly groupDir: string;
  private readonly api: DingTalkApi;
  private readonly group: GroupPort;
  private readonly im: ImStatePort;
  private readonly chats: ChatDirectory;
  private readonly reach: ChatReach;
  private readonly daemon: DaemonClient;
  private readonly monitor: DaemonMonitor;
  /** What the daemon supports, asked again whenever it goes, comes or restarts. */
  private readonly features: FeatureProbe;
  private readonly stream: StreamClient;
  /** The Stream client, the API usage and the daemon monitor are the app's (another owner starts and stops them). */
  private readonly shared: boolean;
  /** Stops listening to the daemon monitor (while running only: a shared monitor outlives this group's runs). */
  private unwatchDaemon: (() => void) | undefined;
  private unwatchStream: (() => void) | undefined;
  private readonly audit: AuditLog;
  private readonly blobs: GroupBlobs;
  /** Every DingTalk API call this bridge makes, by month, against the budget. */
  private readonly usage: ApiUsage;
  private readonly cardPermissions: CardPermissions;
  /** The services that exist only while the bridge runs; none before start() or after stop(). */
  private runtime: BridgeRuntime | undefined;
  /** What the last runtime left in its journals, for status() after stop() (kept for the next start). */
  private leftAtStop: QueueDepths = { received: 0, toCccc: 0, toDingTalk: 0 };
  private state: BridgeState = 'stopped';
  private lastProblem: Problem | undefined;
  private lastProblemAt = 0;
  private readonly confirmWatch = new Map<string, NodeJS.Timeout>();
  /** Whether the state dir's disk is full, and when there is room again. */
  private readonly space: DiskSpace;
  /** People's messages refused (not ACKed) for lack of space: DingTalk sends them again. */
  private readonly refused = new RefusedMessages();
  /** Chats told this episode that their messages wait for space. */
  private readonly diskNoticed = new Set<string>();
  /** Presses, in the order they came, after the messages being journaled when each came. */
  private readonly pressOrder = new AfterEarlier(PRESS_WAITS_FOR_MESSAGES_MS);

  constructor(
    private readonly config: BridgeConfig,
    private readonly services: BridgeServices = {},
  ) {
    super();
    this.log = (services.logger ?? silentLogger).child('bridge');
    this.groupDir = join(config.ccccHome, 'groups', config.groupId);
    this.space = new DiskSpace({ dir: config.stateDir });
    this.shared = services.app !== undefined;
    this.usage =
      services.app?.usage ??
      new ApiUsage({
        stateDir: config.stateDir,
        appKey: config.credentials.appKey,
        budget: () => this.settings.monthlyApiBudget,
        log: this.log,
        onNotice: (problem) => this.fail(problem, 'warn'),
        onLocalFailure: (err) => this.space.noteFailure(err),
      });
    this.cardPermissions = services.app?.cardPermissions ?? new CardPermissions(config.stateDir, config.credentials.appKey, { logger: this.log });
    this.api =
      services.app?.api ?? new DingTalkApi({ credentials: config.credentials, endpoints: config.endpoints, logger: this.log, counter: this.usage.counter });
    const daemon = services.app?.daemon ?? ccccDaemon(config.ccccHome, services, this.log);
    this.daemon = daemon.client;
    this.monitor = daemon.monitor;
    this.features = new FeatureProbe(this.daemon);
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
    this.reach = new ChatReach(this.chats, this.groupDir);
    this.stream =
      services.app?.stream ??
      new StreamClient({
        credentials: config.credentials,
        endpoints: config.endpoints,
        logger: this.log,
        keep: (m) => this.onInbound(m),
        onRefused: (refusal) => this.onRefused(refusal),
        counter: this.usage.counter,
        // Card presses come over the same connection (docs/dingtalk-protocol.md, "Cards with buttons").
        callbackTopics: [BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC],
        onOther: (frame) => this.onOther(frame),
        ...services.stream,
      });
    this.space.on('full', () => this.onDiskFull());
    this.space.on('freed', () => this.onDiskFreed());
  }

  get settings(): BridgeSettings {
    return this.config.settings;
  }

  /** Counts DingTalk calls made for this bridge elsewhere (the credential test) with its own. */
  get apiCounter(): CallCounter {
    return this.usage.counter;
  }

  updateSettings(patch: Partial<BridgeSettings>): void {
    Object.assign(this.config.settings, patch);
  }

  status(): BridgeStatus {
    const q = this.queues();
    const s: BridgeStatus = {
      state: this.state,
      dingtalk: this.stream.state,
      cccc: this.monitor.state,
      outboxDepth: q.toDingTalk,
      toCcccDepth: q.received + q.toCccc,
    };
    if (this.space.full) s.lastProblem = this.diskFull();
    else if (this.lastProblem) s.lastProblem = this.lastProblem;
    return s;
  }

  /** The bridge as controls show it: status, queues, chats, pending requests, people. */
  async inspect(): Promise<BridgeView> {
    return {
      status: this.status(),
      queues: this.queues(),
      apiUsage: this.usage.view(),
      ...(await readBridgeRecords({ im: this.im, chats: this.chats, reach: this.reach })),
    };
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped' && this.state !== 'error') return;
    this.setState('starting');
    await mkdir(this.config.stateDir, { recursive: true, mode: 0o700 });
    if (!this.shared) await this.usage.open();
    try {
      // Before anything reads them: the group's own files are this group's (a bridge may have moved).
      await bindStateToGroup(this.config.stateDir, { groupId: this.config.groupId, ccccHome: this.config.ccccHome }, this.log);
      this.runtime = await openRuntime({
        stateDir: this.config.stateDir,
        groupDir: this.groupDir,
        endpoints: this.config.endpoints,
        settings: () => this.settings,
        services: this.services,
        log: this.log,
        api: this.api,
        group: this.group,
        im: this.im,
        blobs: this.blobs,
        audit: this.audit,
        chats: this.chats,
        reach: this.reach,
        space: this.space,
        usage: this.usage,
        cardPermissions: this.cardPermissions,
        features: () => this.features.current(),
        fail: (problem) => this.fail(problem),
        onPending: (request, who) => this.onPending(request, who),
        approve: (key) => this.approve(key),
        reject: (key) => this.reject(key),
        onReceivedStuck: (err, chat) => {
          if (this.space.noteFailure(err)) this.noticeDiskFull(chat);
        },
      });
    } catch (err) {
      await this.stopServices();
      throw err;
    }
    this.unwatchDaemon?.();
    this.unwatchDaemon = this.monitor.onChange((s) => this.onDaemonState(s));
    // Watched while running only: the app's connection outlives a group it stops or lets go.
    this.unwatchStream?.();
    const onStream = (st: StreamState): void => this.onStreamState(st);
    this.stream.on('state', onStream);
    this.unwatchStream = () => this.stream.off('state', onStream);
    if (!this.shared) {
      this.monitor.start();
      this.stream.start();
    }
    // The app's connection and daemon watch were there before this group: it takes their word at once.
    this.setState(this.shared && (this.stream.state.status !== 'connected' || this.monitor.state.status === 'down') ? 'degraded' : 'running');
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    await this.stopServices();
    this.setState('stopped');
  }

  /** Approves a /subscribe request (binds it in CCCC) and tells the chat. */
  async approve(key: string): Promise<{ chatId: string }> {
    const { chatId } = await this.group.bind(key);
    await this.confirmSubscribed(chatId, { key, by: 'bridge' });
    return { chatId };
  }

  /**
   * Replaces the DingTalk connection now (warmly: the new one opens before the old one closes)
   * and checks CCCC again; for OS resume from sleep and network changes, when the old socket
   * may be silently dead. Both are the app's when it serves several groups: it does this once.
   */
  reconnect(reason: string): void {
    if (this.state === 'stopped' || this.state === 'error' || this.shared) return;
    this.stream.reconnect(reason);
    void this.monitor.checkNow().catch(() => undefined);
  }

  async reject(key: string): Promise<void> {
    const chatId = (await this.im.listPending().catch(() => [])).find((r) => r.key === key)?.chatId;
    await this.group.reject(key);
    if (chatId) this.stopWatching(chatId);
    this.log.info('Subscription request rejected', { ...(chatId ? { chat: chatId } : {}), key, by: 'bridge' });
  }

  /** Whether the chat is subscribed to this bridge's group (CCCC's IM state). */
  serves(chatId: string): Promise<boolean> {
    return this.im.isAuthorized(chatId);
  }

  /** The group's title (its id while CCCC cannot say). */
  async title(): Promise<string> {
    return (await this.group.info().catch(() => undefined))?.title ?? this.config.groupId;
  }

  get groupId(): string {
    return this.config.groupId;
  }

  /** The pending /subscribe requests of this group. */
  pending(): Promise<PendingRequest[]> {
    return this.im.listPending();
  }

  /** Every chat that wrote to this group, with how to reach it (the bridge's own chat directory, kept when CCCC's files are gone). */
  async knownChats(): Promise<ChatAddress[]> {
    return [...(await this.reach.addresses(Object.keys(await this.chats.chats()))).values()];
  }

  /** Unsubscribes the chat and revokes its authorization in CCCC (the chat moved to another group). */
  revoke(chatId: string): Promise<void> {
    return this.group.revoke(chatId);
  }

  /**
   * Sends a card made from `templateId` into a subscribed chat of this group, to check a template
   * before it is saved; rejects with DingTalk's problem in words (bridge/cards/test-card.ts).
   */
  async sendTestCard(chatId: string, templateId: string): Promise<void> {
    const rt = this.runtime;
    if (!rt) throw notRunningForTestCard();
    const chat = (await this.im.isAuthorized(chatId)) ? await rt.say.addressOf(chatId) : undefined;
    if (!chat) {
      throw new BridgeError({
        code: 'bridge.chat_not_subscribed',
        message: 'That chat is not subscribed to this bridge',
        hint: 'Pick a subscribed chat (the dashboard lists them).',
        retryable: false,
      });
    }
    await sendTestCard(new CardApi(this.api), chat, templateId, this.settings.replyLanguage);
    this.log.info('Test card sent', { chat: chatId, template: templateId });
  }

  /** Queues words of the app's to a chat in this group's outbox; resolves once they are durable (before an ACK). */
  async tell(chat: ChatAddress, message: OutboundMessage): Promise<void> {
    await this.running().say.send(chat, message);
  }

  /** Resolves when every queued delivery (both ways) has finished; for tests and benchmarks. */
  async idle(): Promise<void> {
    const rt = this.runtime;
    if (!rt) return;
    await rt.received.idle();
    await rt.delivery.idle();
    await rt.outbox.idle();
  }

  private queues(): QueueDepths {
    return this.runtime ? depthsOf(this.runtime) : this.leftAtStop;
  }

  private async stopServices(): Promise<void> {
    for (const timer of this.confirmWatch.values()) clearTimeout(timer);
    this.confirmWatch.clear();
    if (!this.shared) await this.stream.stop();
    this.unwatchStream?.();
    this.unwatchStream = undefined;
    this.unwatchDaemon?.();
    this.unwatchDaemon = undefined;
    if (!this.shared) this.monitor.stop();
    const rt = this.runtime;
    if (rt) {
      await closeRuntime(rt);
      this.leftAtStop = depthsOf(rt);
      this.runtime = undefined;
    }
    await this.audit.close();
    if (!this.shared) await this.usage.close();
    this.space.stop();
    this.refused.clear();
    this.diskNoticed.clear();
  }

  private setState(state: BridgeState): void {
    this.state = state;
    this.emit('status', this.status());
  }

  /** Records a problem and tells listeners, once per problem a minute (retries repeat them). */
  private fail(problem: Problem, level: 'error' | 'warn' = 'error'): void {
    const repeat = this.lastProblem?.code === problem.code && Date.now() - this.lastProblemAt < 60_000;
    this.lastProblem = problem;
    if (repeat) return;
    this.lastProblemAt = Date.now();
    this.log[level](problem.message, { code: problem.code });
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
    this.features.forget();
    if (s.status === 'down') {
      if (s.problem) this.lastProblem = s.problem;
      if (this.state === 'running') this.setState('degraded');
    } else if (s.status === 'up') {
      this.runtime?.delivery.retryNow();
      if (this.state === 'degraded' && this.stream.state.status === 'connected' && !this.space.full) this.setState('running');
    }
    this.emit('status', this.status());
  }

  /**
   * Keeps a person's message (journals it) before DingTalk gets the ACK; a rejection leaves it
   * un-ACKed. Called by the bridge's own Stream client, or by the app's (app-bridge.ts) for the
   * chats of this group.
   */
  async onInbound(m: InboundMessage): Promise<void> {
    const rt = this.running();
    // Answered instead of kept: the answer is in the outbox (durable) before DingTalk gets the ACK.
    if (textLength(m.content) > this.settings.maxMessageChars) return rt.refusals.answer({ reason: 'too_large', chat: refusedChatOfMessage(m) });
    if (m.sessionWebhook) rt.webhooks.remember(m.conversationId, m.sessionWebhook);
    if (this.refused.overtakes(m)) {
      this.refused.refuse(m);
      throw new LocalHoldError({
        code: 'bridge.kept_in_order',
        message: 'An earlier message of this chat is not kept yet; DingTalk will send this one again',
        retryable: true,
      });
    }
    try {
      await this.pressOrder.track(rt.received.accept(m));
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

  private async onOther(frame: { type: string; topic: string; data: unknown }): Promise<void> {
    const press = cardPressOf(frame, this.log);
    if (press) await this.pressed(press);
  }

  /** Whether a card with buttons is this group's (in its card registry); the app asks, to route a press. */
  async ownsCard(outTrackId: string): Promise<boolean> {
    return (await this.runtime?.presses.knows(outTrackId)) ?? false;
  }

  /**
   * A card's button was pressed (already ACKed): handled after the messages that came before it,
   * then after the presses before it. DingTalk sends what a person does in the order they did it;
   * a press handled before the message typed just ahead of it would not know who pressed (the
   * name comes from the messages) and could undo a typed /pause or /resume in the wrong order.
   * A card this bridge does not know is redrawn as expired. Called by the bridge's own Stream
   * client, or by the app's (app-bridge.ts) for this group's cards.
   */
  async pressed(press: CardPress): Promise<void> {
    const rt = this.runtime;
    if (!rt) return this.log.info('A card button was pressed while the bridge was not running', { card: press.outTrackId });
    // After the messages being journaled as the press arrives, and those already queued.
    await this.pressOrder.run(
      () => rt.presses.handle(press),
      () => rt.received.idle(),
    );
  }

  onRefused(refusal: Refusal): Promise<void> {
    return this.running().refusals.answer(refusal);
  }

  /** The runtime, for work that arrives from DingTalk; between stop() and start() such work waits for DingTalk to send it again. */
  private running(): BridgeRuntime {
    if (this.runtime) return this.runtime;
    throw new LocalHoldError({ code: 'bridge.not_running', message: 'The bridge is not running; DingTalk will send this message again', retryable: true });
  }

  private diskFull(): Problem {
    const q = this.queues();
    return diskFullProblem(this.config.stateDir, q.toDingTalk + q.received + q.toCccc + this.refused.size);
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
    const rt = this.runtime;
    if (rt) {
      rt.received.retryNow();
      rt.delivery.retryNow();
      rt.outbox.retryNow();
      rt.follower.retryNow();
      void this.takeRefused(rt);
    }
    if (this.state === 'degraded' && this.stream.state.status === 'connected' && this.monitor.state.status !== 'down') this.setState('running');
    else this.emit('status', this.status());
  }

  /** Takes in the messages refused for lack of space, oldest first, without waiting for DingTalk to push them again. */
  private async takeRefused(rt: BridgeRuntime): Promise<void> {
    for (const m of this.refused.all()) {
      try {
        await rt.received.accept(m);
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
    const rt = this.runtime;
    if (!rt || this.diskNoticed.has(chat.conversationId)) return;
    this.diskNoticed.add(chat.conversationId);
    void rt.outbox.sendNow(rt.say.item(chat, { kind: 'text', content: REPLIES[this.settings.replyLanguage].diskFull() }));
  }

  private onPending(request: PendingRequest, who: { chatTitle?: string; senderNick: string }): void {
    this.emit('pending', { ...request, ...who });
    const { chatId, key } = request;
    this.log.info('Subscription requested', { chat: chatId, key, nick: who.senderNick, ...(who.chatTitle ? { chatTitle: who.chatTitle } : {}) });
    // Approval may come from CCCC's Web UI or CLI too: watch for it and confirm in the chat.
    clearTimeout(this.confirmWatch.get(chatId));
    let goneBefore = false;
    const check = async (): Promise<void> => {
      this.confirmWatch.delete(chatId);
      if (this.state === 'stopped') return;
      if (Date.now() > request.expiresAt) return this.log.info('Subscription request expired', { chat: chatId, key });
      try {
        if (await this.im.isAuthorized(chatId)) return await this.confirmSubscribed(chatId, { key, by: 'cccc' });
        // Neither pending nor authorized, twice in a row (not the instant between an approval's two writes): rejected in CCCC.
        const gone = !(await this.im.listPending()).some((r) => r.key === key);
        if (gone && goneBefore) return this.log.info('Subscription request rejected', { chat: chatId, key, by: 'cccc' });
        goneBefore = gone;
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

  private stopWatching(chatId: string): void {
    clearTimeout(this.confirmWatch.get(chatId));
    this.confirmWatch.delete(chatId);
  }

  /** `by`: approved through this bridge (the app, `serve`), or found approved in CCCC (its Web UI, `cccc im bind`, `cccc-dingtalk approve`). */
  private async confirmSubscribed(chatId: string, how: { key: string; by: 'bridge' | 'cccc' }): Promise<void> {
    this.stopWatching(chatId);
    this.log.info('Subscription approved', { chat: chatId, ...how });
    const rt = this.runtime;
    const chat = await rt?.say.addressOf(chatId);
    if (rt && chat) await rt.say.text(chat, REPLIES[this.settings.replyLanguage].subscribedConfirmed());
    this.emit('subscribed', chatId);
  }
}

function depthsOf(rt: BridgeRuntime): QueueDepths {
  return { received: rt.received.depth, toCccc: rt.delivery.depth, toDingTalk: rt.outbox.depth() };
}
