/**
 * Which CCCC groups a bridge serves when it starts, and the engine for them: today's Bridge for
 * one group (its files where they always were), an AppBridge for several (app-bridge.ts). The
 * first group keeps the bridge's state folder; every other group's files live in the folder
 * group-state.ts keeps a group's files in (`groups/<group>-<home>/`), so a group the bridge
 * served alone before comes back with its cursor and waiting messages.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readGroupConfig } from '../cccc/group/group-config';
import { claimGroup, type GuardTarget } from '../config/guards';
import type { ServedGroups } from '../config/profile';
import { BridgeError } from '../errors';
import { AppBridge, type GroupDiscovery, type GroupSpec } from './app-bridge';
import { Bridge, type BridgeConfig, type BridgeServices } from './bridge';
import { parkedDir } from './group-state';

/** What hosts hold of a running bridge: one group's or one app's; both look alike to controls. */
export type BridgeEngine = Bridge | AppBridge;

/** The groups named, in order; with `all`, then every other group of the CCCC home (by id). */
export async function resolveGroups(ccccHome: string, served: ServedGroups): Promise<string[]> {
  if (!served.all) return served.ids;
  const dirs = await readdir(join(ccccHome, 'groups'), { withFileTypes: true }).catch(() => []);
  const found = dirs
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const present = await Promise.all(found.map(async (id) => ((await readGroupConfig(join(ccccHome, 'groups', id)).catch(() => undefined)) ? id : undefined)));
  return [...served.ids, ...present.filter((id): id is string => id !== undefined && !served.ids.includes(id))];
}

/** Each group with its title (its id when group.yaml cannot say) and its state folder. */
export async function groupSpecs(ccccHome: string, stateDir: string, groupIds: readonly string[]): Promise<GroupSpec[]> {
  return Promise.all(groupIds.map((groupId, i) => groupSpec(ccccHome, stateDir, groupId, i === 0)));
}

async function groupSpec(ccccHome: string, stateDir: string, groupId: string, first: boolean): Promise<GroupSpec> {
  return {
    groupId,
    title: (await readGroupConfig(join(ccccHome, 'groups', groupId)).catch(() => undefined))?.title || groupId,
    stateDir: first ? stateDir : parkedDir(stateDir, { groupId, ccccHome }),
  };
}

/**
 * For a profile that serves every group of its CCCC: how the app finds the groups created while
 * it runs, and takes one in under the same guards as at start (guards.ts). Undefined otherwise.
 */
export function groupDiscovery(target: GuardTarget, appKey: string, served: ServedGroups, stateDir: string): GroupDiscovery | undefined {
  if (!served.all) return undefined;
  return {
    groupIds: () => resolveGroups(target.ccccHome, served),
    async claim(groupId) {
      const claimed = await claimGroup(target, appKey, groupId);
      if (!claimed.ok) throw new BridgeError(claimed.problem);
      return { spec: await groupSpec(target.ccccHome, stateDir, groupId, false), release: () => claimed.lock.release() };
    },
  };
}

/**
 * The engine for `groupIds` (the first is `config.groupId`'s): an AppBridge for several, or for
 * any number when groups may come while it runs (`discovery`).
 */
export async function makeEngine(
  config: BridgeConfig,
  groupIds: readonly string[],
  services: BridgeServices,
  discovery?: GroupDiscovery,
): Promise<BridgeEngine> {
  if (groupIds.length <= 1 && !discovery) return new Bridge(config, services);
  const { groupId: _first, ...app } = config;
  return new AppBridge({ ...app, groups: await groupSpecs(config.ccccHome, config.stateDir, groupIds), ...(discovery ? { discovery } : {}) }, services);
}
