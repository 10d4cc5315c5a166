/**
 * End-to-end figures on loopback, through the whole bridge (fake DingTalk + fake CCCC daemon):
 * - DingTalk message → CCCC `send` request, p50/p99 (target p50 < 10 ms)
 * - agent ledger event → DingTalk send request, p50/p99 (target p50 < 50 ms)
 * - a burst of 200 agent messages to 5 subscribed chats (1,000 sends) with the fake's QPS limit L:
 *   seconds, the floor 1000/L, the ratio (target ≤ 1.1), and in-order per chat (1/0)
 */
import { performance } from 'node:perf_hooks';
import { startE2E, textOf, type E2E } from '../test/e2e/harness';
import { percentile, round } from './stats';
import type { Targets } from './targets';

export const name = 'bridge-e2e';

export const targets: Targets = {
  e2e_inbound_p50_ms: { below: 10 },
  e2e_outbound_p50_ms: { below: 50 },
  burst_ratio: { atMost: 1.1 },
  burst_in_order: { atLeast: 1 },
};

const SAMPLES = 200;
/** Latency, not throughput: samples are spaced beyond the outbox's per-API rate (1/19 s). */
const SPACING_MS = 80;
const BURST_QPS = Number(process.env.BRIDGE_BENCH_QPS ?? 20);

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick();
  }
}

async function latencies(e: E2E): Promise<Record<string, number>> {
  const inbound: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    e.cccc.clearRequests();
    const t0 = performance.now();
    e.say(`bench in ${i}`);
    await until(() => e.cccc.requests().some((r) => r.op === 'send'), 'send to CCCC');
    inbound.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, SPACING_MS));
  }
  const outbound: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    e.dt.clearSent();
    const t0 = performance.now();
    await e.cccc.speak('boss', `bench out ${i}`, { to: ['user'] });
    await until(() => e.dt.sentMessages().length > 0, 'send to DingTalk');
    outbound.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, SPACING_MS));
  }
  return {
    e2e_inbound_p50_ms: percentile(inbound, 50),
    e2e_inbound_p99_ms: percentile(inbound, 99),
    e2e_outbound_p50_ms: percentile(outbound, 50),
    e2e_outbound_p99_ms: percentile(outbound, 99),
  };
}

async function burst(): Promise<Record<string, number>> {
  const e = await startE2E({ dingtalk: { qpsLimit: BURST_QPS } });
  try {
    const chats = Array.from({ length: 5 }, (_, i) => `cidBurstChat${i}==`);
    for (const chat of chats) await e.subscribe(chat);
    // Every send goes through the rate-limited OpenAPI: the webhook path would dodge the floor.
    e.dt.setFault({ webhookExpired: true });
    e.dt.clearSent();
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) await e.cccc.speak('boss', `burst ${i}`, { to: ['user'] });
    await until(() => e.dt.sentMessages().filter((m) => m.via === 'group').length >= 1000, '1000 sends', 300_000);
    const seconds = (performance.now() - t0) / 1000;
    const sent = e.dt.sentMessages().filter((m) => m.via === 'group');
    const inOrder = chats.every((chat) => {
      const seq = sent.filter((m) => m.conversationId === chat).map((m) => Number(textOf(m).replace('[boss] burst ', '')));
      return seq.length === 200 && seq.every((n, i) => n === i);
    });
    const throttled = e.dt.requests().filter((r) => r.status === 403).length;
    return {
      burst_sends: sent.length,
      burst_qps_limit: BURST_QPS,
      burst_seconds: round(seconds, 2),
      burst_floor_seconds: 1000 / BURST_QPS,
      burst_ratio: round(seconds / (1000 / BURST_QPS), 3),
      burst_in_order: inOrder ? 1 : 0,
      burst_throttled_403: throttled,
    };
  } finally {
    await e.close();
  }
}

export async function run(): Promise<Record<string, number>> {
  const e = await startE2E();
  let lat: Record<string, number>;
  try {
    await e.subscribe();
    lat = await latencies(e);
  } finally {
    await e.close();
  }
  return { ...lat, ...(await burst()) };
}
