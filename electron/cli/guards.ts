/**
 * Never two bridges on one DingTalk app or one CCCC group: CCCC's own bridge (its lock, pid and
 * `im.enabled`) and any other instance of ours (the instance locks). Used by `start` to refuse
 * and by `doctor` to explain.
 */
import { readGroupConfig } from '../core/cccc/group/group-config';
import { detectCcccBridge } from '../core/cccc/group/detect';
import { appLockDir, groupLockDir, InstanceLock, type LockOwner } from '../core/config/instance-lock';
import type { Problem } from '../core/errors';
import { isThisBridge, type BridgeContext } from './context';

/** Why CCCC's own bridge stands in the way (empty: it does not). Throws when group.yaml is missing or unreadable. */
export async function ownBridgeProblems(ctx: BridgeContext, appKey: string): Promise<Problem[]> {
  const config = await readGroupConfig(ctx.groupDir);
  return (await detectCcccBridge({ groupDir: ctx.groupDir, config, cccHome: ctx.ccccHome, appKey })).problems;
}

function stopCommand(ctx: BridgeContext, owner: LockOwner): string {
  const home = owner.configHome === ctx.configHome ? '' : `CCCC_DINGTALK_HOME=${owner.configHome} `;
  return `${home}cccc-dingtalk stop --bridge ${owner.bridgeId}`;
}

export function instanceProblem(ctx: BridgeContext, kind: 'group' | 'app', owner: LockOwner): Problem {
  if (isThisBridge(ctx, owner)) {
    return {
      code: 'bridge.already_running',
      message: `Bridge "${owner.bridgeId}" is already running (pid ${owner.pid})`,
      hint: '`cccc-dingtalk status` shows how it is doing; `cccc-dingtalk stop` stops it.',
      retryable: false,
      details: { pid: owner.pid },
    };
  }
  const what = kind === 'group' ? `CCCC group ${ctx.profile.groupId}` : `this DingTalk app (it serves group ${owner.groupId})`;
  return {
    code: kind === 'group' ? 'bridge.other_instance_group' : 'bridge.other_instance_app',
    message: `Another cccc-dingtalk bridge ("${owner.bridgeId}", pid ${owner.pid}) already uses ${what}`,
    hint: `Two bridges would split DingTalk's messages between them. Stop it with \`${stopCommand(ctx, owner)}\`${kind === 'app' ? ', or give this bridge its own DingTalk app' : ''}.`,
    retryable: false,
    details: { pid: owner.pid, bridgeId: owner.bridgeId, configHome: owner.configHome },
  };
}

export interface HeldLocks {
  release(): Promise<void>;
}

/** Takes the group lock, then the app lock; on refusal nothing stays taken. */
export async function acquireInstanceLocks(ctx: BridgeContext, appKey: string): Promise<{ ok: true; locks: HeldLocks } | { ok: false; problem: Problem }> {
  const owner = { bridgeId: ctx.profile.id, groupId: ctx.profile.groupId, configHome: ctx.configHome, startedAt: Date.now() };
  const group = await InstanceLock.acquire(groupLockDir(ctx.ccccHome, ctx.profile.groupId), owner);
  if (!group.ok) return { ok: false, problem: instanceProblem(ctx, 'group', group.holder) };
  const app = await InstanceLock.acquire(appLockDir(ctx.ccccHome, appKey), owner).catch(async (err: unknown) => {
    await group.lock.release();
    throw err;
  });
  if (!app.ok) {
    await group.lock.release();
    return { ok: false, problem: instanceProblem(ctx, 'app', app.holder) };
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
