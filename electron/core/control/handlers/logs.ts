/** The logs: the live log's query, a bridge's audit trail, and an export to a file. */
import { join } from 'node:path';
import type { ApiHandlers, AuditView } from '../../../shared/api';
import { bridgePaths } from '../../config/paths';
import { AuditLog } from '../../log/audit';
import { profileOf, type ControlContext } from '../context';

export function logHandlers(c: ControlContext): Pick<ApiHandlers, 'logs' | 'audit' | 'exportLogs'> {
  return {
    async logs(query) {
      return c.logHub.query(query);
    },

    async audit({ bridgeId, chatId, direction, limit }) {
      await profileOf(c, bridgeId);
      const audit = new AuditLog({ dir: join(bridgePaths(c.configHome, bridgeId).state, 'audit') });
      const records = await audit.read({ ...(limit ? { limit } : {}), ...(chatId ? { chat: chatId } : {}), ...(direction ? { direction } : {}) });
      return records.map(({ ref: _ref, ...r }): AuditView => r);
    },

    async exportLogs({ bridgeId, download }) {
      if (bridgeId) await profileOf(c, bridgeId);
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const name = `cccc-dingtalk-log${bridgeId ? `-${bridgeId}` : ''}-${stamp}.jsonl`;
      if (download) return { name, ...c.logHub.exportText(bridgeId ? { bridgeId } : {}) };
      const path = await c.host.chooseExportPath(name);
      if (!path) return { cancelled: true as const };
      return { path, records: await c.logHub.exportTo(path, bridgeId ? { bridgeId } : {}) };
    },
  };
}
