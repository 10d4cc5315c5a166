/** The app's surroundings: the local CCCC, links to open, and the DingTalk sandbox. */
import { isAllowedExternal, type ApiHandlers } from '../../../shared/api';
import { resolveCcccHome } from '../../cccc/daemon';
import { BridgeError } from '../../errors';
import { ccccOverview } from '../cccc-info';
import type { ControlContext } from '../context';

export function appHandlers(c: ControlContext): Pick<ApiHandlers, 'cccc' | 'openExternal' | 'startSandbox' | 'stopSandbox'> {
  return {
    async cccc({ ccccHome }) {
      return ccccOverview(ccccHome ?? resolveCcccHome({ env: c.env }), { env: c.env, timeoutMs: c.daemonTimeoutMs });
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
      return { stopped: await c.sandbox.stop() };
    },
  };
}
