/**
 * Every live instance of ours this machine can see, whatever its group or app: the holders of
 * the instance locks under CCCC_HOME and of the machine-wide app locks (core/config/instance-lock).
 * For `doctor` before any bridge is configured here: what already runs, and where.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { instanceLocksDir, lockHolder, machineLocksRoot, type LockOwner } from './instance-lock';

async function holdersUnder(root: string): Promise<LockOwner[]> {
  const dirs = await readdir(root).catch(() => [] as string[]);
  const owners = await Promise.all(dirs.map((d) => lockHolder(join(root, d)).catch(() => undefined)));
  return owners.filter((o): o is LockOwner => o !== undefined);
}

/** One entry per running bridge (a bridge holds several locks), sorted by pid. */
export async function runningBridges(ccccHome: string, machineLocks: string = machineLocksRoot()): Promise<LockOwner[]> {
  const seen = new Map<string, LockOwner>();
  for (const owner of [...(await holdersUnder(instanceLocksDir(ccccHome))), ...(await holdersUnder(machineLocks))]) {
    const key = `${owner.pid}\n${owner.configHome}\n${owner.bridgeId}`;
    if (!seen.has(key)) seen.set(key, owner);
  }
  return [...seen.values()].sort((a, b) => a.pid - b.pid);
}
