/** The bridges: list, detail, save (create or edit), the impact of an edit, delete, and start/stop/restart through the supervisor. */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { templateIdOk, type ApiHandlers, type BridgeDetail, type BridgeInput, type BridgeSettingsView, type BridgeSummary } from '../../../shared/api';
import { bridgeSettingsSchema } from '../../bridge/settings';
import { bridgePaths } from '../../config/paths';
import { appKeyOf, robotCodeOf, type BridgeProfile, type SecretSource, type SecretStoreKind } from '../../config/profile';
import { BridgeError } from '../../errors';
import { ccccHomeOf, daemonOf, profileOf, unknownBridge, type ControlContext } from '../context';
import { editImpact, sameApp, type EditSide } from '../edit-impact';
import { inspectBridge } from '../inspect';

type BridgeHandlers = Pick<
  ApiHandlers,
  'listBridges' | 'getBridge' | 'listChats' | 'saveBridge' | 'bridgeEditImpact' | 'deleteBridge' | 'startBridge' | 'stopBridge' | 'restartBridge'
>;

/** `demo-project-3fa2c1`: readable, and unlikely to meet an id the CLI made in the same folder. */
function newBridgeId(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `${slug || 'bridge'}-${randomBytes(3).toString('hex')}`;
}

/** Where the UI is told the secret is: this host's store, a variable, or the other host's store. */
function secretSourceView(secret: SecretSource, own: SecretStoreKind): BridgeSummary['secretSource'] {
  if (secret.from === 'env') return 'env';
  if (secret.from === own) return 'vault';
  return secret.from === 'keychain' ? 'app' : 'serve';
}

/** The groups beside the first: as the input names them, else as they were (empty or false: none). */
function moreGroupsOf(input: BridgeInput, existing: BridgeProfile | undefined): Pick<BridgeProfile, 'moreGroupIds' | 'allGroups'> {
  const more = (input.moreGroupIds ?? existing?.moreGroupIds ?? []).filter((g) => g !== (input.groupId ?? existing?.groupId));
  const all = input.allGroups ?? existing?.allGroups ?? false;
  return { ...(more.length ? { moreGroupIds: more } : {}), ...(all ? { allGroups: true } : {}) };
}

/** A typed template id must be one the card platform shows; one left as stored is not checked again (`templateIdOk`). */
function checkTemplateIds(given: BridgeInput['settings'], stored: BridgeSettingsView | undefined): void {
  for (const [field, allowEmpty] of [
    ['cardTemplateId', false],
    ['buttonCardTemplateId', true],
  ] as const) {
    const id = given?.[field];
    if (id === undefined || templateIdOk(id, { allowEmpty, stored: stored?.[field] })) continue;
    throw new BridgeError({
      code: 'config.invalid_option',
      message: `${field} "${id}" is not a card template id from DingTalk’s card platform (卡片平台)`,
      hint: `Copy the template's id from the card platform, like 382e4302-551d-4880-bf29-a30acfab2e71.schema${allowEmpty ? ', or leave it empty for none' : ''}; or leave the stored one as it is.`,
      retryable: false,
    });
  }
}

async function summary(c: ControlContext, p: BridgeProfile): Promise<BridgeSummary> {
  const updatedAt = p.secret.from === c.secrets.kind ? await c.secrets.updatedAt(p.id) : undefined;
  const s: BridgeSummary = {
    id: p.id,
    name: p.name,
    groupId: p.groupId,
    ...(p.moreGroupIds?.length ? { moreGroupIds: p.moreGroupIds } : {}),
    ...(p.allGroups ? { allGroups: true } : {}),
    appKey: appKeyOf(p, c.env) ?? '',
    secretSet: p.secret.from === 'env' ? Boolean(c.env[p.secret.name]?.trim()) : updatedAt !== undefined,
    secretSource: secretSourceView(p.secret, c.secrets.kind),
    autoStart: p.autoStart,
    settings: p.settings,
    status: c.supervisor.status(p.id),
  };
  const robotCode = robotCodeOf(p, c.env);
  if (p.ccccHome) s.ccccHome = p.ccccHome;
  if (p.appKeyEnv) s.appKeyEnv = p.appKeyEnv;
  if (robotCode) s.robotCode = robotCode;
  if (p.robotCodeEnv) s.robotCodeEnv = p.robotCodeEnv;
  if (p.secret.from === 'env') s.secretEnv = p.secret.name;
  if (updatedAt !== undefined) s.secretUpdatedAt = updatedAt;
  if (p.sandbox) s.sandbox = true;
  return s;
}

/** The group and app of a profile, resolved here, for the impact of an edit. */
function sideOf(c: ControlContext, p: Pick<BridgeProfile, 'groupId' | 'ccccHome' | 'appKey' | 'appKeyEnv'>): EditSide {
  return { groupId: p.groupId, ccccHome: ccccHomeOf(c, p), appKey: appKeyOf(p, c.env), appKeyEnv: p.appKeyEnv };
}

/** What the bridge's files (or the running bridge) say; with `daemon`, CCCC's title and actors too. */
function inspect(c: ControlContext, p: BridgeProfile, daemon: boolean): ReturnType<typeof inspectBridge> {
  return inspectBridge({
    groupId: p.groupId,
    ccccHome: ccccHomeOf(c, p),
    stateDir: bridgePaths(c.configHome, p.id).state,
    apiBudget: p.settings.monthlyApiBudget,
    running: c.supervisor.running(p.id),
    notice: (key) => c.supervisor.notice(p.id, key),
    ...(daemon ? { daemon: daemonOf(c, p) } : {}),
  });
}

async function detail(c: ControlContext, p: BridgeProfile): Promise<BridgeDetail> {
  const [base, seen] = await Promise.all([summary(c, p), inspect(c, p, true)]);
  return { ...base, ...seen };
}

export function bridgeHandlers(c: ControlContext): BridgeHandlers {
  return {
    async listBridges() {
      return Promise.all((await c.profiles.list()).map((p) => summary(c, p)));
    },

    async getBridge({ bridgeId }) {
      return detail(c, await profileOf(c, bridgeId));
    },

    async listChats() {
      const each = await Promise.all(
        (await c.profiles.list()).map(async (p) => (await inspect(c, p, false)).chats.map((chat) => ({ ...chat, bridgeId: p.id }))),
      );
      return each.flat();
    },

    async saveBridge(input) {
      const existing = input.id ? await c.profiles.get(input.id) : undefined;
      if (input.id && !existing) throw unknownBridge(input.id);
      if (input.appSecret && input.secretEnv) {
        throw new BridgeError({
          code: 'config.invalid_option',
          message: 'Give the AppSecret or the name of the variable that holds it, not both',
          retryable: false,
        });
      }
      // What the input leaves out stays as it was (a form that does not show a field must not
      // clear it): a typed value replaces the variable that held it and the other way round;
      // an empty RobotCode clears it. The input's schema makes a new bridge name all three.
      checkTemplateIds(input.settings, existing?.settings);
      const keep = <K extends keyof BridgeProfile>(...keys: K[]): Partial<Pick<BridgeProfile, K>> => {
        const kept: Partial<Pick<BridgeProfile, K>> = {};
        for (const k of keys) if (existing?.[k] !== undefined) kept[k] = existing[k];
        return kept;
      };
      const name = input.name ?? existing?.name ?? '';
      const robotCode = input.robotCode?.trim();
      const ccccHome = input.ccccHome ?? existing?.ccccHome;
      const secret: SecretSource = input.appSecret
        ? { from: c.secrets.kind }
        : input.secretEnv
          ? { from: 'env', name: input.secretEnv }
          : (existing?.secret ?? { from: c.secrets.kind });
      const profile: BridgeProfile = {
        id: existing?.id ?? newBridgeId(name),
        name,
        groupId: input.groupId ?? existing?.groupId ?? '',
        ...moreGroupsOf(input, existing),
        ...(ccccHome ? { ccccHome } : {}),
        ...(input.appKey ? { appKey: input.appKey } : keep('appKey', 'appKeyEnv')),
        ...(robotCode === undefined ? keep('robotCode', 'robotCodeEnv') : robotCode ? { robotCode } : {}),
        secret,
        autoStart: input.autoStart ?? existing?.autoStart ?? false,
        settings: bridgeSettingsSchema.parse({ ...existing?.settings, ...input.settings }),
        ...(existing ? keep('createdAt') : { createdAt: Date.now() }),
      };
      // The sandbox's own bridge is made while it runs, for its app; it stays one while it keeps that app.
      if (existing ? existing.sandbox && sameApp(existing, profile) : c.sandbox.isSandboxApp(profile.appKey ?? '')) profile.sandbox = true;
      if (input.appSecret) {
        c.known.remember(input.appSecret);
        await c.secrets.set(profile.id, input.appSecret);
      }
      await c.profiles.save(profile);
      c.appSecrets.rememberEnv(profile);

      // A running bridge restarts into a new connection, or takes new settings live; a new secret always reconnects.
      if (existing) await c.supervisor.reconcile(profile.id, { reconnect: input.appSecret !== undefined });
      c.events.emit({ type: 'bridges-changed' });
      return summary(c, profile);
    },

    async bridgeEditImpact({ bridgeId, groupId, ccccHome, appKey }) {
      const p = await profileOf(c, bridgeId);
      const before = sideOf(c, p);
      const after = sideOf(c, {
        groupId: groupId ?? p.groupId,
        ...((ccccHome ?? p.ccccHome) ? { ccccHome: ccccHome ?? p.ccccHome } : {}),
        ...(appKey ? { appKey } : { appKey: p.appKey, appKeyEnv: p.appKeyEnv }),
      });
      return editImpact(before, after, c.supervisor.running(p.id) !== undefined);
    },

    async deleteBridge({ bridgeId }) {
      await profileOf(c, bridgeId);
      await c.supervisor.forget(bridgeId);
      await c.profiles.delete(bridgeId);
      await c.secrets.delete(bridgeId);
      await rm(bridgePaths(c.configHome, bridgeId).dir, { recursive: true, force: true });
      c.events.emit({ type: 'bridges-changed' });
      return { deleted: true as const };
    },

    async startBridge({ bridgeId }) {
      await profileOf(c, bridgeId);
      return c.supervisor.start(bridgeId);
    },

    async stopBridge({ bridgeId }) {
      await profileOf(c, bridgeId);
      return c.supervisor.stop(bridgeId);
    },

    async restartBridge({ bridgeId }) {
      await profileOf(c, bridgeId);
      return c.supervisor.restart(bridgeId);
    },
  };
}
