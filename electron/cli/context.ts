/** What every command needs: where the config is, the chosen bridge, and where its files are. */
import { join } from 'node:path';
import { resolveCcccHome } from '../core/cccc/daemon/home';
import type { GuardTarget } from '../core/config/guards';
import { bridgePaths, configFilePath, resolveConfigHome, type BridgePaths } from '../core/config/paths';
import type { BridgeProfile } from '../core/config/profile';
import { pickBridge, readConfig } from '../core/config/store';
import { endpointsFromEnv, type DingTalkEndpoints } from '../core/dingtalk/endpoints';
import { addOutputSecrets } from './output';

export interface BridgeContext {
  configHome: string;
  configFile: string;
  profile: BridgeProfile;
  paths: BridgePaths;
  ccccHome: string;
  groupDir: string;
  endpoints: DingTalkEndpoints;
  env: NodeJS.ProcessEnv;
  /** This bridge as the instance guards (core/config/guards) see it. */
  target: GuardTarget;
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
  const endpoints = endpointsFromEnv(env);
  // Whatever the command prints (a server's error text may echo it) never shows the AppSecret.
  addOutputSecrets(env[profile.appSecretEnv]?.trim());
  return {
    configHome,
    configFile,
    profile,
    paths: bridgePaths(configHome, profile.id),
    ccccHome,
    groupDir: join(ccccHome, 'groups', profile.groupId),
    endpoints,
    env,
    target: { bridgeId: profile.id, groupId: profile.groupId, ccccHome, configHome, host: 'cli', apiBase: endpoints.apiBase },
  };
}
