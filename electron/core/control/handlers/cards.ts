/** Cards: the test card of Settings → Buttons on cards, sent by the running bridge (bridge/cards/test-card.ts). */
import type { ApiHandlers } from '../../../shared/api';
import { notRunningForTestCard } from '../../bridge/cards/test-card';
import { profileOf, type ControlContext } from '../context';

export function cardHandlers(c: ControlContext): Pick<ApiHandlers, 'sendTestCard'> {
  return {
    async sendTestCard({ bridgeId, chatId, templateId }) {
      await profileOf(c, bridgeId);
      const running = c.supervisor.running(bridgeId);
      if (!running) throw notRunningForTestCard();
      await running.sendTestCard(chatId, templateId);
      return { sent: true as const, chatId };
    },
  };
}
