/** The app's surroundings: the local CCCC, links to open, and the DingTalk sandbox. */
import { resolve } from 'node:path';
import { isAllowedExternal, type ApiHandlers } from '../../../shared/api';
import { resolveCcccHome } from '../../cccc/daemon';
import { BridgeError } from '../../errors';
import { ccccOverview } from '../cccc-info';
import { ccccHomeOf, type ControlContext } from '../context';

export function appHandlers(c: ControlContext): Pick<ApiHandlers, 'cccc' | 'openExternal' | 'startSandbox' | 'stopSandbox'> {
  return {
    async cccc({ ccccHome }) {
      const home = ccccHome ?? resolveCcccHome({ env: c.env });
      const [view, profiles] = await Promise.all([ccccOverview(home, { env: c.env, timeoutMs: c.daemonTimeoutMs }), c.profiles.list()]);
      // The wizard marks a group another bridge serves: one group has one bridge (guards.ts refuses a second at start).
      for (const g of view.groups) {
        const served = profiles.find((p) => p.groupId === g.groupId && resolve(ccccHomeOf(c, p)) === resolve(home));
        if (served) g.bridge = { id: served.id, name: served.name };
      }
      return view;
    },

    async openExternal({ url }) {
      if (!isAllowedExternal(url)) {
        throw new BridgeError({
          code: 'app.url_not_allowed',
          message: 'The app only opens https links to DingTalk, CCCC and GitHub',
          retryable: false,
          details: { url },
        });
      }
      return { opened: await c.host.openExternal(url) };
    },

    async startSandbox() {
      const info = await c.sandbox.start();
      // Typed in before the sandbox ran, it was remembered as a secret; it is the sandbox's public one.
      c.known.forget(info.appSecret);
      return info;
    },

    async stopSandbox() {
      // Its bridges first: they would only retry a sandbox that is gone.
      for (const p of await c.profiles.list()) if (p.sandbox) await c.supervisor.stop(p.id);
      return { stopped: await c.sandbox.stop() };
    },
  };
}
