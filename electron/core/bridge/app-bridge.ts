/**
 * One DingTalk app serving several CCCC groups (docs/architecture.md §1). The app-level part owns
 * what DingTalk counts per app — the Stream connection, the OpenAPI client, the count of calls
 * and the outbox's token buckets — and one Bridge per group owns what is per group: its ledger
 * follower and cursor, outbox, held messages, IM state, chats and state folder. Each chat is
 * bound to the group whose IM state subscribed it: a person's message goes to that group only,
 * and a group's agents write only to the chats subscribed in it. `/groups` and the group a
 * `/subscribe` names are read here, before a group is chosen (group-choice.ts); the rest is the
 * group's own. Controls see it as one bridge: the same status(), inspect(), approve() as Bridge.
 */
import { EventEmitter } from 'node:events';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DingTalkCredentials, DingTalkEndpoints } from '../dingtalk/endpoints';
import type { CallCounter } from '../dingtalk/http';
import type { InboundMessage } from '../dingtalk/inbound-message';
import { DingTalkApi } from '../dingtalk/openapi-client';
import { StreamClient, type Refusal } from '../dingtalk/stream-client';
import { toProblem, type Problem } from '../errors';
import { GROUP_REPLIES } from '../i18n/groups';
import { silentLogger, type Logger } from '../log/logger';
import { LocalHoldError } from '../util/local-failure';
import { ApiUsage } from './api-usage/api-usage';
import { Bridge, type BridgeEvents, type BridgeServices, type BridgeState, type BridgeStatus, type BridgeView } from './bridge';
import { chatAddressOf } from './chat-address';
import { asPlainSubscribe, findGroup, groupLines, readGroupCommand, type ServedGroup } from './group-choice';
import { appBuckets } from './outbox';
import type { BridgeSettings } from './settings';

/** A group the app serves: its id, its title (said with its agents' messages), its own state folder. */
export interface GroupSpec {
  groupId: string;
  title: string;
  stateDir: string;
}

export interface AppBridgeConfig {
  /** The first keeps the state folder a one-group bridge always had (and the app's API usage). */
  groups: GroupSpec[];
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
}

export class AppBridge extends EventEmitter<BridgeEvents> {
  private readonly log: Logger;
  private readonly usage: ApiUsage;
  private readonly api: DingTalkApi;
  private readonly stream: StreamClient;
  private readonly groups: Served[];
  /** The first group: its state folder is the one a one-group bridge always had. */
  private readonly first: Served;
  private state: BridgeState = 'stopped';
  /** One timer for the whole app (not one per group): are the groups still there? */
  private checkTimer: NodeJS.Timeout | undefined;
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
    this.api = new DingTalkApi({ credentials: config.credentials, endpoints: config.endpoints, logger: this.log, counter: this.usage.counter });
    this.stream = new StreamClient({
      credentials: config.credentials,
      endpoints: config.endpoints,
      logger: this.log,
      keep: (m) => this.route(m),
      onRefused: (refusal) => this.refuse(refusal),
      counter: this.usage.counter,
      ...services.stream,
    });
    // Every group listens to the one connection's state.
    this.stream.setMaxListeners(config.groups.length + 10);
    const buckets = appBuckets(services.outbox?.qpsPerApi);
    this.groups = config.groups.map((g) => {
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
          outbox: { ...services.outbox, buckets },
          app: { api: this.api, usage: this.usage, stream: this.stream, label: g.title },
        },
      );
      bridge.on('status', () => this.emit('status', this.status()));
      bridge.on('pending', (notice) => this.emit('pending', notice));
      bridge.on('problem', (problem) => this.emit('problem', problem));
      bridge.on('subscribed', (chatId) => void this.moved(g.groupId, chatId));
      return { id: g.groupId, title: g.title, bridge, up: false };
    });
    const [first] = this.groups;
    if (!first) throw new Error('An app bridge serves at least one group');
    this.first = first;
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
    const failures: unknown[] = [];
    for (const g of this.groups) {
      try {
        await g.bridge.start();
        g.up = true;
      } catch (err) {
        failures.push(err);
        this.groupFailed(g, err);
      }
    }
    if (!this.groups.some((g) => g.up)) {
      await this.usage.close();
      this.state = 'error';
      throw failures[0];
    }
    this.stream.start();
    this.scheduleCheck();
    this.state = 'running';
    this.emit('status', this.status());
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    clearTimeout(this.checkTimer);
    this.checkTimer = undefined;
    await this.stream.stop();
    for (const g of this.groups) {
      await g.bridge.stop();
      g.up = false;
    }
    await this.usage.close();
    this.state = 'stopped';
    this.emit('status', this.status());
  }

  reconnect(reason: string): void {
    if (this.state === 'stopped' || this.state === 'error') return;
    this.stream.reconnect(reason);
    for (const g of this.groups) g.bridge.reconnect(reason);
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
      cccc: (up[0]?.g ?? this.first).bridge.status().cccc,
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
  private async boundGroup(chatId: string): Promise<Served | undefined> {
    for (const g of this.groups) if (g.up && (await g.bridge.serves(chatId).catch(() => false))) return g;
    return undefined;
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
    return (bound ?? this.fallback()).bridge.onInbound(m);
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
    this.checkTimer = setTimeout(() => void this.checkGroups().finally(() => this.state === 'running' && this.scheduleCheck()), this.checkMs);
    this.checkTimer.unref();
  }

  /**
   * A group whose folder is gone (deleted in CCCC) stops being served: its chats hear it once,
   * through a group still served, and the other groups go on as before.
   */
  private async checkGroups(): Promise<void> {
    for (const g of this.groups) {
      if (!g.up || (await groupExists(this.config.ccccHome, g.id))) continue;
      g.up = false;
      const chats = await g.bridge.knownChats().catch(() => []);
      await g.bridge.stop().catch((err: unknown) => this.log.warn('Could not stop a group that is gone', { group: g.id, code: toProblem(err).code }));
      this.groupFailed(g, new Error(`CCCC group ${g.id} (${g.title}) is gone`));
      const via = this.groups.find((x) => x.up);
      if (!via) continue;
      for (const chat of chats) {
        // A chat that moved to a group still served has nothing to hear about this one.
        if (await this.boundGroup(chat.conversationId)) continue;
        await via.bridge
          .tell(chat, { kind: 'text', content: GROUP_REPLIES[this.settings.replyLanguage].gone(g.title) })
          .catch((err: unknown) => this.log.warn('Could not tell a chat its group is gone', { chat: chat.conversationId, code: toProblem(err).code }));
      }
    }
    this.emit('status', this.status());
  }

  private groupFailed(g: Served, err: unknown): void {
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
