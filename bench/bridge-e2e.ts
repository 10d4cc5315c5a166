/**
 * End-to-end figures on loopback, through the whole bridge (fake DingTalk + fake CCCC daemon):
 * - DingTalk message → CCCC `send` request, p50/p99 (target p50 < 10 ms)
 * - agent ledger event → DingTalk send request, p50/p99 (target p50 < 50 ms)
 * - a burst of 200 agent messages to 5 subscribed chats (1,000 sends) with the fake's QPS limit L:
 *   seconds, the floor 1000/L, the ratio (target ≤ 1.1), and in-order per chat (1/0)
 * - bridge RSS (its own process) idle and after 10,000 and 20,000 messages (target < 80 MB, no growth)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SETTINGS } from '../electron/core/bridge/settings';
import { DaemonClient } from '../electron/core/cccc/daemon';
import { startFakeDingTalk } from '../test/fakes/dingtalk';
import { FakeCcccDaemon } from '../test/fakes/cccc/daemon';
import { ALICE, GROUP_CHAT, startE2E, textOf, type E2E } from '../test/e2e/harness';
import { percentile, round } from './stats';

export const name = 'bridge-e2e';

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

async function memory(): Promise<Record<string, number>> {
  const dt = await startFakeDingTalk({ qpsLimit: 100_000, webhookPerMinuteLimit: 0 });
  const cccc = await FakeCcccDaemon.start();
  const stateDir = await mkdtemp(join(tmpdir(), 'bridge-bench-'));
  const groupId = await cccc.createGroup({ title: 'Bench', actors: ['boss'] });
  const app = dt.apps[0]!;
  // Measured as shipped: one bundled file on plain node (tsx's on-the-fly compiler alone costs ~45 MB).
  // Inside the project, so the bundle's external packages resolve from node_modules.
  const script = fileURLToPath(new URL('../out/bench/bridge-child.mjs', import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL('../test/e2e/bridge-child.script.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: script,
    logLevel: 'warning',
  });
  const child = spawn(process.execPath, ['--expose-gc', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: {
      ...process.env,
      BRIDGE_CHILD_CONFIG: JSON.stringify({
        groupId,
        ccccHome: cccc.home,
        stateDir,
        credentials: { appKey: app.appKey, appSecret: app.appSecret },
        endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase },
        settings: DEFAULT_SETTINGS,
      }),
      BRIDGE_CHILD_SERVICES: JSON.stringify({ outbox: { qpsPerApi: 5_000 } }),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const waiters: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiters.shift()?.(line));
  const next = (): Promise<string> => new Promise((r) => waiters.push(r));
  const memoryNow = async (): Promise<{ rss: number; heap: number }> => {
    const answer = next();
    child.stdin!.write('rss\n');
    const [, rss, heap] = (await answer).split(' ');
    return { rss: Number(rss) / 1024 / 1024, heap: Number(heap) / 1024 / 1024 };
  };
  try {
    await next(); // connected
    dt.injectMessage({ text: '/subscribe', conversationId: GROUP_CHAT, conversationType: '2', ...ALICE });
    await until(() => dt.sentMessages().length > 0, 'pending reply');
    const daemon = new DaemonClient({ home: cccc.home });
    const [pending] = (await daemon.imListPending(groupId)).pending;
    await daemon.imBindChat(groupId, pending!.key);
    await new Promise((r) => setTimeout(r, 3_000));
    const idle = await memoryNow();
    const round10k = async (offset: number): Promise<void> => {
      dt.clearSent();
      for (let i = 0; i < 10_000; i++) {
        if (i % 5 === 0) dt.injectMessage({ text: `msg ${offset + i}`, conversationId: GROUP_CHAT, conversationType: '2', ...ALICE });
        else await cccc.speak('boss', `answer ${offset + i} ${'内容'.repeat(20)}`, { to: ['user'] });
        if (i % 500 === 0) await new Promise((r) => setTimeout(r, 20));
      }
      await until(() => dt.sentMessages().length >= 8_000, 'agent messages delivered', 120_000);
    };
    await round10k(0);
    const after10k = await memoryNow();
    await round10k(10_000);
    const after20k = await memoryNow();
    return {
      rss_idle_mb: round(idle.rss, 1),
      rss_after_10k_mb: round(after10k.rss, 1),
      rss_after_20k_mb: round(after20k.rss, 1),
      heap_idle_mb: round(idle.heap, 1),
      heap_after_10k_mb: round(after10k.heap, 1),
      heap_after_20k_mb: round(after20k.heap, 1),
    };
  } finally {
    child.kill('SIGKILL');
    await dt.close();
    await cccc.close();
    await rm(stateDir, { recursive: true, force: true });
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
  return { ...lat, ...(await burst()), ...(await memory()) };
}
