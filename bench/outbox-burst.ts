/**
 * Outbox burst: 200 messages to each of 5 group chats (1,000 sends) against the fake DingTalk
 * with its per-API QPS limit set to L (env OUTBOX_BENCH_QPS, default 20). All five chats use
 * the one group-send API, so 1000/L seconds is the physical floor; target ≤ 1.1 × floor.
 * The outbox runs at L − 1 calls per second: with a burst of 1 its bucket then never puts more
 * than L calls in any one-second window, so DingTalk has no reason to answer 403 (counted as
 * `outbox_burst_throttled`). Webhooks and single chats would have budgets of their own and
 * beat the floor, which is why the burst uses group chats only.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Outbox, type OutboxItem } from '../electron/core/bridge/outbox';
import { DingTalkApi } from '../electron/core/dingtalk/openapi-client';
import { startFakeDingTalk } from '../test/fakes/dingtalk';
import { round } from './stats';

export const name = 'outbox-burst';

const CHATS = 5;
const PER_CHAT = 200;

export async function run(): Promise<Record<string, number>> {
  const limit = Number(process.env.OUTBOX_BENCH_QPS ?? 20);
  if (!(limit >= 2)) throw new RangeError('OUTBOX_BENCH_QPS must be at least 2');
  const qpsPerApi = limit - 1;
  const dt = await startFakeDingTalk({ qpsLimit: limit });
  const dir = await mkdtemp(join(tmpdir(), 'outbox-bench-'));
  const app = dt.apps[0]!;
  const api = new DingTalkApi({ credentials: { appKey: app.appKey, appSecret: app.appSecret }, endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase } });
  let failures = 0;
  const box = new Outbox({ dir, api, qpsPerApi, onFailure: () => void (failures += 1) });
  try {
    await box.open();
    const items: OutboxItem[] = [];
    for (let i = 0; i < PER_CHAT; i++) {
      for (let c = 0; c < CHATS; c++) {
        items.push({
          id: `c${c}-m${i}`,
          chat: { conversationId: `cidBench${c}`, conversationType: 'group' },
          payload: { kind: 'message', message: { kind: 'text', content: `c${c}-m${i}` } },
          createdAt: Date.now(),
        });
      }
    }
    const t0 = performance.now();
    await box.enqueue(items);
    await box.idle();
    const seconds = (performance.now() - t0) / 1000;

    const sent = dt.sentMessages();
    let inOrder = sent.length === CHATS * PER_CHAT && failures === 0;
    for (let c = 0; c < CHATS && inOrder; c++) {
      const got = sent.filter((m) => m.conversationId === `cidBench${c}`).map((m) => m.msgParam['content']);
      inOrder = got.length === PER_CHAT && got.every((content, i) => content === `c${c}-m${i}`);
    }
    const floor = (CHATS * PER_CHAT) / limit;
    return {
      outbox_burst_sends: sent.length,
      outbox_burst_qps_limit: limit,
      outbox_burst_qps_per_api: qpsPerApi,
      outbox_burst_seconds: round(seconds, 2),
      outbox_burst_floor_seconds: round(floor, 2),
      outbox_burst_ratio: round(seconds / floor, 3),
      outbox_burst_in_order: inOrder ? 1 : 0,
      outbox_burst_throttled: dt.requests().filter((r) => r.status === 403).length,
      outbox_burst_failures: failures,
    };
  } finally {
    await box.close();
    await dt.close();
    await rm(dir, { recursive: true, force: true });
  }
}
