/** One-scan setup for the wizard: start, follow and cancel a scan, and save a bridge with its secret. */
import type { ApiHandlers } from '../../../shared/api';
import type { ScanSessions } from '../scan-sessions';

type ScanHandlers = Pick<ApiHandlers, 'startScan' | 'scanStatus' | 'cancelScan' | 'saveBridge'>;

/** `save`: the bridges' own saveBridge, which this one hands the scanned secret to as if it were typed. */
export function scanHandlers(scans: ScanSessions, save: ApiHandlers['saveBridge']): ScanHandlers {
  return {
    startScan: () => scans.start(),
    scanStatus: async ({ scanId }) => scans.view(scanId),
    cancelScan: ({ scanId }) => scans.cancel(scanId),

    async saveBridge(input) {
      const { scanId, ...rest } = input;
      // A typed secret, or a variable's name, wins over the scan's.
      if (scanId === undefined || rest.appSecret !== undefined || rest.secretEnv !== undefined) return save(rest);
      // The scan made the app: its Client ID goes with its secret unless another one was typed (then refused).
      const appKey = rest.appKey ?? scans.view(scanId).appKey;
      if (appKey === undefined) return save(rest);
      const saved = await save({ ...rest, appKey, appSecret: await scans.secretFor(scanId, appKey) });
      await scans.claimed(scanId);
      return saved;
    },
  };
}
