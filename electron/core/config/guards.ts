/**
 * Never two bridges on one DingTalk app or one CCCC group: CCCC's own bridge (its lock, pid and
 * `im.enabled`) and any other instance of ours (the instance locks). Shared by the CLI (`start`
 * refuses, `doctor` explains) and the control services of the desktop app and `serve`.
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { readGroupConfig } from '../cccc/group/group-config';
import { detectCcccBridge } from '../cccc/group/detect';
import { DEFAULT_API_BASE } from '../dingtalk/endpoints';
import { toProblem, type Problem } from '../errors';
import { appLockDir, groupLockDir, InstanceLock, lockHolder, machineAppLockDir, machineLocksRoot, type LockOwner } from './instance-lock';

/** The bridge about to run, as the guards see it. */
export interface GuardTarget {
  bridgeId: string;
  groupId: string;
  ccccHome: string;
  /** The config folder (CLI, serve) or profile store (desktop app) the bridge belongs to. */
  configHome: string;
  /** What kind of instance we are; recorded in the locks so others can say how to stop us. */
  host?: LockOwner['host'];
  /** The DingTalk the app lives on (its API base); default DingTalk itself. */
  apiBase?: string;
  /** Folder of the machine-wide app locks; default `machineLocksRoot()`. */
  machineLocks?: string;
}

function machineLockDir(t: GuardTarget, appKey: string): string {
  return machineAppLockDir(t.machineLocks ?? machineLocksRoot(), t.apiBase ?? DEFAULT_API_BASE, appKey);
}

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined; // no passwd entry (some containers)
  }
}

export function groupDirOf(t: Pick<GuardTarget, 'ccccHome' | 'groupId'>): string {
  return join(t.ccccHome, 'groups', t.groupId);
}

/** Is `owner` this very bridge (same config, same id), maybe in another process? */
export function isSameBridge(t: GuardTarget, owner: LockOwner): boolean {
  return owner.bridgeId === t.bridgeId && owner.configHome === t.configHome;
}

/** The live instance of ours serving this bridge's group, if any (this one or another). */
export function groupHolder(t: GuardTarget): Promise<LockOwner | undefined> {
  return lockHolder(groupLockDir(t.ccccHome, t.groupId));
}

/** The live instance serving this DingTalk app: from this CCCC home, or anywhere on the machine. */
export async function appHolder(t: GuardTarget, appKey: string): Promise<LockOwner | undefined> {
  return (await lockHolder(appLockDir(t.ccccHome, appKey))) ?? (await lockHolder(machineLockDir(t, appKey)));
}

/**
 * Why CCCC's own bridge stands in the way (empty: it does not), in the group or in any of
 * `moreGroups` (one app serving several). Throws when a group.yaml is missing or unreadable.
 */
export async function ownBridgeProblems(t: GuardTarget, appKey: string, moreGroups: readonly string[] = []): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const groupId of [t.groupId, ...moreGroups]) {
    const groupDir = groupDirOf({ ...t, groupId });
    const config = await readGroupConfig(groupDir);
    problems.push(...(await detectCcccBridge({ groupDir, config, cccHome: t.ccccHome, appKey })).problems);
  }
  return problems;
}

/** How to stop the instance `owner`, in the words of the program that runs it. */
function howToStop(t: GuardTarget, owner: LockOwner): string {
  const me = currentUser();
  if (owner.user && me && owner.user !== me) return `ask ${owner.user} to stop it (pid ${owner.pid}), or end that process as root`;
  switch (owner.host) {
    case 'app':
      return `stop it in the CCCC DingTalk Bridge app (pid ${owner.pid}): tray menu → Stop`;
    case 'serve':
      return `stop it in the page of \`cccc-dingtalk serve\` (pid ${owner.pid}), or end that process`;
    default: {
      const cccc = owner.ccccHome && owner.ccccHome !== t.ccccHome ? `CCCC_HOME=${owner.ccccHome} ` : '';
      const home = owner.configHome === t.configHome ? '' : `CCCC_DINGTALK_HOME=${owner.configHome} `;
      return `stop it with \`${cccc}${home}cccc-dingtalk stop --bridge ${owner.bridgeId}\``;
    }
  }
}

export function instanceProblem(t: GuardTarget, kind: 'group' | 'app', owner: LockOwner): Problem {
  if (isSameBridge(t, owner)) {
    const cli = (owner.host ?? 'cli') === 'cli';
    return {
      code: 'bridge.already_running',
      message: `Bridge "${owner.bridgeId}" is already running (pid ${owner.pid})`,
      hint: cli ? '`cccc-dingtalk status` shows how it is doing; `cccc-dingtalk stop` stops it.' : `It runs in another process: ${howToStop(t, owner)}.`,
      retryable: false,
      details: { pid: owner.pid },
    };
  }
  const what = kind === 'group' ? `CCCC group ${t.groupId}` : `this DingTalk app (it serves group ${owner.groupId})`;
  const stop = howToStop(t, owner);
  const who = [`pid ${owner.pid}`, ...(owner.user ? [`user ${owner.user}`] : [])].join(', ');
  const homes = [`config home ${owner.configHome}`, ...(owner.ccccHome ? [`CCCC home ${owner.ccccHome}`] : [])].join(', ');
  return {
    code: kind === 'group' ? 'bridge.other_instance_group' : 'bridge.other_instance_app',
    message: `Another cccc-dingtalk bridge ("${owner.bridgeId}", ${who}; ${homes}) already uses ${what}`,
    hint: `Two bridges would split DingTalk's messages between them. ${stop.charAt(0).toUpperCase()}${stop.slice(1)}${kind === 'app' ? ', or give this bridge its own DingTalk app' : ''}.`,
    retryable: false,
    details: {
      pid: owner.pid,
      bridgeId: owner.bridgeId,
      configHome: owner.configHome,
      ...(owner.ccccHome ? { ccccHome: owner.ccccHome } : {}),
      ...(owner.user ? { user: owner.user } : {}),
    },
  };
}

export interface HeldLocks {
  release(): Promise<void>;
}

/** Every group's lock, in order; on refusal none stays taken. */
async function acquireGroupLocks(
  t: GuardTarget,
  groupIds: readonly string[],
  owner: Omit<LockOwner, 'pid' | 'released'>,
): Promise<{ ok: true; locks: HeldLocks } | { ok: false; problem: Problem }> {
  const held: InstanceLock[] = [];
  const release = async (): Promise<void> => {
    for (const lock of held.splice(0).reverse()) await lock.release();
  };
  try {
    for (const groupId of groupIds) {
      const taken = await InstanceLock.acquire(groupLockDir(t.ccccHome, groupId), owner);
      if (!taken.ok) {
        await release();
        return { ok: false, problem: instanceProblem({ ...t, groupId }, 'group', taken.holder) };
      }
      held.push(taken.lock);
    }
  } catch (err) {
    await release();
    throw err;
  }
  return { ok: true, locks: { release } };
}

/** Who holds a lock this bridge takes: the bridge, named by its first group. */
function lockOwner(t: GuardTarget): Omit<LockOwner, 'pid' | 'released'> {
  const user = currentUser();
  return {
    bridgeId: t.bridgeId,
    groupId: t.groupId,
    configHome: t.configHome,
    ccccHome: t.ccccHome,
    startedAt: Date.now(),
    ...(t.host ? { host: t.host } : {}),
    ...(user ? { user } : {}),
  };
}

/**
 * A group an app serving every group of its CCCC found while it runs (app-bridge.ts): refused
 * as at start when CCCC's own bridge serves it or another instance holds it; else its group lock
 * is taken, to release when the app stops. Throws when its group.yaml cannot be read.
 */
export async function claimGroup(t: GuardTarget, appKey: string, groupId: string): Promise<{ ok: true; lock: HeldLocks } | { ok: false; problem: Problem }> {
  const [own] = await ownBridgeProblems({ ...t, groupId }, appKey);
  if (own) return { ok: false, problem: own };
  const taken = await acquireGroupLocks(t, [groupId], lockOwner(t));
  return taken.ok ? { ok: true, lock: taken.locks } : taken;
}

/**
 * Takes the group lock (each group's, when one app serves several), then the app lock, then the machine-wide app lock; on refusal nothing
 * stays taken. A machine-wide lock that cannot be used (e.g. a folder another user made
 * unsafe) does not stop the bridge: it comes back as a `warning` to log.
 */
export async function acquireInstanceLocks(
  t: GuardTarget,
  appKey: string,
  /** The other groups one app serves (app-bridge.ts): each locked like the first, never shared with another bridge. */
  moreGroups: readonly string[] = [],
): Promise<{ ok: true; locks: HeldLocks; warning?: Problem } | { ok: false; problem: Problem }> {
  const owner = lockOwner(t);
  const groups = await acquireGroupLocks(t, [t.groupId, ...moreGroups], owner);
  if (!groups.ok) return groups;
  const group = { lock: groups.locks };
  const app = await InstanceLock.acquire(appLockDir(t.ccccHome, appKey), owner).catch(async (err: unknown) => {
    await group.lock.release();
    throw err;
  });
  if (!app.ok) {
    await group.lock.release();
    return { ok: false, problem: instanceProblem(t, 'app', app.holder) };
  }
  const machineDir = machineLockDir(t, appKey);
  const machine = await InstanceLock.acquire(machineDir, owner, { shared: true }).catch((err: unknown) => ({
    ok: 'unusable' as const,
    problem: toProblem(err),
  }));
  if (machine.ok === false) {
    await app.lock.release();
    await group.lock.release();
    return { ok: false, problem: instanceProblem(t, 'app', machine.holder) };
  }
  const held = machine.ok === true ? machine.lock : undefined;
  return {
    ok: true,
    locks: {
      async release() {
        await held?.release();
        await app.lock.release();
        await group.lock.release();
      },
    },
    ...(machine.ok === 'unusable'
      ? {
          warning: {
            code: 'bridge.machine_lock_unusable',
            message: `Could not check whether another CCCC home or user on this machine runs this DingTalk app (${machine.problem.message})`,
            hint: machine.problem.hint ?? `${machineDir} must be writable by every user, like /tmp. Two bridges on one app split its messages between them.`,
            retryable: false,
          },
        }
      : {}),
  };
}
