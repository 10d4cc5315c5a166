/**
 * CCCC's own DingTalk bridges in one CCCC home: per group (running, or set to start with
 * `im.enabled`), and the per-app locks its bridges hold (see detect.ts). For `doctor` before
 * any bridge is configured here: which groups and apps are taken already.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PythonFlock, type FileLocker } from '../im-state/flock';
import { detectCcccBridge } from './detect';
import { readGroupConfig } from './group-config';

export interface OwnBridge {
  /** The group it serves; absent for an app lock whose group CCCC does not record there. */
  groupId?: string;
  running: boolean;
  /** `im.enabled`: CCCC starts it by itself. */
  enabled: boolean;
  pid: number | null;
}

const APP_LOCK = /^im_bridge_dingtalk_[0-9a-f]{12}\.lock$/;

export async function ownDingTalkBridges(ccccHome: string, groupIds: readonly string[], locker: FileLocker = new PythonFlock()): Promise<OwnBridge[]> {
  const found: OwnBridge[] = [];
  for (const groupId of groupIds) {
    const groupDir = join(ccccHome, 'groups', groupId);
    const config = await readGroupConfig(groupDir).catch(() => undefined);
    if (!config) continue;
    const status = await detectCcccBridge({ groupDir, config, locker });
    if (status.platform === 'dingtalk' && (status.running || status.enabled))
      found.push({ groupId, running: status.running, enabled: status.enabled, pid: status.pid });
  }
  // An app lock held while no group above shows a running bridge: a bridge of a group not listed.
  if (!found.some((b) => b.running)) {
    const locks = (await readdir(join(ccccHome, 'locks')).catch(() => [] as string[])).filter((n) => APP_LOCK.test(n));
    for (const name of locks) {
      if ((await locker.probe(join(ccccHome, 'locks', name)).catch(() => 'unknown')) === 'held') found.push({ running: true, enabled: false, pid: null });
    }
  }
  return found;
}
