/** What every command needs: where the config is, the chosen bridge, and where its files are. */
import { join } from 'node:path';
import { resolveCcccHome } from '../core/cccc/daemon/home';
import { appLockDir, groupLockDir, lockHolder, type LockOwner } from '../core/config/instance-lock';
import { bridgePaths, configFilePath, resolveConfigHome, type BridgePaths } from '../core/config/paths';
import type { BridgeProfile } from '../core/config/profile';
import { pickBridge, readConfig } from '../core/config/store';
import { endpointsFromEnv, type DingTalkEndpoints } from '../core/dingtalk/endpoints';

export interface BridgeContext {
  configHome: string;
  configFile: string;
  profile: BridgeProfile;
  paths: BridgePaths;
  ccccHome: string;
  groupDir: string;
  endpoints: DingTalkEndpoints;
  env: NodeJS.ProcessEnv;
}

export function configLocation(env: NodeJS.ProcessEnv = process.env): { configHome: string; configFile: string } {
  const configHome = resolveConfigHome({ env });
  return { configHome, configFile: configFilePath(configHome) };
}

export async function loadBridge(bridgeId: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<BridgeContext> {
  const { configHome, configFile } = configLocation(env);
  const config = await readConfig(configFile);
  const profile = pickBridge(config, bridgeId, configFile);
  const ccccHome = profile.ccccHome ?? resolveCcccHome({ env });
  return {
    configHome,
    configFile,
    profile,
    paths: bridgePaths(configHome, profile.id),
    ccccHome,
    groupDir: join(ccccHome, 'groups', profile.groupId),
    endpoints: endpointsFromEnv(env),
    env,
  };
}

/** Is this very bridge (same config, same id) the live owner of its group's lock? */
export function isThisBridge(ctx: BridgeContext, owner: LockOwner): boolean {
  return owner.bridgeId === ctx.profile.id && owner.configHome === ctx.configHome;
}

/** The live instance of ours serving this bridge's group, if any (this one or another). */
export function groupHolder(ctx: BridgeContext): Promise<LockOwner | undefined> {
  return lockHolder(groupLockDir(ctx.ccccHome, ctx.profile.groupId));
}

export function appHolder(ctx: BridgeContext, appKey: string): Promise<LockOwner | undefined> {
  return lockHolder(appLockDir(ctx.ccccHome, appKey));
}
