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

type BridgeHandlers = Pick<ApiHandlers, 'listBridges' | 'getBridge' | 'saveBridge' | 'deleteBridge' | 'startBridge' | 'stopBridge' | 'restartBridge'>;

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
  return s;
}

async function detail(c: ControlContext, p: ControlProfile): Promise<BridgeDetail> {
  const [base, seen] = await Promise.all([
    summary(c, p),
    inspectBridge({
      groupId: p.groupId,
      ccccHome: ccccHomeOf(c, p),
      stateDir: bridgePaths(c.configHome, p.id).state,
      running: c.supervisor.running(p.id),
      notice: (key) => c.supervisor.notice(p.id, key),
      daemon: daemonOf(c, p),
    }),
  ]);
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
      if (input.ccccHome) profile.ccccHome = input.ccccHome;
      if (robotCode) profile.robotCode = robotCode;
      if (input.secretEnv) profile.secretEnv = input.secretEnv;
      if (input.appSecret) {
        c.known.remember(input.appSecret);
        await c.secrets.set(profile.id, input.appSecret);
      }
      await c.profiles.save(profile);
      c.appSecrets.rememberEnv(profile);

      if (existing && c.supervisor.running(profile.id)) {
        const reconnect =
          input.appSecret !== undefined ||
          (['groupId', 'ccccHome', 'appKey', 'robotCode', 'secretEnv'] as const).some((k) => existing[k] !== profile[k]) ||
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
