/**
 * Is CCCC's own IM bridge running (or about to be started) for this group? Two bridges on
 * one DingTalk app split the Stream pushes between them and both answer, so the bridge
 * refuses to start while this reports a problem.
 *
 * Mirrors CCCC's own test (daemon/im/im_bridge_ops.py): the bridge holds
 * `state/im_bridge.lock` for its whole life with its PID on line 1; a bare `im_bridge.pid`
 * is no proof (PIDs get reused). The lock is probed with the same flock CCCC uses.
 * `im.enabled: true` in group.yaml means the daemon will start that bridge on its own.
 * CCCC also holds `${CCCC_HOME}/locks/im_bridge_dingtalk_<sha256("dingtalk|app_key=K")[:12]>.lock`
 * per app: held means the same app is served by CCCC for some other group.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Problem } from '../../errors';
import { PythonFlock, type FileLocker, type ProbeResult } from '../im-state/flock';
import type { GroupConfig } from './group-config';

export interface CcccBridgeStatus {
  /** CCCC's bridge for this group holds its lock (or, if the lock cannot be tested, its pid file names a live process). */
  running: boolean;
  pid: number | null;
  /** The platform in group.yaml's `im:` block ('' when there is none). */
  platform: string;
  /** `im.enabled` is true: the CCCC daemon (re)starts its bridge for this group by itself. */
  enabled: boolean;
  /** A CCCC bridge serves the same DingTalk app (for any group); its pid when readable. */
  sameApp: { pid: number | null } | null;
  /** Why the DingTalk bridge must not start; empty when it may. */
  problems: Problem[];
}

export interface DetectOptions {
  groupDir: string;
  /** From readGroupConfig; its `im:` block says whether CCCC will start its own bridge. */
  config: GroupConfig;
  /** `${CCCC_HOME}`, to check CCCC's per-app lock for `appKey`. */
  cccHome?: string;
  appKey?: string;
  locker?: FileLocker;
  /** Injectable for tests; default: signal 0. */
  isAlive?: (pid: number) => boolean;
}

export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function firstLinePid(path: string): Promise<number | null> {
  try {
    const n = Number.parseInt((await readFile(path, 'utf8')).trim().split('\n')[0] ?? '', 10);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** CCCC's per-app lock file for a DingTalk app key. */
export function appLockPath(cccHome: string, appKey: string): string {
  const fingerprint = createHash('sha256').update(`dingtalk|app_key=${appKey}`).digest('hex').slice(0, 12);
  return join(cccHome, 'locks', `im_bridge_dingtalk_${fingerprint}.lock`);
}

export async function detectCcccBridge(opts: DetectOptions): Promise<CcccBridgeStatus> {
  const locker = opts.locker ?? new PythonFlock();
  const alive = opts.isAlive ?? pidIsAlive;
  const stateDir = join(opts.groupDir, 'state');
  const groupId = opts.config.groupId || basename(opts.groupDir);
  const im = opts.config.im;
  const platform = im?.platform ?? '';
  const enabled = im?.enabled ?? false;

  let lock: ProbeResult | 'unknown';
  try {
    lock = await locker.probe(join(stateDir, 'im_bridge.lock'));
  } catch {
    lock = 'unknown'; // no python: fall back to the pid file, failing closed
  }
  let running: boolean;
  let pid: number | null;
  if (lock === 'unknown') {
    pid = await firstLinePid(join(stateDir, 'im_bridge.pid'));
    running = pid !== null && alive(pid);
  } else {
    running = lock === 'held';
    pid = running ? ((await firstLinePid(join(stateDir, 'im_bridge.lock'))) ?? (await firstLinePid(join(stateDir, 'im_bridge.pid')))) : null;
  }

  let sameApp: { pid: number | null } | null = null;
  if (opts.cccHome && opts.appKey) {
    const path = appLockPath(opts.cccHome, opts.appKey);
    const state = await locker.probe(path).catch(() => 'unknown' as const);
    if (state === 'held') sameApp = { pid: await firstLinePid(path) };
  }

  const stop = `cccc im stop --group ${groupId}`;
  const problems: Problem[] = [];
  // A CCCC bridge for another platform (e.g. Telegram) does not compete for DingTalk pushes.
  const dingtalk = platform === 'dingtalk';
  if (running && dingtalk) {
    problems.push({
      code: 'cccc.own_bridge_running',
      message: `CCCC's own DingTalk bridge is running for this group${pid ? ` (pid ${pid})` : ''}.`,
      hint: `Stop it with \`${stop}\`, then start this bridge.`,
      retryable: false,
      details: { groupId, pid },
    });
  } else if (enabled && dingtalk) {
    problems.push({
      code: 'cccc.own_bridge_enabled',
      message: 'CCCC is set to start its own DingTalk bridge for this group (im.enabled is true in group.yaml).',
      hint: `Turn it off with \`${stop}\`, then start this bridge.`,
      retryable: false,
      details: { groupId },
    });
  }
  if (sameApp) {
    problems.push({
      code: 'cccc.own_bridge_same_app',
      message: `CCCC's own DingTalk bridge is already using this DingTalk app${sameApp.pid ? ` (pid ${sameApp.pid})` : ''}.`,
      hint: 'Stop it with `cccc im stop --group <its group>` (`cccc im status` shows which), or use another DingTalk app.',
      retryable: false,
      details: { pid: sameApp.pid },
    });
  }
  return { running, pid, platform, enabled, sameApp, problems };
}
