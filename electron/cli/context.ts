/** What every command needs: where the config is, the chosen bridge, and where its files are. */
import { join } from 'node:path';
import { resolveCcccHome } from '../core/cccc/daemon/home';
import type { GuardTarget } from '../core/config/guards';
import { bridgePaths, configFilePath, resolveConfigHome, type BridgePaths } from '../core/config/paths';
import type { BridgeProfile } from '../core/config/profile';
import { resolveCredentials, type ResolvedCredentials } from '../core/config/credentials';
import { ConfigStore, pickBridge } from '../core/config/store';
import { FileSecretStore } from '../core/control/file-stores';
import { endpointsFromEnv, type DingTalkEndpoints } from '../core/dingtalk/endpoints';
import { localeLanguage } from '../core/i18n/locale';
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

/** The configuration of this config folder, changed under its lock as the CLI. */
export function configStore(env: NodeJS.ProcessEnv = process.env): ConfigStore {
  return new ConfigStore(configLocation(env).configHome, { host: 'cli' });
}

/** `bridge`: its id or name; absent, the only one. */
export async function loadBridge(bridge: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<BridgeContext> {
  const { configHome, configFile } = configLocation(env);
  const config = await configStore(env).read();
  const profile = pickBridge(config, bridge, configFile, localeLanguage(env));
  const ccccHome = profile.ccccHome ?? resolveCcccHome({ env });
  const endpoints = endpointsFromEnv(env);
  // Whatever the command prints (a server's error text may echo it) never shows the AppSecret.
  if (profile.secret.from === 'env') addOutputSecrets(env[profile.secret.name]?.trim());
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

/** The bridge's credentials: variables, values in the profile, or secrets.json (typed into the page of `serve`). */
export function credentialsOf(ctx: BridgeContext, command?: string): Promise<ResolvedCredentials> {
  return resolveCredentials(ctx.profile, { env: ctx.env, fileSecret: (id) => new FileSecretStore(ctx.configHome).get(id), ...(command ? { command } : {}) });
}
