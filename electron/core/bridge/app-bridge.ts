/**
 * One DingTalk app serving several CCCC groups (docs/architecture.md §1). The app-level part owns
 * what DingTalk counts per app — the Stream connection, the OpenAPI client, the count of calls
 * and the outbox's token buckets — and what would otherwise wake the process once per group: the
 * watch of the CCCC daemon and the clock of the ledger followers' safety poll. One Bridge per
 * group owns what is per group: its ledger follower and cursor, outbox, held messages, IM state,
 * chats and state folder. Each chat is bound to the group whose IM state subscribed it: a
 * person's message goes to that group only, and a group's agents write only to the chats
 * subscribed in it. `/groups` and the group a `/subscribe` names are read here, before a group
 * is chosen (group-choice.ts); the rest is the group's own. Controls see it as one bridge: the
 * same status(), inspect(), approve() as Bridge.
 */
import { EventEmitter } from 'node:events';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cardPressOf, type CardPress } from '../dingtalk/card-callback';
import { BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC, type DingTalkCredentials, type DingTalkEndpoints } from '../dingtalk/endpoints';
import type { CallCounter } from '../dingtalk/http';
import type { InboundMessage } from '../dingtalk/inbound-message';
import { DingTalkApi } from '../dingtalk/openapi-client';
import { StreamClient, type Refusal } from '../dingtalk/stream-client';
import { toProblem, type Problem } from '../errors';
import { GROUP_REPLIES } from '../i18n/groups';
import { silentLogger, type Logger } from '../log/logger';
import { LocalHoldError } from '../util/local-failure';
import { AfterEarlier } from '../util/after-earlier';
import { Ticker } from '../util/ticker';
import { LEDGER_POLL_MS } from '../cccc/ledger/follower';
import { ApiUsage } from './api-usage/api-usage';
import { CardPermissions } from './cards/card-permissions';
import {
  Bridge,
  ccccDaemon,
  PRESS_WAITS_FOR_MESSAGES_MS,
  type BridgeEvents,
  type BridgeServices,
  type BridgeState,
  type BridgeStatus,
  type BridgeView,
  type CcccDaemon,
} from './bridge';
import { chatAddressOf } from './chat-address';
import { asPlainSubscribe, findGroup, groupLines, readGroupCommand, type ServedGroup } from './group-choice';
import { GoneNotices } from './gone-notices';
import { appBuckets, type AppBuckets } from './outbox';
import type { BridgeSettings } from './settings';

/** A group the app serves: its id, its title (said with its agents' messages), its own state folder. */
export interface GroupSpec {
  groupId: string;
  title: string;
  stateDir: string;
}

/**
 * How an app that serves every group of its CCCC (`allGroups`) takes in the groups created while
 * it runs (served-groups.ts builds it): which groups there are now, and a group claimed under the
 * guards of a start (CCCC's own bridge, the group's instance lock) — or a rejection saying why not.
 */
export interface GroupDiscovery {
  groupIds(): Promise<string[]>;
  claim(groupId: string): Promise<{ spec: GroupSpec; release(): Promise<void> }>;
}

export interface AppBridgeConfig {
  /** The first keeps the state folder a one-group bridge always had (and the app's API usage). */
  groups: GroupSpec[];
  /** Looked at with every group check (30 s) when the profile serves every group. */
  discovery?: GroupDiscovery;
  ccccHome: string;
  /** The app's own files (api-usage.json); the first group's state folder. */
  stateDir: string;
  credentials: DingTalkCredentials;
  endpoints: DingTalkEndpoints;
  settings: BridgeSettings;
}

/** How bad a state is, for the app's state: the worst of its groups' (the tray shows it). */
const SEVERITY: Record<BridgeState, number> = { running: 0, starting: 1, stopped: 2, degraded: 3, error: 4 };

interface Served extends ServedGroup {
  bridge: Bridge;
  /** Whether it started; a group that could not is told to its chats and left out. */
  up: boolean;
  /** A group found while running holds its own instance lock (the host holds the others'). */
  release?: () => Promise<void>;
}

export class AppBridge extends EventEmitter<BridgeEvents> {
  private readonly log: Logger;
  private readonly usage: ApiUsage;
  private readonly cardPermissions: CardPermissions;
  private readonly api: DingTalkApi;
  private readonly stream: StreamClient;
  /** One monitor of the CCCC daemon for every group (started and stopped here only, never by a group). */
  private readonly daemon: CcccDaemon;
  /** One clock for every group's ledger safety poll. */
  private readonly ledgerClock: Ticker;
  private readonly groups: Served[] = [];
  /** The first group: its state folder is the one a one-group bridge always had. */
  private readonly first: Served;
  private readonly services: BridgeServices;
  private readonly buckets: AppBuckets;
  /** Groups found while running that may not be served, by the problem's code: said once each. */
  private readonly refusedNew = new Map<string, string>();
  /** Which chats were told a group is gone, kept across restarts. */
  private readonly gone: GoneNotices;
  private state: BridgeState = 'stopped';
  /** Presses are handed to their group in the order DingTalk sent them, after the messages still looking for their group. */
  private readonly pressOrder = new AfterEarlier(PRESS_WAITS_FOR_MESSAGES_MS);
  /** One timer for the whole app (not one per group): are the groups still there? */
  private checkTimer: NodeJS.Timeout | undefined;
  /** The check under way, which stop() waits for (it may be starting a group). */
  private checking: Promise<void> | undefined;
  /** Set while stop() runs: no check starts or takes in a group. */
  private closing = false;
  private readonly checkMs: number;

  constructor(
    private readonly config: AppBridgeConfig,
    services: BridgeServices = {},
  ) {
    super();
    this.log = (services.logger ?? silentLogger).child('app');
    this.checkMs = services.groupCheckMs ?? 30_000;
    this.usage = new ApiUsage({
      stateDir: config.stateDir,
      appKey: config.credentials.appKey,
      budget: () => config.settings.monthlyApiBudget,
      log: this.log,
      onNotice: (problem) => this.emit('problem', problem),
    });
    this.cardPermissions = new CardPermissions(config.stateDir, config.credentials.appKey, { logger: this.log });
    this.api = new DingTalkApi({ credentials: config.credentials, endpoints: config.endpoints, logger: this.log, counter: this.usage.counter });
    this.stream = new StreamClient({
      credentials: config.credentials,
      endpoints: config.endpoints,
      logger: this.log,
      // The lookup reads each group's IM state: a press arriving meanwhile waits for it.
      keep: (m) => this.pressOrder.track(this.route(m)),
      onRefused: (refusal) => this.refuse(refusal),
      counter: this.usage.counter,
      // Card presses come over the same connection (docs/dingtalk-protocol.md, "Cards with buttons").
      callbackTopics: [BOT_MESSAGE_TOPIC, CARD_CALLBACK_TOPIC],
      onOther: (frame) => this.pressed(frame),
      ...services.stream,
    });
    this.daemon = ccccDaemon(config.ccccHome, services, this.log);
    this.ledgerClock = new Ticker(services.ledgerPollMs ?? LEDGER_POLL_MS);
    this.gone = new GoneNotices(config.stateDir, this.log);
    this.services = services;
    this.buckets = appBuckets(services.outbox?.qpsPerApi);
    for (const g of config.groups) this.add(g);
    const [first] = this.groups;
    if (!first) throw new Error('An app bridge serves at least one group');
    this.first = first;
  }

  /** A group's Bridge over the app's parts; not started. */
  private add(g: GroupSpec): Served {
    const { config, services } = this;
    const bridge = new Bridge(
      {
        groupId: g.groupId,
        ccccHome: config.ccccHome,
        stateDir: g.stateDir,
        credentials: config.credentials,
        endpoints: config.endpoints,
        settings: config.settings,
      },
      {
        ...services,
        logger: (services.logger ?? silentLogger).child(g.groupId),
        outbox: { ...services.outbox, buckets: this.buckets },
        app: {
          api: this.api,
          usage: this.usage,
          cardPermissions: this.cardPermissions,
          stream: this.stream,
          daemon: this.daemon,
          ledgerClock: this.ledgerClock,
          label: g.title,
          severalGroups: () => this.groups.filter((x) => x.up).length > 1,
        },
      },
    );
    bridge.on('status', () => this.emit('status', this.status()));
    bridge.on('pending', (notice) => this.emit('pending', notice));
    bridge.on('problem', (problem) => this.emit('problem', problem));
    bridge.on('subscribed', (chatId) => void this.moved(g.groupId, chatId));
    const served: Served = { id: g.groupId, title: g.title, bridge, up: false };
    this.groups.push(served);
    // Every group listens to the one connection's state.
    this.stream.setMaxListeners(this.groups.length + 10);
    return served;
  }

  get settings(): BridgeSettings {
    return this.config.settings;
  }

  get apiCounter(): CallCounter {
    return this.usage.counter;
  }

  updateSettings(patch: Partial<BridgeSettings>): void {
    Object.assign(this.config.settings, patch);
  }

  /**
   * Starts every group, then the one connection. A group that cannot start (gone, its ledger
   * unreadable) is reported and left out; the others serve their chats. Rejects only when none can.
   */
  async start(): Promise<void> {
    if (this.state !== 'stopped' && this.state !== 'error') return;
    this.state = 'starting';
    await mkdir(this.config.stateDir, { recursive: true, mode: 0o700 });
    await this.usage.open();
    this.daemon.monitor.start();
    const failures: unknown[] = [];
    for (const g of this.groups) {
      try {
        await g.bridge.start();
        await this.served(g);
      } catch (err) {
        failures.push(err);
        this.groupFailed(g, err);
      }
    }
    if (!this.groups.some((g) => g.up)) {
      this.daemon.monitor.stop();
      await this.usage.close();
      this.state = 'error';
      throw failures[0];
    }
    this.stream.start();
    this.state = 'running';
    // Chats of a group gone since the last run hear it now (once: gone-notices.ts).
    await this.checkGroups();
    this.scheduleCheck();
  }

  /** A group started: it runs, and should it go again, its chats will hear it again. */
  private async served(g: Served): Promise<void> {
    g.up = true;
    await this.gone.forget(g.id);
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.closing = true;
    clearTimeout(this.checkTimer);
    this.checkTimer = undefined;
    await this.checking;
    await this.stream.stop();
    for (const g of this.groups) {
      await g.bridge.stop();
      g.up = false;
      await g.release?.().catch((err: unknown) => this.log.warn('Could not release a group’s instance lock', { group: g.id, code: toProblem(err).code }));
    }
    this.daemon.monitor.stop();
    // Groups found while running are let go with their locks: a next start finds and claims them again.
    for (const g of this.groups.filter((x) => x.release)) this.groups.splice(this.groups.indexOf(g), 1);
    await this.usage.close();
    this.state = 'stopped';
    this.closing = false;
    this.emit('status', this.status());
  }

  reconnect(reason: string): void {
    if (this.state === 'stopped' || this.state === 'error') return;
    this.stream.reconnect(reason);
    void this.daemon.monitor.checkNow().catch(() => undefined);
  }

  async idle(): Promise<void> {
    for (const g of this.groups) await g.bridge.idle();
  }

  /** The worst of the groups' states (a group left out counts as degraded), queues added up. */
  status(): BridgeStatus {
    const all = this.groups.map((g) => ({ g, s: g.bridge.status() }));
    const up = all.filter(({ g }) => g.up);
    const states = [this.state, ...up.map(({ s }) => s.state), ...(this.state === 'running' && up.length < all.length ? ['degraded' as const] : [])];
    const worst = states.reduce((a, b) => (SEVERITY[b] > SEVERITY[a] ? b : a));
    const problem = all.map(({ s }) => s.lastProblem).find((p) => p !== undefined);
    return {
      state: worst,
      dingtalk: this.stream.state,
      cccc: this.daemon.monitor.state,
      outboxDepth: all.reduce((n, { s }) => n + s.outboxDepth, 0),
      toCcccDepth: all.reduce((n, { s }) => n + s.toCcccDepth, 0),
      ...(problem ? { lastProblem: problem } : {}),
    };
  }

  /** One view for the dashboard: every group's chats and requests together, and each group with its own. */
  async inspect(): Promise<BridgeView> {
    const first = await this.first.bridge.inspect();
    const views = [{ g: this.first, v: first }, ...(await Promise.all(this.groups.slice(1).map(async (g) => ({ g, v: await g.bridge.inspect() }))))];
    const sum = (k: keyof BridgeView['queues']): number => views.reduce((n, { v }) => n + v.queues[k], 0);
    return {
      ...first,
      status: this.status(),
      queues: { received: sum('received'), toCccc: sum('toCccc'), toDingTalk: sum('toDingTalk') },
      chats: views.flatMap(({ g, v }) => v.chats.map((c) => ({ ...c, groupId: g.id }))),
      pending: views.flatMap(({ g, v }) => v.pending.map((p) => ({ ...p, groupId: g.id }))),
      groups: views.map(({ g, v }) => ({ groupId: g.id, title: g.title, state: g.up ? v.status.state : 'error', chats: v.chats.length })),
    };
  }

  /** Approves a request of whichever group it was made in. */
  async approve(key: string): Promise<{ chatId: string }> {
    return (await this.holderOf(key)).bridge.approve(key);
  }

  async reject(key: string): Promise<void> {
    return (await this.holderOf(key)).bridge.reject(key);
  }

  /** Sends a test card through the group the chat is subscribed to (Bridge.sendTestCard). */
  async sendTestCard(chatId: string, templateId: string): Promise<void> {
    return ((await this.boundGroup(chatId)) ?? this.first).bridge.sendTestCard(chatId, templateId);
  }

  private async holderOf(key: string): Promise<Served> {
    for (const g of this.groups) if ((await g.bridge.pending().catch(() => [])).some((r) => r.key === key)) return g;
    return this.first;
  }

  /** The group a chat is subscribed to, if any (CCCC's IM state of each group, in the profile's order). */
  private boundGroup(chatId: string): Promise<Served | undefined> {
    return this.firstServed((b) => b.serves(chatId));
  }

  /** The first group that runs and answers yes (a group that cannot answer counts as no). */
  private async firstServed(test: (bridge: Bridge) => Promise<boolean>): Promise<Served | undefined> {
    for (const g of this.groups) if (g.up && (await test(g.bridge).catch(() => false))) return g;
    return undefined;
  }

  /**
   * The group whose approval a chat bound nowhere waits for: it talks to that group, so its
   * people become known there and a press on that group's request card names them.
   */
  private awaitingGroup(chatId: string): Promise<Served | undefined> {
    return this.firstServed(async (b) => (await b.pending()).some((r) => r.chatId === chatId));
  }

  /** A chat that is bound nowhere talks to the first group that runs (its "not subscribed" answers). */
  private fallback(): Served {
    const g = this.groups.find((x) => x.up);
    if (g) return g;
    throw new LocalHoldError({ code: 'bridge.not_running', message: 'No group of this bridge runs; DingTalk will send this message again', retryable: true });
  }

  /** Hands a person's message to the chat's group, or answers the commands that choose one. */
  private async route(m: InboundMessage): Promise<void> {
    const bound = await this.boundGroup(m.conversationId);
    const command = readGroupCommand(m);
    const served = this.groups.filter((g) => g.up);
    const t = GROUP_REPLIES[this.settings.replyLanguage];
    const answer = (text: string): Promise<void> => (bound ?? this.fallback()).bridge.tell(chatAddressOf(m), { kind: 'markdown', title: t.title, text });
    if (command?.name === 'groups') return answer(t.list(groupLines(served, bound?.id)));
    if (command?.name === 'subscribe') {
      if (command.group === undefined)
        return served.length > 1 ? answer(t.choose(groupLines(served, bound?.id))) : (bound ?? this.fallback()).bridge.onInbound(m);
      const chosen = findGroup(served, command.group);
      if (!chosen) return answer(t.unknown(command.group, groupLines(served, bound?.id)));
      // The request and its key go to the chosen group's IM state, as CCCC would keep them.
      return chosen.bridge.onInbound(asPlainSubscribe(m));
    }
    return (bound ?? (await this.awaitingGroup(m.conversationId)) ?? this.fallback()).bridge.onInbound(m);
  }

  /**
   * A card's button was pressed: the group whose card registry has the card handles it; a card no
   * group knows goes to the first group that runs, which redraws it as expired.
   */
  private async pressed(frame: { topic: string; data: unknown }): Promise<void> {
    const press = cardPressOf(frame, this.log);
    if (!press) return;
    // As in a one-group bridge (Bridge.pressed): the messages received before the press go first.
    await this.pressOrder.run(() => this.handOver(press));
  }

  private async handOver(press: CardPress): Promise<void> {
    const g = (await this.firstServed((b) => b.ownsCard(press.outTrackId))) ?? this.groups.find((x) => x.up);
    if (!g) return this.log.info('A card button was pressed while no group runs', { card: press.outTrackId });
    await g.bridge.pressed(press);
  }

  private async refuse(refusal: Refusal): Promise<void> {
    const chatId = refusal.chat?.conversationId;
    const g = (chatId ? await this.boundGroup(chatId) : undefined) ?? this.fallback();
    return g.bridge.onRefused(refusal);
  }

  /** A chat approved in one group leaves the others it was subscribed to: it moved. */
  private async moved(to: string, chatId: string): Promise<void> {
    for (const g of this.groups) {
      if (g.id === to || !g.up) continue;
      try {
        if (!(await g.bridge.serves(chatId))) continue;
        await g.bridge.revoke(chatId);
        this.log.info('Chat moved to another group', { chat: chatId, from: g.id, to });
      } catch (err) {
        this.log.warn('Could not unsubscribe a moved chat from its old group', { chat: chatId, group: g.id, code: toProblem(err).code });
      }
    }
  }

  private scheduleCheck(): void {
    this.checkTimer = setTimeout(() => {
      this.checking = this.checkGroups().finally(() => {
        this.checking = undefined;
        if (this.state === 'running' && !this.closing) this.scheduleCheck();
      });
    }, this.checkMs);
    this.checkTimer.unref();
  }

  /**
   * A group whose folder is gone (deleted in CCCC) stops being served: its chats hear it once,
   * through a group still served, and the other groups go on as before. A group gone before it
   * could start is told the same way.
   */
  private async checkGroups(): Promise<void> {
    for (const g of this.groups) {
      if (this.closing) return;
      if (await groupExists(this.config.ccccHome, g.id)) continue;
      if (g.up) {
        g.up = false;
        await g.bridge.stop().catch((err: unknown) => this.log.warn('Could not stop a group that is gone', { group: g.id, code: toProblem(err).code }));
        this.groupFailed(g, new Error(`CCCC group ${g.id} (${g.title}) is gone`));
      }
      await this.tellGone(g);
    }
    await this.discover();
    this.emit('status', this.status());
  }

  /** Tells each chat of a gone group that has not heard it yet (and is bound to no group still served). */
  private async tellGone(g: Served): Promise<void> {
    const via = this.groups.find((x) => x.up);
    if (!via) return;
    for (const chat of await g.bridge.knownChats().catch(() => [])) {
      if (await this.gone.told(g.id, chat.conversationId)) continue;
      // A chat that moved to a group still served has nothing to hear about this one.
      if (await this.boundGroup(chat.conversationId)) continue;
      try {
        await via.bridge.tell(chat, { kind: 'text', content: GROUP_REPLIES[this.settings.replyLanguage].gone(g.title) });
        await this.gone.remember(g.id, chat.conversationId);
      } catch (err) {
        this.log.warn('Could not tell a chat its group is gone', { chat: chat.conversationId, code: toProblem(err).code });
      }
    }
  }

  /**
   * With every group of the CCCC served: the groups created since are claimed (as at start:
   * CCCC's own bridge checked, the group's lock taken) and started. One that may not be served is
   * said once and tried again at the next check; one that cannot start is left out, as at start.
   */
  private async discover(): Promise<void> {
    const found = this.config.discovery;
    if (!found) return;
    const ids = await found.groupIds().catch((err: unknown) => {
      this.log.warn('Could not look for new CCCC groups', { code: toProblem(err).code });
      return [];
    });
    for (const id of ids) {
      if (this.closing) return;
      if (this.groups.some((g) => g.id === id)) continue;
      let claimed: Awaited<ReturnType<GroupDiscovery['claim']>>;
      try {
        claimed = await found.claim(id);
      } catch (err) {
        this.refusedOnce(id, err);
        continue;
      }
      const g = this.add(claimed.spec);
      g.release = claimed.release;
      this.refusedNew.delete(id);
      try {
        await g.bridge.start();
        await this.served(g);
        this.log.info('Serving a CCCC group created while running', { group: id, title: g.title });
      } catch (err) {
        this.groupFailed(g, err);
      }
    }
  }

  private refusedOnce(groupId: string, err: unknown): void {
    const code = toProblem(err).code;
    if (this.refusedNew.get(groupId) === code) return;
    this.refusedNew.set(groupId, code);
    this.groupFailed({ id: groupId }, err);
  }

  private groupFailed(g: Pick<Served, 'id'>, err: unknown): void {
    const problem: Problem = { ...toProblem(err, 'cccc.group'), details: { groupId: g.id } };
    this.log.error(`Group ${g.id} cannot be served: ${problem.message}`, { code: problem.code });
    this.emit('problem', problem);
  }
}

async function groupExists(ccccHome: string, groupId: string): Promise<boolean> {
  return access(join(ccccHome, 'groups', groupId, 'group.yaml')).then(
    () => true,
    () => false,
  );
}
