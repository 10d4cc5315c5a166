/** The bridges: list, detail, save, delete, and start/stop/restart through the supervisor. */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { ApiHandlers, BridgeDetail, BridgeSummary } from '../../../shared/api';
import { bridgeSettingsSchema } from '../../bridge/settings';
import { bridgePaths } from '../../config/paths';
import { BridgeError, toProblem } from '../../errors';
import { ccccHomeOf, daemonOf, profileOf, unknownBridge, type ControlContext } from '../context';
import { inspectBridge } from '../inspect';
import type { ControlProfile } from '../stores';

type BridgeHandlers = Pick<
  ApiHandlers,
  'listBridges' | 'getBridge' | 'listChats' | 'saveBridge' | 'deleteBridge' | 'startBridge' | 'stopBridge' | 'restartBridge'
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

async function summary(c: ControlContext, p: ControlProfile): Promise<BridgeSummary> {
  const updatedAt = p.secretEnv ? undefined : await c.secrets.updatedAt(p.id);
  const s: BridgeSummary = {
    id: p.id,
    name: p.name,
    groupId: p.groupId,
    appKey: p.appKey,
    secretSet: p.secretEnv ? Boolean(c.env[p.secretEnv]?.trim()) : updatedAt !== undefined,
    secretSource: p.secretEnv ? 'env' : 'vault',
    autoStart: p.autoStart,
    settings: p.settings,
    status: c.supervisor.status(p.id),
  };
  if (p.ccccHome) s.ccccHome = p.ccccHome;
  if (p.robotCode) s.robotCode = p.robotCode;
  if (p.secretEnv) s.secretEnv = p.secretEnv;
  if (updatedAt !== undefined) s.secretUpdatedAt = updatedAt;
  if (p.sandbox) s.sandbox = true;
  return s;
}

/** What the bridge's files (or the running bridge) say; with `daemon`, CCCC's title and actors too. */
function inspect(c: ControlContext, p: ControlProfile, daemon: boolean): ReturnType<typeof inspectBridge> {
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

async function detail(c: ControlContext, p: ControlProfile): Promise<BridgeDetail> {
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
      const robotCode = input.robotCode?.trim();
      const profile: ControlProfile = {
        id: existing?.id ?? newBridgeId(input.name),
        name: input.name,
        groupId: input.groupId,
        appKey: input.appKey,
        autoStart: input.autoStart ?? existing?.autoStart ?? false,
        settings: bridgeSettingsSchema.parse({ ...existing?.settings, ...input.settings }),
        createdAt: existing?.createdAt ?? Date.now(),
      };
      // What the input leaves out stays as it was (a form that does not show a field must not
      // clear it): ccccHome, robotCode ('' clears it) and where the secret comes from — a typed
      // AppSecret replaces the variable, a variable's name replaces the other.
      const ccccHome = input.ccccHome ?? existing?.ccccHome;
      if (ccccHome) profile.ccccHome = ccccHome;
      const keptRobotCode = robotCode ?? existing?.robotCode;
      if (keptRobotCode) profile.robotCode = keptRobotCode;
      const secretEnv = input.secretEnv ?? (input.appSecret ? undefined : existing?.secretEnv);
      if (secretEnv) profile.secretEnv = secretEnv;
      // The sandbox's own bridge is made while it runs, for its app; it stays one while it keeps that app.
      if (existing ? existing.sandbox && existing.appKey === profile.appKey : c.sandbox.isSandboxApp(profile.appKey)) profile.sandbox = true;
      if (input.appSecret) {
        c.known.remember(input.appSecret);
        await c.secrets.set(profile.id, input.appSecret);
      }
      await c.profiles.save(profile);
      c.appSecrets.rememberEnv(profile);

      if (existing && c.supervisor.running(profile.id)) {
        const reconnect =
          input.appSecret !== undefined ||
          (['groupId', 'ccccHome', 'appKey', 'robotCode', 'secretEnv', 'sandbox'] as const).some((k) => existing[k] !== profile[k]) ||
          existing.settings.catchUp !== profile.settings.catchUp ||
          existing.settings.auditContent !== profile.settings.auditContent;
        if (reconnect) {
          c.log.info('Restarting the bridge with its new settings', { bridge: profile.id });
          await c.supervisor
            .restart(profile.id)
            .catch((err: unknown) => c.log.warn('The bridge did not start again with its new settings', { bridge: profile.id, code: toProblem(err).code }));
        } else c.supervisor.updateSettings(profile.id, profile.settings);
      }
      c.events.emit({ type: 'bridges-changed' });
      return summary(c, profile);
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
