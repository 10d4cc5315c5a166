/**
 * Never two bridges on one DingTalk app or one CCCC group: CCCC's own bridge (its lock, pid and
 * `im.enabled`) and any other instance of ours (the instance locks). Shared by the CLI (`start`
 * refuses, `doctor` explains) and the control services of the desktop app and `serve`.
 */
import { join } from 'node:path';
import { readGroupConfig } from '../cccc/group/group-config';
import { detectCcccBridge } from '../cccc/group/detect';
import type { Problem } from '../errors';
import { appLockDir, groupLockDir, InstanceLock, lockHolder, type LockOwner } from './instance-lock';

/** The bridge about to run, as the guards see it. */
export interface GuardTarget {
  bridgeId: string;
  groupId: string;
  ccccHome: string;
  /** The config folder (CLI, serve) or profile store (desktop app) the bridge belongs to. */
  configHome: string;
  /** What kind of instance we are; recorded in the locks so others can say how to stop us. */
  host?: LockOwner['host'];
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

export function appHolder(t: GuardTarget, appKey: string): Promise<LockOwner | undefined> {
  return lockHolder(appLockDir(t.ccccHome, appKey));
}

/** Why CCCC's own bridge stands in the way (empty: it does not). Throws when group.yaml is missing or unreadable. */
export async function ownBridgeProblems(t: GuardTarget, appKey: string): Promise<Problem[]> {
  const groupDir = groupDirOf(t);
  const config = await readGroupConfig(groupDir);
  return (await detectCcccBridge({ groupDir, config, cccHome: t.ccccHome, appKey })).problems;
}

/** How to stop the instance `owner`, in the words of the program that runs it. */
function howToStop(t: GuardTarget, owner: LockOwner): string {
  switch (owner.host) {
    case 'app':
      return `stop it in the CCCC DingTalk Bridge app (pid ${owner.pid}): tray menu → Stop`;
    case 'serve':
      return `stop it in the page of \`cccc-dingtalk serve\` (pid ${owner.pid}), or end that process`;
    default: {
      const home = owner.configHome === t.configHome ? '' : `CCCC_DINGTALK_HOME=${owner.configHome} `;
      return `stop it with \`${home}cccc-dingtalk stop --bridge ${owner.bridgeId}\``;
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
  return {
    code: kind === 'group' ? 'bridge.other_instance_group' : 'bridge.other_instance_app',
    message: `Another cccc-dingtalk bridge ("${owner.bridgeId}", pid ${owner.pid}) already uses ${what}`,
    hint: `Two bridges would split DingTalk's messages between them. ${stop[0]!.toUpperCase()}${stop.slice(1)}${kind === 'app' ? ', or give this bridge its own DingTalk app' : ''}.`,
    retryable: false,
    details: { pid: owner.pid, bridgeId: owner.bridgeId, configHome: owner.configHome },
  };
}

export interface HeldLocks {
  release(): Promise<void>;
}

/** Takes the group lock, then the app lock; on refusal nothing stays taken. */
export async function acquireInstanceLocks(t: GuardTarget, appKey: string): Promise<{ ok: true; locks: HeldLocks } | { ok: false; problem: Problem }> {
  const owner = { bridgeId: t.bridgeId, groupId: t.groupId, configHome: t.configHome, startedAt: Date.now(), ...(t.host ? { host: t.host } : {}) };
  const group = await InstanceLock.acquire(groupLockDir(t.ccccHome, t.groupId), owner);
  if (!group.ok) return { ok: false, problem: instanceProblem(t, 'group', group.holder) };
  const app = await InstanceLock.acquire(appLockDir(t.ccccHome, appKey), owner).catch(async (err: unknown) => {
    await group.lock.release();
    throw err;
  });
  if (!app.ok) {
    await group.lock.release();
    return { ok: false, problem: instanceProblem(t, 'app', app.holder) };
  }
  return {
    ok: true,
    locks: {
      async release() {
        await app.lock.release();
        await group.lock.release();
      },
    },
  };
}
