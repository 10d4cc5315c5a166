/**
 * Owns the running bridges of one host (the desktop app, or `serve`): one Bridge per profile,
 * started and stopped on request, started again with backoff when it fails for a reason that
 * may pass (never on rejected credentials or a refusal), reconnected after sleep or a network
 * change, stopped cleanly on quit (the outbox journal keeps what is not delivered yet).
 *
 * Before a bridge starts it must not compete with CCCC's own bridge or with another instance
 * of ours — the same guards as the CLI (core/config/guards) — nor with another bridge of this
 * very process (the instance locks cannot see those: they ignore their own pid).
 */
import { EventEmitter } from 'node:events';
import type { BridgeServices, BridgeStatus, PendingNotice } from '../bridge/bridge';
import { groupDiscovery, makeEngine, resolveGroups, type BridgeEngine } from '../bridge/served-groups';
import type { BridgeStatusView } from '../../shared/api';
import { resolveCcccHome } from '../cccc/daemon/home';
import { acquireInstanceLocks, ownBridgeProblems, type GuardTarget, type HeldLocks } from '../config/guards';
import { bridgePaths } from '../config/paths';
import type { DingTalkCredentials, DingTalkEndpoints } from '../dingtalk/endpoints';
import { BridgeError, toProblem, type Problem } from '../errors';
import { fileSink, openLogFile } from '../log/log-file';
import type { Logger } from '../log/logger';
import type { RotatingFile } from '../log/rotating-file';
import { backoffDelay, type BackoffPolicy } from '../util/backoff';
import type { LogHub } from './log-hub';
import { servedGroups, type BridgeProfile } from '../config/profile';
import type { ProfileStore } from './stores';
import { statusView, stoppedStatus } from './views';
import { waitAtMost } from '../util/sleep';

export interface SupervisorOptions {
  profiles: ProfileStore;
  /** The DingTalk credentials of a profile (app-secrets.ts); throws a BridgeError when one is missing. */
  credentialsFor: (profile: BridgeProfile) => Promise<DingTalkCredentials>;
  logHub: LogHub;
  /** Bridge state lives in `bridgePaths(configHome, id)`; also names us in the instance locks. */
  configHome: string;
  env: NodeJS.ProcessEnv;
  /** Where this bridge's DingTalk lives (the sandbox's app: the sandbox). */
  endpoints: (profile: BridgeProfile) => Promise<DingTalkEndpoints>;
  /** What we are, for the instance locks (others tell their users how to stop us). */
  host: 'app' | 'serve';
  /** Every secret to keep out of logs and audit records. */
  secrets: () => readonly string[];
  /** Engine tuning (tests and the sandbox shorten timers or lift rate limits). */
  bridgeServices?: Omit<BridgeServices, 'logger' | 'secrets'>;
  /** Between restarts after a failure; default 2 s doubling to 5 min. */
  restartBackoff?: BackoffPolicy;
  /** How long a stop waits for in-flight deliveries (the rest stays queued on disk); default 3 s. */
  drainMs?: number;
  /** Keep each bridge's log file (`<bridge>/logs/bridge.jsonl`, as the CLI does); default true. */
  logFiles?: boolean;
}

export type SupervisorEvent =
  | { type: 'bridge-status'; bridgeId: string; status: BridgeStatusView }
  | { type: 'pending'; bridgeId: string; notice: PendingNotice }
  | { type: 'problem'; bridgeId: string; problem: Problem };

interface Entry {
  readonly id: string;
  bridge?: BridgeEngine;
  locks?: HeldLocks;
  logFile?: RotatingFile;
  /** Its group and app while it starts or runs: claimed before any await, so two starts cannot both pass the check. */
  claim?: { name: string; groupId: string; ccccHome: string; appKey: string };
  /** The profile it runs with, to tell what a change of the profile means for it (reconcile). */
  profile?: BridgeProfile;
  /** The user wants it running (start, autostart); a stop clears it. */
  want: boolean;
  /** When no bridge runs: stopped by request, or stopped by a failure. */
  idle: 'stopped' | 'error';
  lastProblem?: Problem;
  attempt: number;
  restartTimer?: NodeJS.Timeout;
  restartAt?: number;
  /** Who asked for each pending /subscribe (only the bridge that got it knows). */
  readonly notices: Map<string, PendingNotice>;
  queue: Promise<unknown>;
}

/** What a bridge connects with and to: a change of any of it needs a new connection. */
function needsRestart(a: BridgeProfile, b: BridgeProfile): boolean {
  return (
    (['groupId', 'ccccHome', 'appKey', 'appKeyEnv', 'robotCode', 'robotCodeEnv', 'sandbox'] as const).some((k) => a[k] !== b[k]) ||
    JSON.stringify(a.secret) !== JSON.stringify(b.secret) ||
    JSON.stringify(servedGroups(a)) !== JSON.stringify(servedGroups(b)) ||
    a.settings.catchUp !== b.settings.catchUp ||
    a.settings.auditContent !== b.settings.auditContent
  );
}

const DEFAULT_RESTART: BackoffPolicy = { baseMs: 2_000, capMs: 5 * 60_000, jitterMs: 1_000 };

export class Supervisor extends EventEmitter<{ event: [SupervisorEvent] }> {
  private readonly entries = new Map<string, Entry>();
  private readonly log: Logger;
  private closed = false;

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.log = options.logHub.logger('supervisor');
  }

  /** The current status of a bridge (stopped when never started). */
  status(id: string): BridgeStatusView {
    const e = this.entries.get(id);
    if (!e) return stoppedStatus();
    if (e.bridge) return statusView(e.bridge.status());
    const view = stoppedStatus(e.lastProblem, e.idle);
    if (e.restartTimer && e.restartAt) view.restart = { attempt: e.attempt, at: e.restartAt };
    return view;
  }

  /** The running engine of a bridge, if it runs. */
  running(id: string): BridgeEngine | undefined {
    return this.entries.get(id)?.bridge;
  }

  /** What the running bridge learnt about a pending request (sender, chat title). */
  notice(id: string, key: string): PendingNotice | undefined {
    return this.entries.get(id)?.notices.get(key);
  }

  /** Starts a bridge. Refusals and lasting failures throw; a failure that may pass is retried with backoff. */
  start(id: string): Promise<BridgeStatusView> {
    return this.serial(this.entry(id), async (e) => {
      if (this.closed) throw new BridgeError({ code: 'app.closing', message: 'The app is shutting down', retryable: false });
      e.want = true;
      this.clearRestart(e);
      e.attempt = 0;
      if (!e.bridge) await this.launch(e, true);
      return this.status(id);
    });
  }

  stop(id: string): Promise<BridgeStatusView> {
    return this.serial(this.entry(id), async (e) => {
      e.want = false;
      this.clearRestart(e);
      e.idle = 'stopped';
      if (e.bridge) await this.teardown(e, this.options.drainMs ?? 3_000);
      this.emitStatus(e);
      return this.status(id);
    });
  }

  async restart(id: string): Promise<BridgeStatusView> {
    await this.stop(id);
    return this.start(id);
  }

  /** Stops a bridge and forgets it (its profile was deleted). */
  async forget(id: string): Promise<void> {
    if (!this.entries.has(id)) return;
    await this.stop(id);
    this.entries.delete(id);
  }

  /**
   * The profile of `id` changed — saved here, or in config.json by another program (the CLI, the
   * other host). A running bridge whose connection changed (group, app, secret, catch-up, audit
   * content) restarts with it, one whose other settings changed gets them live, one whose profile
   * is gone stops. `reconnect`: restart whatever changed (a new secret in the same store).
   */
  async reconcile(id: string, o: { reconnect?: boolean } = {}): Promise<'restarted' | 'updated' | 'stopped' | 'unchanged'> {
    const e = this.entries.get(id);
    const was = e?.profile;
    if (!e?.bridge || !was) return 'unchanged';
    const now = await this.options.profiles.get(id);
    if (!now) {
      this.log.info('The bridge was deleted from the configuration; stopping it', { bridge: id });
      await this.forget(id);
      return 'stopped';
    }
    if (o.reconnect || needsRestart(was, now)) {
      this.log.info('Restarting the bridge with its new settings', { bridge: id });
      await this.restart(id).catch((err: unknown) =>
        this.log.warn('The bridge did not start again with its new settings', { bridge: id, code: toProblem(err).code }),
      );
      return 'restarted';
    }
    if (JSON.stringify(was.settings) === JSON.stringify(now.settings) && was.name === now.name && was.autoStart === now.autoStart) return 'unchanged';
    e.profile = structuredClone(now);
    e.bridge.updateSettings(now.settings);
    return 'updated';
  }

  /** Starts every bridge marked autoStart; failures are logged and shown as statuses, not thrown. */
  async autoStart(): Promise<void> {
    const profiles = await this.options.profiles.list();
    await Promise.all(
      profiles
        .filter((p) => p.autoStart)
        .map((p) =>
          this.start(p.id).catch((err: unknown) =>
            this.log.warn('A bridge marked "start automatically" did not start', { bridge: p.id, code: toProblem(err).code }),
          ),
        ),
    );
  }

  /** After the OS woke up: replace every connection now, and retry failed bridges at once. */
  onResume(): void {
    this.reconnectAll('resume');
  }

  onNetworkChange(): void {
    this.reconnectAll('network change');
  }

  /** Stops every bridge (on quit); nothing is restarted afterwards. */
  async stopAll(): Promise<void> {
    this.closed = true;
    for (const e of this.entries.values()) this.clearRestart(e);
    await Promise.all([...this.entries.keys()].map((id) => this.stop(id).catch(() => undefined)));
  }

  private reconnectAll(reason: string): void {
    if (this.closed) return;
    for (const e of this.entries.values()) {
      if (e.bridge) e.bridge.reconnect(reason);
      else if (e.restartTimer) {
        this.clearRestart(e);
        e.attempt = 0;
        void this.serial(e, (x) => this.relaunch(x));
      }
    }
  }

  private entry(id: string): Entry {
    let e = this.entries.get(id);
    if (!e) {
      e = { id, want: false, idle: 'stopped', attempt: 0, notices: new Map(), queue: Promise.resolve() };
      this.entries.set(id, e);
    }
    return e;
  }

  /** Runs `fn` after every earlier operation on the same bridge. */
  private serial<R>(e: Entry, fn: (e: Entry) => Promise<R>): Promise<R> {
    const run = e.queue.then(() => fn(e));
    e.queue = run.catch(() => undefined);
    return run;
  }

  /** Creates and starts the engine. `byUser`: a refusal or lasting failure is thrown to the caller. */
  private async launch(e: Entry, byUser: boolean): Promise<void> {
    let problem: Problem;
    try {
      await this.open(e);
      return;
    } catch (err) {
      problem = toProblem(err, 'bridge.start_failed');
    }
    e.idle = 'error';
    e.lastProblem = problem;
    if (problem.retryable && e.want && !this.closed) {
      this.scheduleRestart(e);
      return;
    }
    this.log.error(`Bridge did not start: ${problem.message}`, { bridge: e.id, code: problem.code });
    this.emit('event', { type: 'problem', bridgeId: e.id, problem });
    this.emitStatus(e);
    if (byUser) throw new BridgeError(problem);
  }

  private async relaunch(e: Entry): Promise<void> {
    e.restartTimer = undefined;
    if (!e.want || e.bridge || this.closed) return;
    this.log.info('Starting the bridge again', { bridge: e.id, attempt: e.attempt });
    await this.launch(e, false);
  }

  private async open(e: Entry): Promise<void> {
    const o = this.options;
    const profile = await o.profiles.get(e.id);
    if (!profile) throw new BridgeError({ code: 'config.unknown_bridge', message: `No bridge "${e.id}"`, retryable: false });
    const credentials = await o.credentialsFor(profile);
    const ccccHome = profile.ccccHome ?? resolveCcccHome({ env: o.env });
    const target: GuardTarget = {
      bridgeId: profile.id,
      groupId: profile.groupId,
      ccccHome,
      configHome: o.configHome,
      host: o.host,
      apiBase: (await o.endpoints(profile)).apiBase,
    };
    this.refuseSiblings(e, profile, ccccHome, credentials.appKey);
    e.claim = { name: profile.name, groupId: profile.groupId, ccccHome, appKey: credentials.appKey };
    try {
      await this.boot(e, profile, credentials, target);
      e.profile = structuredClone(profile);
    } catch (err) {
      e.claim = undefined;
      throw err;
    }
  }

  /** The guards (CCCC's own bridge, other instances), then the engine. */
  private async boot(e: Entry, profile: BridgeProfile, credentials: DingTalkCredentials, target: GuardTarget): Promise<void> {
    const o = this.options;
    const { ccccHome } = target;
    const groups = await resolveGroups(ccccHome, servedGroups(profile));
    const own = await ownBridgeProblems(target, credentials.appKey, groups.slice(1));
    if (own[0]) throw new BridgeError(own[0]);
    const taken = await acquireInstanceLocks(target, credentials.appKey, groups.slice(1));
    if (!taken.ok) throw new BridgeError(taken.problem);

    const paths = bridgePaths(o.configHome, profile.id);
    const logFile = o.logFiles === false ? undefined : openLogFile(paths.logs);
    const logger = o.logHub.logger(profile.id, profile.id, logFile ? [fileSink(logFile)] : []);
    if (taken.warning) logger.warn(taken.warning.message, { code: taken.warning.code, hint: taken.warning.hint });
    let bridge: BridgeEngine;
    try {
      bridge = await makeEngine(
        {
          groupId: profile.groupId,
          ccccHome,
          stateDir: paths.state,
          credentials,
          endpoints: await o.endpoints(profile),
          settings: structuredClone(profile.settings),
        },
        groups,
        { ...o.bridgeServices, logger, secrets: o.secrets },
        groupDiscovery(target, credentials.appKey, servedGroups(profile), paths.state),
      );
    } catch (err) {
      await taken.locks.release();
      throw err;
    }
    Object.assign(e, { bridge, locks: taken.locks, logFile });
    e.notices.clear();
    bridge.on('status', (s) => this.onStatus(e, bridge, s));
    bridge.on('pending', (notice) => {
      e.notices.set(notice.key, notice);
      this.emit('event', { type: 'pending', bridgeId: e.id, notice });
    });
    bridge.on('problem', (problem) => this.emit('event', { type: 'problem', bridgeId: e.id, problem }));
    logger.info('Starting', { group: profile.groupId, ccccHome, pid: process.pid });
    try {
      await bridge.start();
    } catch (err) {
      await this.teardown(e, 0);
      throw err;
    }
    e.lastProblem = undefined;
  }

  /**
   * Two bridges of this process on one group or one app would split DingTalk's messages. The
   * instance locks cannot tell (they take their own pid for a recycled one), so this does.
   */
  private refuseSiblings(e: Entry, profile: BridgeProfile, ccccHome: string, appKey: string): void {
    for (const other of this.entries.values()) {
      const c = other.claim;
      if (other === e || !c) continue;
      const sameGroup = c.groupId === profile.groupId && c.ccccHome === ccccHome;
      if (!sameGroup && c.appKey !== appKey) continue;
      throw new BridgeError({
        code: sameGroup ? 'bridge.other_instance_group' : 'bridge.other_instance_app',
        message: `Bridge "${c.name}" already uses ${sameGroup ? `CCCC group ${profile.groupId}` : 'this DingTalk app'}`,
        hint: `Two bridges would split DingTalk's messages between them. Stop "${c.name}" first${sameGroup ? '' : ', or give this bridge its own DingTalk app'}.`,
        retryable: false,
        details: { bridgeId: other.id },
      });
    }
  }

  private onStatus(e: Entry, bridge: BridgeEngine, s: BridgeStatus): void {
    if (e.bridge !== bridge) return; // a bridge being torn down
    if (s.dingtalk.status === 'connected') e.attempt = 0;
    this.emit('event', { type: 'bridge-status', bridgeId: e.id, status: statusView(s) });
    if (s.dingtalk.status !== 'error') return;
    // The Stream client gave up (e.g. credentials revoked): stop; start again only if it may pass.
    const problem = s.dingtalk.problem;
    void this.serial(e, async (x) => {
      if (x.bridge !== bridge) return;
      await this.teardown(x, 0);
      x.idle = 'error';
      x.lastProblem = problem;
      if (problem.retryable && x.want && !this.closed) this.scheduleRestart(x);
      else this.emitStatus(x);
    });
  }

  private scheduleRestart(e: Entry): void {
    const delay = backoffDelay(e.attempt, this.options.restartBackoff ?? DEFAULT_RESTART);
    e.attempt += 1;
    e.restartAt = Date.now() + delay;
    this.log.warn(`Bridge failed; starting it again in ${Math.ceil(delay / 1000)} s`, { bridge: e.id, code: e.lastProblem?.code, attempt: e.attempt });
    e.restartTimer = setTimeout(() => void this.serial(e, (x) => this.relaunch(x)), delay);
    this.emitStatus(e);
  }

  private clearRestart(e: Entry): void {
    clearTimeout(e.restartTimer);
    e.restartTimer = undefined;
    e.restartAt = undefined;
  }

  /** Stops the engine (waiting up to `drainMs` for deliveries in flight) and releases its locks. */
  private async teardown(e: Entry, drainMs: number): Promise<void> {
    const { bridge, locks, logFile } = e;
    e.bridge = undefined;
    e.locks = undefined;
    e.logFile = undefined;
    e.claim = undefined;
    if (bridge) {
      if (drainMs > 0) await waitAtMost(bridge.idle(), drainMs);
      await bridge.stop().catch((err: unknown) => this.log.error('Stopping the bridge failed', { bridge: e.id, error: err }));
      bridge.removeAllListeners();
    }
    await locks?.release().catch((err: unknown) => this.log.warn('Could not release the instance locks', { bridge: e.id, error: err }));
    await logFile?.flush();
  }

  /** The profiles of every running bridge, checked against the configuration (reconcile). */
  async reconcileAll(): Promise<void> {
    for (const id of [...this.entries.keys()]) await this.reconcile(id);
  }

  private emitStatus(e: Entry): void {
    this.emit('event', { type: 'bridge-status', bridgeId: e.id, status: this.status(e.id) });
  }
}
