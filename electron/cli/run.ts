/**
 * `cccc-dingtalk start`: runs one bridge in this process until SIGINT/SIGTERM. In the
 * foreground it logs readable lines to stderr; as the detached child of `start --detach` it
 * reports "connected" or its problem to the parent over the IPC channel and then only writes
 * its log file and status.json. Either way: refuse beside another bridge, hold the instance
 * locks and the pid file while running, and on a signal let in-flight deliveries finish
 * (bounded; the outbox journal keeps the rest for the next start), stop, release, exit 0.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { BridgeServices, BridgeStatus, PendingNotice } from '../core/bridge/bridge';
import { groupDiscovery, makeEngine, resolveGroups, type BridgeEngine } from '../core/bridge/served-groups';
import { servedGroups } from '../core/config/profile';
import { inspectBridge } from '../core/control/inspect';
import { acquireInstanceLocks, ownBridgeProblems, type HeldLocks } from '../core/config/guards';
import type { DingTalkCredentials } from '../core/dingtalk/endpoints';
import { BridgeError, toProblem, type Problem } from '../core/errors';
import { createLogger, type Logger, type LogSink } from '../core/log/logger';
import type { RotatingFile } from '../core/log/rotating-file';
import { redact } from '../core/log/redact';
import { credentialsOf, loadBridge, type BridgeContext } from './context';
import { fileSink, levelSink, openLogFile } from '../core/log/log-file';
import { waitAtMost } from '../core/util/sleep';
import { CliFailure, err, formatProblem, formatRecord } from './output';
import { statusLines, writeStatusFile, type StatusFile } from './status-file';
import { troubleshoot } from './troubleshooting';

export interface RunOptions {
  bridgeId?: string;
  debug?: boolean;
  /** Started by `start --detach`: no terminal; report readiness over IPC. */
  child?: boolean;
}

/** What the detached child tells `start --detach`. */
export type ChildReport =
  | { type: 'ready'; pid: number; status: StatusFile }
  | { type: 'waiting'; pid: number; problem: Problem; steps: string[] }
  | { type: 'failed'; pid: number; problem: Problem; steps: string[] };

const STATUS_EVERY_MS = 5_000;
/** How long a stop waits for in-flight deliveries before closing (the rest stays queued on disk). */
const DRAIN_MS = 3_000;

function report(message: ChildReport): void {
  if (!process.send || !process.connected) return;
  process.send(message, () => {
    if (process.connected) process.disconnect();
  });
}

/** Keeps status.json current: on every engine status change (debounced) and every few seconds. */
class StatusReporter {
  private chain: Promise<void> = Promise.resolve();
  private debounce: NodeJS.Timeout | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly notices = new Map<string, PendingNotice>();
  private lastProblemAt: number | undefined;

  constructor(
    private readonly ctx: BridgeContext,
    private readonly bridge: BridgeEngine,
    private readonly startedAt: number,
  ) {
    this.timer = setInterval(() => this.write(), STATUS_EVERY_MS);
  }

  noticed(notice: PendingNotice): void {
    this.notices.set(notice.key, notice);
    this.schedule();
  }

  problem(): void {
    this.lastProblemAt = Date.now();
    this.schedule();
  }

  schedule(): void {
    if (this.debounce) return;
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      void this.write(); // never rejects: a status that cannot be written is skipped
    }, 100);
  }

  write(): Promise<void> {
    this.chain = this.chain.then(async () => {
      try {
        await writeStatusFile(this.ctx.paths.status, await this.snapshot());
      } catch {
        // A status that cannot be written only makes `status` less precise; the bridge goes on.
      }
    });
    return this.chain;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    await this.write();
  }

  async snapshot(): Promise<StatusFile> {
    const s: BridgeStatus = this.bridge.status();
    const seen = statusLines(
      await inspectBridge({
        groupId: this.ctx.profile.groupId,
        ccccHome: this.ctx.ccccHome,
        stateDir: this.ctx.paths.state,
        running: this.bridge,
        notice: (key) => this.notices.get(key),
        chats: 'subscribers',
      }),
    );
    for (const key of this.notices.keys()) if (!seen.pending.some((p) => p.key === key)) this.notices.delete(key);
    const d = s.dingtalk;
    const status: StatusFile = {
      pid: process.pid,
      bridgeId: this.ctx.profile.id,
      groupId: this.ctx.profile.groupId,
      ccccHome: this.ctx.ccccHome,
      startedAt: this.startedAt,
      updatedAt: Date.now(),
      state: s.state,
      dingtalk: {
        status: d.status,
        ...(d.status === 'connected' ? { since: d.since } : {}),
        ...(d.status === 'reconnecting' ? { attempt: d.attempt, delayMs: d.delayMs, problem: d.problem } : {}),
        ...(d.status === 'error' ? { problem: d.problem } : {}),
      },
      cccc: {
        status: s.cccc.status,
        since: s.cccc.since,
        ...(s.cccc.version ? { version: s.cccc.version } : {}),
        ...(s.cccc.pid ? { pid: s.cccc.pid } : {}),
        ...(s.cccc.problem ? { problem: s.cccc.problem } : {}),
      },
      outboxDepth: s.outboxDepth,
      inboxDepth: s.toCcccDepth,
      ...seen,
    };
    if (s.lastProblem) status.lastProblem = s.lastProblem;
    if (this.lastProblemAt) status.lastProblemAt = this.lastProblemAt;
    return status;
  }
}

const QpsFromEnv = z.coerce.number().positive().optional();

/** `DINGTALK_QPS_PER_API`: the outbox rate for a DingTalk-compatible server with other limits (like DINGTALK_API_BASE). */
function outboxFromEnv(env: NodeJS.ProcessEnv): Pick<BridgeServices, 'outbox'> {
  const qps = QpsFromEnv.safeParse(env.DINGTALK_QPS_PER_API || undefined);
  return qps.success && qps.data ? { outbox: { qpsPerApi: qps.data } } : {};
}

function refuse(problem: Problem, steps: string[] = []): CliFailure {
  return new CliFailure(problem, 1, steps);
}

/** Runs the bridge; resolves with the process exit code once it has stopped. */
export async function runBridge(options: RunOptions): Promise<number> {
  const ctx = await loadBridge(options.bridgeId);
  const secrets: string[] = [];
  const logFile = openLogFile(ctx.paths.logs);
  // The log file is the running bridge's: a refused second instance must not write into it.
  const sinks: LogSink[] = [];
  if (!options.child) sinks.push((r) => err(formatRecord(r)));
  const logger = createLogger(levelSink(options.debug ? 'debug' : 'info', sinks), 'cli', () => secrets);
  const log = logger.child(ctx.profile.id);

  let locks: HeldLocks | undefined;
  const fail = async (problem: Problem, steps: string[] = []): Promise<number> => {
    if (locks) log.error(problem.message, { code: problem.code, ...(problem.hint ? { hint: problem.hint } : {}) });
    await logFile.flush();
    if (options.child) report({ type: 'failed', pid: process.pid, problem: redact(problem, secrets) as Problem, steps });
    else err(formatProblem(redact(problem, secrets) as Problem, steps));
    return 1;
  };

  try {
    const { credentials, warnings } = await credentialsOf(ctx);
    secrets.push(credentials.appSecret);
    for (const w of warnings) log.warn(w);
    const groups = await resolveGroups(ctx.ccccHome, servedGroups(ctx.profile));
    const own = await ownBridgeProblems(ctx.target, credentials.appKey, groups.slice(1));
    if (own[0]) throw refuse(own[0]);
    const taken = await acquireInstanceLocks(ctx.target, credentials.appKey, groups.slice(1));
    if (!taken.ok) throw refuse(taken.problem);
    locks = taken.locks;
    if (taken.warning) log.warn(taken.warning.message, { code: taken.warning.code, hint: taken.warning.hint });
    sinks.push(fileSink(logFile));
    await mkdir(ctx.paths.dir, { recursive: true, mode: 0o700 });
    await writeFile(ctx.paths.pid, `${process.pid}\n`);
    return await serve(ctx, { credentials, groups, logger, log, logFile, locks, fail, secrets });
  } catch (error) {
    if (locks) await locks.release().catch(() => undefined);
    if (error instanceof CliFailure) return fail(error.problem, error.steps);
    const problem = toProblem(error, 'bridge.start_failed');
    return fail(problem, error instanceof BridgeError ? troubleshoot(problem, ctx) : []);
  }
}

interface ServeDeps {
  credentials: DingTalkCredentials;
  /** The groups the bridge serves, the profile's first one first. */
  groups: string[];
  logger: Logger;
  log: Logger;
  logFile: RotatingFile;
  locks: HeldLocks;
  fail: (problem: Problem, steps?: string[]) => Promise<number>;
  secrets: readonly string[];
}

async function serve(ctx: BridgeContext, deps: ServeDeps): Promise<number> {
  const { log } = deps;
  const startedAt = Date.now();
  const bridge = await makeEngine(
    {
      groupId: ctx.profile.groupId,
      ccccHome: ctx.ccccHome,
      stateDir: ctx.paths.state,
      credentials: deps.credentials,
      endpoints: ctx.endpoints,
      settings: ctx.profile.settings,
    },
    deps.groups,
    { logger: deps.logger, secrets: () => deps.secrets, ...outboxFromEnv(ctx.env) },
    groupDiscovery(ctx.target, deps.credentials.appKey, servedGroups(ctx.profile), ctx.paths.state),
  );
  const status = new StatusReporter(ctx, bridge, startedAt);
  let ready = false;
  let stopping = false;
  let finished!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finished = resolve));

  const shutdown = async (code: number, why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info(`Stopping (${why})`);
    // A failing idle() must not keep the bridge from stopping and the locks from being released.
    const drained = await waitAtMost(bridge.idle(), DRAIN_MS);
    if (!drained) log.warn('Deliveries still in progress are kept in the outbox for the next start', { outboxDepth: bridge.status().outboxDepth });
    await bridge.stop().catch((e: unknown) => log.error('Stopping the bridge failed', { error: e }));
    await status.close();
    await deps.locks.release().catch((e: unknown) => log.warn('Could not release the instance locks', { error: e }));
    await rm(ctx.paths.pid, { force: true });
    log.info('Stopped', { outboxDepth: bridge.status().outboxDepth });
    await deps.logFile.flush();
    finished(code);
  };

  bridge.on('status', (s) => {
    status.schedule();
    if (s.dingtalk.status === 'connected' && !ready) {
      ready = true;
      void status.write().then(async () => report({ type: 'ready', pid: process.pid, status: await status.snapshot() }));
    } else if (s.dingtalk.status === 'reconnecting' && !ready) {
      // Tell `start --detach` now rather than after its timeout; this process keeps retrying.
      report({ type: 'waiting', pid: process.pid, problem: s.dingtalk.problem, steps: troubleshoot(s.dingtalk.problem, ctx) });
    } else if (s.dingtalk.status === 'error' && !stopping) {
      // Fatal for the Stream client (e.g. credentials revoked): it will not retry, so neither do we.
      const problem = s.dingtalk.problem;
      void deps.fail(problem, troubleshoot(problem, ctx)).then((code) => shutdown(code, problem.code));
    }
  });
  bridge.on('problem', () => status.problem());
  bridge.on('pending', (notice) => {
    status.noticed(notice);
    const where = notice.chatTitle ? `"${notice.chatTitle}"` : notice.chatId;
    log.info(
      `Subscription request from ${notice.senderNick} in ${where}: approve with \`cccc-dingtalk approve ${notice.key}\` or reject with \`cccc-dingtalk reject ${notice.key}\``,
    );
  });

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // Second signal: leave now. The outbox journal and the ledger cursor are already durable.
      log.warn(`Second ${signal}: exiting without waiting`);
      void deps.logFile.flush().then(() => process.exit(130));
      return;
    }
    void shutdown(0, signal);
  };
  // The engine keeps its failures inside its services; this is the last net, so that a detached
  // bridge that dies says why in its log and releases its locks.
  const onFatal = (error: unknown): void => {
    log.error('Unexpected failure; stopping', { error });
    void shutdown(1, 'internal error');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (process.platform !== 'win32') process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);

  log.info('Starting', { group: ctx.profile.groupId, ccccHome: ctx.ccccHome, dingtalk: ctx.endpoints.apiBase, pid: process.pid });
  try {
    await bridge.start();
  } catch (error) {
    const problem = toProblem(error, 'bridge.start_failed');
    await deps.fail(problem, troubleshoot(problem, ctx));
    await shutdown(1, problem.code);
  }
  await status.write();
  const code = await done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
  process.off('uncaughtException', onFatal);
  process.off('unhandledRejection', onFatal);
  return code;
}
