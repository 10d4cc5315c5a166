/**
 * The control services behind the UI, shared by the desktop app (over IPC) and `serve` (over
 * HTTP): every method of the API table (electron/shared/api.ts), and the events the UI listens
 * to. The host brings its stores and its few powers (stores.ts); everything else is here.
 *
 * Secrets only travel inward. Every result and every event is scrubbed of every secret the
 * services know before it leaves; every failure leaves as a BridgeError (code, sentence, hint).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isAllowedExternal,
  isDingTalkBase,
  isSafeCustomBase,
  type AppSettingsView,
  type EndpointName,
  type ApiEvent,
  type ApiHandlers,
  type ApiMethod,
  type AuditView,
  type BridgeDetail,
  type BridgeSummary,
  type ChatView,
  type CheckView,
  type PendingView,
  type ProblemView,
} from '../../shared/api';
import type { BridgeServices } from '../bridge/bridge';
import { ChatDirectory } from '../bridge/chat-directory';
import { readBridgeRecords } from '../bridge/inspection';
import { DaemonGroup } from '../bridge/adapters/daemon-group';
import { readHeldCounts } from '../bridge/outbound/held';
import { bridgeSettingsSchema } from '../bridge/settings';
import { DaemonClient, resolveCcccHome } from '../cccc/daemon';
import { readGroupConfig } from '../cccc/group/group-config';
import { ImState } from '../cccc/im-state/im-state';
import { bridgePaths } from '../config/paths';
import { troubleshootingSteps, type TroubleshootContext } from '../config/troubleshooting';
import { endpointsFromEnv, type DingTalkCredentials, type DingTalkEndpoints } from '../dingtalk/endpoints';
import { DingTalkApi } from '../dingtalk/openapi-client';
import { probeStream } from '../dingtalk/stream-probe';
import { BridgeError, toProblem, type Problem } from '../errors';
import { AuditLog } from '../log/audit';
import type { BackoffPolicy } from '../util/backoff';
import { ccccOverview } from './cccc-info';
import type { LogHub } from './log-hub';
import type { AppSettingsStore, ControlProfile, HostAdapter, ProfileStore, SandboxHost, SecretStore } from './stores';
import { Supervisor } from './supervisor';
import { problemView, scrub } from './views';

export interface ControlServiceOptions {
  profiles: ProfileStore;
  secrets: SecretStore;
  appSettings: AppSettingsStore;
  host: HostAdapter;
  logHub: LogHub;
  /** Where bridge state lives (`<configHome>/bridges/<id>/`); names us in instance locks. */
  configHome: string;
  /** What we are, for the instance locks: the desktop app, or `serve`. */
  hostKind: 'app' | 'serve';
  /** Environment: CCCC_HOME, DINGTALK_API_BASE, secrets named by profiles. Default process.env. */
  env?: NodeJS.ProcessEnv;
  bridgeServices?: Omit<BridgeServices, 'logger' | 'secrets'>;
  restartBackoff?: BackoffPolicy;
  drainMs?: number;
  logFiles?: boolean;
  /** How long the credential test waits for the Stream connection; default 15 s. */
  streamProbeTimeoutMs?: number;
  /** How long to wait for the CCCC daemon's answers; default 3 s. */
  daemonTimeoutMs?: number;
  /** The DingTalk sandbox ("try it first"); absent in a build without it. Stopped by close(). */
  sandbox?: SandboxHost;
}

export interface ControlEvents {
  /** Calls `listener` with every event; returns the unsubscribe function. */
  subscribe(listener: (event: ApiEvent) => void): () => void;
}

export interface ControlService {
  handlers: ApiHandlers;
  events: ControlEvents;
  supervisor: Supervisor;
  /** Stops every bridge (outboxes stay on disk) and every listener. */
  close(): Promise<void>;
}

const MAX_KNOWN_SECRETS = 64;

function unknownBridge(id: string): BridgeError {
  return new BridgeError({ code: 'config.unknown_bridge', message: `No bridge "${id}"`, hint: 'It may have been deleted; reload the list.', retryable: false });
}

/** `demo-project-3fa2c1`: readable, and unlikely to meet an id the CLI made in the same folder. */
function newBridgeId(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `${slug || 'bridge'}-${randomBytes(3).toString('hex')}`;
}

function failed(problem: Problem, steps: string[]): CheckView {
  const view = problemView(problem);
  if (steps.length > 0) view.details = { ...view.details, steps };
  return { state: 'failed', problem: view };
}

export function createControlService(options: ControlServiceOptions): ControlService {
  const { profiles, secrets, appSettings, host, logHub, configHome } = options;
  const env = options.env ?? process.env;
  const log = logHub.logger('control');

  // Every secret we have seen, to scrub from results, events and logs.
  const known = new Set<string>();
  // The sandbox's AppSecret is a public test value: masking it would only break "try it first".
  const remember = (secret: string | undefined): void => {
    if (!secret || known.has(secret) || secret === options.sandbox?.info()?.appSecret) return;
    known.add(secret);
    if (known.size > MAX_KNOWN_SECRETS) known.delete(known.values().next().value as string);
  };
  const knownSecrets = (): string[] => [...known];
  logHub.addSecrets(knownSecrets);

  // The sandbox's own endpoints, for its app only: the app-wide setting is never rewritten for it.
  const sandboxEndpoints = (appKey: string): DingTalkEndpoints | undefined => {
    const sb = options.sandbox?.info();
    return sb && sb.appKey === appKey ? { apiBase: sb.apiBase, oapiBase: sb.oapiBase } : undefined;
  };

  /** In custom endpoint mode, a secret stored before the endpoint was set never goes there. */
  const refuseStaleSecret = async (profile: ControlProfile): Promise<void> => {
    if (sandboxEndpoints(profile.appKey)) return;
    const since = (await appSettings.get()).customEndpointSince;
    if (since === undefined) return;
    const setAt = profile.secretEnv ? undefined : await secrets.updatedAt(profile.id);
    if (setAt !== undefined && setAt >= since) return;
    throw new BridgeError({
      code: 'config.secret_reenter',
      message: `The AppSecret of "${profile.name}" was stored before the custom DingTalk endpoint was set, so it is not sent there`,
      hint: "Enter the AppSecret again in the bridge's settings (a custom endpoint only gets secrets typed after it was chosen).",
      retryable: false,
    });
  };

  const secretFor = async (profile: ControlProfile): Promise<string> => {
    await refuseStaleSecret(profile);
    if (profile.secretEnv) {
      const value = env[profile.secretEnv]?.trim();
      if (!value) {
        throw new BridgeError({
          code: 'config.env_missing',
          message: `${profile.secretEnv} is not set — the AppSecret of "${profile.name}" is read from it`,
          hint: `Set ${profile.secretEnv} in the environment that starts the bridge, or type the AppSecret in the bridge's settings instead.`,
          retryable: false,
          details: { variables: [profile.secretEnv] },
        });
      }
      remember(value);
      return value;
    }
    const value = await secrets.get(profile.id);
    if (!value) {
      throw new BridgeError({
        code: 'config.secret_missing',
        message: `No AppSecret is stored for "${profile.name}"`,
        hint: "Enter the AppSecret (Client Secret, from Credentials & Basic Info in the DingTalk developer console) in the bridge's settings.",
        retryable: false,
      });
    }
    remember(value);
    return value;
  };

  // A vault secret is in memory only once decrypted, and secretFor remembers it then: decrypting
  // all of them up front would defeat "decrypted only to connect" (and prompt the keychain at
  // launch). Secrets named by environment variables are in memory from the start: know them now.
  const ready = (async () => {
    for (const p of await profiles.list().catch(() => [])) if (p.secretEnv) remember(env[p.secretEnv]?.trim());
  })();

  // A stored base that is not DingTalk's counts only in custom endpoint mode: one written by an
  // older version (or by hand) must not redirect secrets.
  const storedBase = (s: AppSettingsView, which: EndpointName): string | undefined => {
    const url = s[which];
    return url && (s.customEndpointSince !== undefined || isDingTalkBase(url, which)) ? url : undefined;
  };
  const appEndpoints = async (): Promise<DingTalkEndpoints> => {
    const s = await appSettings.get();
    const apiBase = storedBase(s, 'apiBase');
    const oapiBase = storedBase(s, 'oapiBase');
    return endpointsFromEnv(env, { ...(apiBase ? { apiBase } : {}), ...(oapiBase ? { oapiBase } : {}) });
  };
  const endpointsFor = async (appKey: string): Promise<DingTalkEndpoints> => sandboxEndpoints(appKey) ?? appEndpoints();

  const sandboxHost = (): SandboxHost => {
    if (options.sandbox) return options.sandbox;
    throw new BridgeError({ code: 'app.sandbox_unavailable', message: 'The sandbox is not available in this build', retryable: false });
  };
  const stopSandbox = async (): Promise<boolean> => {
    const running = options.sandbox?.info() !== undefined;
    await options.sandbox?.stop();
    return running;
  };

  /** Checks an apiBase/oapiBase change; the secret of custom endpoint mode is stored by the caller. */
  const checkEndpoint = (which: EndpointName, url: string, custom: boolean): void => {
    if (isDingTalkBase(url, which)) return;
    const official = `https://${which === 'apiBase' ? 'api' : 'oapi'}.dingtalk.com`;
    if (!custom) {
      throw new BridgeError({
        code: 'config.endpoint_not_dingtalk',
        message: `${url} is not DingTalk's address (${official}): the AppSecret is sent only to DingTalk`,
        hint: 'For a private deployment, turn on custom endpoint mode and enter the AppSecret again with it.',
        retryable: false,
        details: { field: which },
      });
    }
    if (!isSafeCustomBase(url)) {
      throw new BridgeError({
        code: 'config.endpoint_insecure',
        message: `${url} would carry the AppSecret unencrypted: a custom endpoint must use https (plain http only on this machine)`,
        retryable: false,
        details: { field: which },
      });
    }
  };

  const supervisor = new Supervisor({
    profiles,
    secretFor,
    logHub,
    configHome,
    env,
    endpoints: (profile) => endpointsFor(profile.appKey),
    host: options.hostKind,
    secrets: knownSecrets,
    ...(options.bridgeServices ? { bridgeServices: options.bridgeServices } : {}),
    ...(options.restartBackoff ? { restartBackoff: options.restartBackoff } : {}),
    ...(options.drainMs !== undefined ? { drainMs: options.drainMs } : {}),
    ...(options.logFiles !== undefined ? { logFiles: options.logFiles } : {}),
  });

  // ---- events ---------------------------------------------------------------------------------
  const listeners = new Set<(event: ApiEvent) => void>();
  const emit = (event: ApiEvent): void => {
    const safe = scrub(event, knownSecrets());
    for (const listener of listeners) {
      try {
        listener(safe);
      } catch {
        // Not logged: the log record would be an event for the same failing listener.
      }
    }
  };
  supervisor.on('event', (e) => {
    if (e.type === 'bridge-status') emit(e);
    else if (e.type === 'problem') {
      emit({ type: 'problem', bridgeId: e.bridgeId, problem: problemView(e.problem) });
    } else {
      const n = e.notice;
      const pending: PendingView = { key: n.key, chatId: n.chatId, createdAt: n.createdAt, expiresAt: n.expiresAt, senderNick: n.senderNick };
      if (n.chatTitle) pending.chatTitle = n.chatTitle;
      // Desktop notifications come from these events (desktop/tray TrayNotifier, shown by the app).
      emit({ type: 'pending', bridgeId: e.bridgeId, pending });
    }
  });
  const unsubscribeLogs = logHub.subscribe((record) => emit({ type: 'log', record }));

  // ---- helpers ----------------------------------------------------------------------------------
  const profileOf = async (id: string): Promise<ControlProfile> => {
    const p = await profiles.get(id);
    if (!p) throw unknownBridge(id);
    return p;
  };
  const ccccHomeOf = (p: ControlProfile): string => p.ccccHome ?? resolveCcccHome({ env });
  const daemonOf = (p: ControlProfile): DaemonClient => new DaemonClient({ home: ccccHomeOf(p), retries: 0, logger: log });
  const daemonCall = { timeoutMs: options.daemonTimeoutMs ?? 3_000, retries: 0 };

  const summary = async (p: ControlProfile): Promise<BridgeSummary> => {
    const updatedAt = p.secretEnv ? undefined : await secrets.updatedAt(p.id);
    const s: BridgeSummary = {
      id: p.id,
      name: p.name,
      groupId: p.groupId,
      appKey: p.appKey,
      secretSet: p.secretEnv ? Boolean(env[p.secretEnv]?.trim()) : updatedAt !== undefined,
      secretSource: p.secretEnv ? 'env' : 'vault',
      autoStart: p.autoStart,
      settings: p.settings,
      status: supervisor.status(p.id),
    };
    if (p.ccccHome) s.ccccHome = p.ccccHome;
    if (p.robotCode) s.robotCode = p.robotCode;
    if (p.secretEnv) s.secretEnv = p.secretEnv;
    if (updatedAt !== undefined) s.secretUpdatedAt = updatedAt;
    return s;
  };

  const guide = (p: Pick<ControlProfile, 'secretEnv' | 'groupId' | 'ccccHome'> | undefined, apiBase: string): TroubleshootContext => ({
    apiBase,
    ccccHome: p ? ccccHomeOf(p as ControlProfile) : resolveCcccHome({ env }),
    groupId: p?.groupId ?? '',
    checkCredentials: p?.secretEnv
      ? `Check that ${p.secretEnv} holds the AppSecret, in the environment that starts the bridge, and that the AppKey in the bridge's settings is right`
      : 'Check the AppKey and AppSecret in the bridge settings: copy them again from Credentials & Basic Info',
    restart: 'Restart the bridge (Stop, then Start)',
    setCcccHome: "the CCCC home field in the bridge's settings",
    setGroup: "choose the group in the bridge's settings",
  });

  const detail = async (p: ControlProfile): Promise<BridgeDetail> => {
    const base = await summary(p);
    const running = supervisor.running(p.id);
    const home = ccccHomeOf(p);
    const groupDir = join(home, 'groups', p.groupId);
    const state = bridgePaths(configHome, p.id).state;
    // A running bridge reads its live stores; a stopped one is read from the same files.
    const inspection = running ? running.inspect() : readBridgeRecords({ im: new ImState({ groupDir }), chats: new ChatDirectory(state, { readOnly: true }) });
    const held = await readHeldCounts(state).catch(() => new Map<string, number>());
    const group = new DaemonGroup(daemonOf(p), p.groupId);
    const [actors, info, yaml, { chats, pending, people }] = await Promise.all([
      group.actors().catch(() => []),
      group.info().catch(() => undefined),
      readGroupConfig(groupDir).catch(() => undefined),
      inspection,
    ]);
    const chatViews: ChatView[] = chats.map((c) => {
      const view: ChatView = {
        chatId: c.chatId,
        type: c.type ?? 'group',
        subscribed: c.subscription?.subscribed ?? false,
        verbose: c.subscription?.verbose ?? false,
        paused: c.subscription?.paused ?? false,
        heldCount: held.get(c.chatId) ?? 0,
      };
      if (c.title) view.title = c.title;
      if (c.lastMessageAt !== undefined) view.lastMessageAt = c.lastMessageAt;
      return view;
    });
    chatViews.sort((a, b) => Number(b.subscribed) - Number(a.subscribed) || (b.lastMessageAt ?? 0) - (a.lastMessageAt ?? 0));
    const groupTitle = info?.title || yaml?.title;
    return {
      ...base,
      ...(groupTitle ? { groupTitle } : {}),
      actors: actors.map((a) => ({ id: a.id, title: a.title, role: a.role, running: a.running, ...(a.runtime ? { runtime: a.runtime } : {}) })),
      chats: chatViews,
      pending: pending.map((r) => {
        const notice = supervisor.notice(p.id, r.key);
        const view: PendingView = { key: r.key, chatId: r.chatId, createdAt: r.createdAt, expiresAt: r.expiresAt };
        const chatTitle = notice?.chatTitle || chats.find((c) => c.chatId === r.chatId)?.title;
        if (chatTitle) view.chatTitle = chatTitle;
        if (notice?.senderNick) view.senderNick = notice.senderNick;
        return view;
      }),
      people: people.map((x) => ({ staffId: x.staffId, nick: x.nick, isAdmin: x.isAdmin, lastSeen: x.lastSeen })),
    };
  };

  // ---- the table ----------------------------------------------------------------------------------
  const raw: ApiHandlers = {
    async listBridges() {
      return Promise.all((await profiles.list()).map(summary));
    },

    async getBridge({ bridgeId }) {
      return detail(await profileOf(bridgeId));
    },

    async saveBridge(input) {
      const existing = input.id ? await profiles.get(input.id) : undefined;
      if (input.id && !existing) throw unknownBridge(input.id);
      if (input.appSecret && input.secretEnv) {
        throw new BridgeError({
          code: 'config.invalid_option',
          message: 'Give the AppSecret or the name of the variable that holds it, not both',
          retryable: false,
        });
      }
      const robotCode = input.robotCode?.trim();
      const profile: ControlProfile = {
        id: existing?.id ?? newBridgeId(input.name),
        name: input.name,
        groupId: input.groupId,
        appKey: input.appKey,
        autoStart: input.autoStart ?? existing?.autoStart ?? false,
        settings: bridgeSettingsSchema.parse({ ...existing?.settings, ...input.settings }),
        createdAt: existing?.createdAt ?? Date.now(),
      };
      if (input.ccccHome) profile.ccccHome = input.ccccHome;
      if (robotCode) profile.robotCode = robotCode;
      if (input.secretEnv) profile.secretEnv = input.secretEnv;
      if (input.appSecret) {
        remember(input.appSecret);
        await secrets.set(profile.id, input.appSecret);
      }
      await profiles.save(profile);
      if (profile.secretEnv) remember(env[profile.secretEnv]?.trim());

      if (existing && supervisor.running(profile.id)) {
        const reconnect =
          input.appSecret !== undefined ||
          (['groupId', 'ccccHome', 'appKey', 'robotCode', 'secretEnv'] as const).some((k) => existing[k] !== profile[k]) ||
          existing.settings.catchUp !== profile.settings.catchUp ||
          existing.settings.auditContent !== profile.settings.auditContent;
        if (reconnect) {
          log.info('Restarting the bridge with its new settings', { bridge: profile.id });
          await supervisor
            .restart(profile.id)
            .catch((err: unknown) => log.warn('The bridge did not start again with its new settings', { bridge: profile.id, code: toProblem(err).code }));
        } else supervisor.updateSettings(profile.id, profile.settings);
      }
      emit({ type: 'bridges-changed' });
      return summary(profile);
    },

    async deleteBridge({ bridgeId }) {
      await profileOf(bridgeId);
      await supervisor.forget(bridgeId);
      await profiles.delete(bridgeId);
      await secrets.delete(bridgeId);
      await rm(bridgePaths(configHome, bridgeId).dir, { recursive: true, force: true });
      emit({ type: 'bridges-changed' });
      return { deleted: true as const };
    },

    async startBridge({ bridgeId }) {
      await profileOf(bridgeId);
      return supervisor.start(bridgeId);
    },

    async stopBridge({ bridgeId }) {
      await profileOf(bridgeId);
      return supervisor.stop(bridgeId);
    },

    async restartBridge({ bridgeId }) {
      await profileOf(bridgeId);
      return supervisor.restart(bridgeId);
    },

    async approvePending({ bridgeId, key }) {
      const p = await profileOf(bridgeId);
      const running = supervisor.running(bridgeId);
      // The running bridge also tells the chat; without it CCCC alone records the approval.
      if (running) return running.approve(key);
      return { chatId: (await daemonOf(p).imBindChat(p.groupId, key, daemonCall)).chat_id };
    },

    async rejectPending({ bridgeId, key }) {
      const p = await profileOf(bridgeId);
      const { rejected } = await daemonOf(p).imRejectPending(p.groupId, key, daemonCall);
      if (!rejected) {
        throw new BridgeError({
          code: 'cccc.pending_not_found',
          message: `No pending request ${key}`,
          hint: 'It may have expired or been handled already.',
          retryable: false,
        });
      }
      return { rejected: true as const };
    },

    async testCredentials(input) {
      const ep = await endpointsFor('bridgeId' in input ? (await profileOf(input.bridgeId)).appKey : input.appKey);
      let profile: ControlProfile | undefined;
      let credentials: DingTalkCredentials;
      if ('bridgeId' in input) {
        profile = await profileOf(input.bridgeId);
        let appSecret: string;
        try {
          appSecret = await secretFor(profile);
        } catch (err) {
          return { token: failed(toProblem(err), []), stream: { state: 'skipped' } };
        }
        credentials = { appKey: profile.appKey, appSecret, ...(profile.robotCode ? { robotCode: profile.robotCode } : {}) };
      } else {
        remember(input.appSecret);
        credentials = { appKey: input.appKey, appSecret: input.appSecret, ...(input.robotCode ? { robotCode: input.robotCode } : {}) };
      }
      const steps = (p: Problem): string[] => troubleshootingSteps(p, guide(profile, ep.apiBase));
      try {
        await new DingTalkApi({ credentials, endpoints: ep, logger: log }).checkCredentials();
      } catch (err) {
        const problem = toProblem(err, 'dingtalk.network');
        return { token: failed(problem, steps(problem)), stream: { state: 'skipped' } };
      }
      const token: CheckView = { state: 'ok' };
      const permissionProblem = await new DingTalkApi({ credentials, endpoints: ep, logger: log }).probeSendPermission();
      const permissions: CheckView = permissionProblem ? failed(permissionProblem, steps(permissionProblem)) : { state: 'ok' };
      // A running bridge already holds a connection: report it rather than open another.
      const running = profile && supervisor.running(profile.id);
      if (running) {
        const d = running.status().dingtalk;
        if (d.status === 'connected') return { token, permissions, stream: { state: 'ok', details: { runningBridge: true } } };
        if (d.status === 'reconnecting' || d.status === 'error') return { token, permissions, stream: failed(d.problem, steps(d.problem)) };
      }
      const problem = await probeStream(credentials, ep, options.streamProbeTimeoutMs ?? 15_000, log.child('credential-test'));
      return { token, permissions, stream: problem ? failed(problem, steps(problem)) : { state: 'ok' } };
    },

    async cccc({ ccccHome }) {
      return ccccOverview(ccccHome ?? resolveCcccHome({ env }), { env, timeoutMs: options.daemonTimeoutMs ?? 3_000 });
    },

    async logs(query) {
      return logHub.query(query);
    },

    async audit({ bridgeId, chatId, direction, limit }) {
      await profileOf(bridgeId);
      const audit = new AuditLog({ dir: join(bridgePaths(configHome, bridgeId).state, 'audit') });
      const records = await audit.read({ ...(limit ? { limit } : {}), ...(chatId ? { chat: chatId } : {}), ...(direction ? { direction } : {}) });
      return records.map(({ ref: _ref, ...r }): AuditView => r);
    },

    async exportLogs({ bridgeId }) {
      if (bridgeId) await profileOf(bridgeId);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const path = await host.chooseExportPath(`cccc-dingtalk-log${bridgeId ? `-${bridgeId}` : ''}-${stamp}.jsonl`);
      if (!path) return { cancelled: true as const };
      return { path, records: await logHub.exportTo(path, bridgeId ? { bridgeId } : {}) };
    },

    async getAppSettings() {
      return appSettings.get();
    },

    async setAppSettings({ customEndpoint, ...patch }) {
      const current = await appSettings.get();
      const next = { ...current };
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        if (value === null) delete (next as Record<string, unknown>)[key];
        else (next as Record<string, unknown>)[key] = value;
      }
      const changed = (['apiBase', 'oapiBase'] as const).filter((k) => patch[k] && patch[k] !== current[k]);
      for (const k of changed) checkEndpoint(k, patch[k]!, customEndpoint !== undefined);
      const custom = (['apiBase', 'oapiBase'] as const).some((k) => next[k] !== undefined && !isDingTalkBase(next[k], k));
      if (!custom) delete next.customEndpointSince;
      else if (customEndpoint && changed.length > 0) {
        // The secret typed with the endpoint is stored after `since`: it alone may go there.
        const profile = await profileOf(customEndpoint.bridgeId);
        if (profile.secretEnv) {
          throw new BridgeError({
            code: 'config.invalid_option',
            message: `"${profile.name}" reads its AppSecret from ${profile.secretEnv}; a custom endpoint needs it typed in`,
            hint: "Type the AppSecret in the bridge's settings instead of naming a variable, then set the custom endpoint.",
            retryable: false,
          });
        }
        next.customEndpointSince = Date.now();
        remember(customEndpoint.appSecret);
        await secrets.set(profile.id, customEndpoint.appSecret);
      }
      if (patch.launchAtLogin !== undefined && patch.launchAtLogin !== current.launchAtLogin) await host.setLaunchAtLogin?.(patch.launchAtLogin);
      await appSettings.save(next);
      emit({ type: 'app-settings', settings: next });
      return next;
    },

    async vault() {
      return secrets.info();
    },

    async openExternal({ url }) {
      if (!isAllowedExternal(url)) {
        throw new BridgeError({
          code: 'app.url_not_allowed',
          message: 'The app only opens https links to DingTalk, CCCC and GitHub',
          retryable: false,
          details: { url },
        });
      }
      return { opened: await host.openExternal(url) };
    },

    async startSandbox() {
      const info = await sandboxHost().start();
      known.delete(info.appSecret);
      return info;
    },

    async stopSandbox() {
      sandboxHost();
      return { stopped: await stopSandbox() };
    },
  };

  // Every result scrubbed, every failure a BridgeError with a scrubbed problem.
  const handlers = Object.fromEntries(
    (Object.keys(raw) as ApiMethod[]).map((method) => [
      method,
      async (input: never) => {
        await ready;
        try {
          return scrub(await (raw[method] as (i: never) => Promise<unknown>)(input), knownSecrets());
        } catch (err) {
          if (!(err instanceof BridgeError)) log.error(`${method} failed unexpectedly`, { error: err });
          const problem: ProblemView = scrub(problemView(toProblem(err)), knownSecrets());
          throw new BridgeError(problem);
        }
      },
    ]),
  ) as ApiHandlers;

  return {
    handlers,
    events: {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    supervisor,
    async close() {
      await supervisor.stopAll();
      await stopSandbox().catch((err: unknown) => log.warn('Stopping the sandbox failed', { error: err }));
      unsubscribeLogs();
      supervisor.removeAllListeners();
      listeners.clear();
    },
  };
}
