/**
 * API call counting (bridge/api-usage/): what counting costs a call, and what a write of the
 * counts costs. 1,000,000 calls spread over 12 API names with a budget (so every call also
 * checks the budget step, as the card code will), then one write of a month that has them all.
 * Targets: counting ≤ 1 µs a call; the calls make no write of their own (writes are timed, every 5 s).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApiUsage } from '../electron/core/bridge/api-usage/api-usage';
import { API_USAGE_FILE } from '../electron/core/bridge/api-usage/usage-file';
import { round } from './stats';
import type { Targets } from './targets';

export const name = 'api-usage';

export const targets: Targets = {
  api_count_ns_per_call: { atMost: 1_000 },
  api_count_files_written_by_calls: { atMost: 0 },
};

const CALLS = 1_000_000;
const APIS = ['groupMessages.send', 'oToMessages.batchSend', 'sessionWebhook', 'emotion.reply', 'emotion.recall', 'oauth2.accessToken'].flatMap((a) => [
  a,
  `${a}.other`,
]);

export async function run(): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), 'api-usage-bench-'));
  const usage = new ApiUsage({ stateDir: dir, appKey: 'bench-app', budget: () => 10_000_000, onNotice: () => undefined });
  try {
    await usage.open();
    let steps = 0;
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) {
      usage.counter(APIS[i % APIS.length]!);
      if (usage.cardAllowance() !== 'full') steps += 1;
    }
    const countMs = performance.now() - t0;
    const written = existsSync(join(dir, API_USAGE_FILE)) ? 1 : 0;
    const t1 = performance.now();
    await usage.flush();
    const flushMs = performance.now() - t1;
    if (usage.view().calls !== CALLS || steps !== 0) throw new Error('api-usage bench: the count is wrong');
    return {
      api_count_ns_per_call: round((countMs * 1e6) / CALLS, 1),
      api_count_files_written_by_calls: written,
      api_count_flush_ms: round(flushMs, 2),
    };
  } finally {
    await usage.close();
    await rm(dir, { recursive: true, force: true });
  }
}
