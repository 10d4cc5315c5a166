/** The app-wide settings (custom endpoint mode among them) and the vault's state. */
import { isDingTalkBase, type ApiHandlers } from '../../../shared/api';
import { BridgeError } from '../../errors';
import { profileOf, type ControlContext } from '../context';

export function settingsHandlers(c: ControlContext): Pick<ApiHandlers, 'getAppSettings' | 'setAppSettings' | 'vault'> {
  return {
    async getAppSettings() {
      return c.appSettings.get();
    },

    async setAppSettings({ customEndpoint, ...patch }) {
      const current = await c.appSettings.get();
      const next = { ...current };
      for (const [key, value] of Object.entries(patch)) {
        if (value === undefined) continue;
        if (value === null) delete (next as Record<string, unknown>)[key];
        else (next as Record<string, unknown>)[key] = value;
      }
      const changed: Array<'apiBase' | 'oapiBase'> = [];
      for (const k of ['apiBase', 'oapiBase'] as const) {
        const base = patch[k];
        if (!base || base === current[k]) continue;
        c.endpoints.checkEndpoint(k, base, customEndpoint !== undefined);
        changed.push(k);
      }
      const custom = (['apiBase', 'oapiBase'] as const).some((k) => next[k] !== undefined && !isDingTalkBase(next[k], k));
      if (!custom) delete next.customEndpointSince;
      else if (customEndpoint && changed.length > 0) {
        // The secret typed with the endpoint is stored after `since`: it alone may go there.
        const profile = await profileOf(c, customEndpoint.bridgeId);
        if (profile.secret.from === 'env') {
          throw new BridgeError({
            code: 'config.invalid_option',
            message: `"${profile.name}" reads its AppSecret from ${profile.secret.name}; a custom endpoint needs it typed in`,
            hint: "Type the AppSecret in the bridge's settings instead of naming a variable, then set the custom endpoint.",
            retryable: false,
          });
        }
        next.customEndpointSince = Date.now();
        c.known.remember(customEndpoint.appSecret);
        await c.secrets.set(profile.id, customEndpoint.appSecret);
        // Typed here, it is kept here now (the profile may have said the other host kept it).
        if (profile.secret.from !== c.secrets.kind) await c.profiles.save({ ...profile, secret: { from: c.secrets.kind } });
      }
      if (patch.launchAtLogin !== undefined && patch.launchAtLogin !== current.launchAtLogin) await c.host.setLaunchAtLogin?.(patch.launchAtLogin);
      await c.appSettings.save(next);
      c.events.emit({ type: 'app-settings', settings: next });
      return next;
    },

    async vault() {
      return c.secrets.info();
    },
  };
}
