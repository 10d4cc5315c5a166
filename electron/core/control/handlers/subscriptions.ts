/** Subscription requests: approve (through the running bridge, which also tells the chat) or reject. */
import type { ApiHandlers } from '../../../shared/api';
import { BridgeError } from '../../errors';
import { daemonCall, daemonOf, profileOf, type ControlContext } from '../context';

export function subscriptionHandlers(c: ControlContext): Pick<ApiHandlers, 'approvePending' | 'rejectPending'> {
  return {
    async approvePending({ bridgeId, key }) {
      const p = await profileOf(c, bridgeId);
      const running = c.supervisor.running(bridgeId);
      // The running bridge also tells the chat; without it CCCC alone records the approval.
      if (running) return running.approve(key);
      return { chatId: (await daemonOf(c, p).imBindChat(p.groupId, key, daemonCall(c))).chat_id };
    },

    async rejectPending({ bridgeId, key }) {
      const p = await profileOf(c, bridgeId);
      const { rejected } = await daemonOf(c, p).imRejectPending(p.groupId, key, daemonCall(c));
      if (!rejected) {
        throw new BridgeError({
          code: 'cccc.pending_not_found',
          message: `No pending request ${key}`,
          hint: 'It may have expired or been handled already.',
          retryable: false,
        });
      }
      return { rejected: true as const };
    },
  };
}
