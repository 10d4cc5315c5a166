/**
 * The headless bridge's memory, measured the way a user runs it: `cccc-dingtalk start --detach`
 * (bin/cccc-dingtalk.js) in its own process, against a fake DingTalk and a fake CCCC daemon
 * living in this process. Resident memory (RSS, as `ps`/`top` show it, no forced GC) once idle,
 * after 10,000 messages and after another 10,000 (one in five from a person, the rest agent
 * answers to a subscribed chat), each once everything is delivered and the process has been quiet
 * for 15 s, plus the peak over the run.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DaemonClient } from '../electron/core/cccc/daemon';
import { ALICE, GROUP_CHAT } from '../test/e2e/harness';
import { startWorld, type World } from '../test/e2e/cli/helpers';
import { round } from './stats';
import type { Targets } from './targets';

export const name = 'bridge-memory';

export const targets: Targets = {
  rss_idle_mb: { below: 64 },
  rss_after_10k_mb: { below: 80 },
  rss_growth_10k_to_20k_mb: { atMost: 2 },
};

/**
 * How long the process is left alone before a reading: what it holds, not garbage in flight.
 * V8's memory reducer starts 8 s after the last full collection.
 */
const SETTLE_MS = 15_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Resident and peak resident memory of a process, in MB (Linux /proc, else `ps`). */
async function rssOf(pid: number): Promise<{ rss: number; peak: number }> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(/\d+/.exec(status.split('\n').find((l) => l.startsWith(field)) ?? '')?.[0]);
    return { rss: kb('VmRSS:') / 1024, peak: kb('VmHWM:') / 1024 };
  } catch {
    const out = await new Promise<string>((resolve, reject) => {
      const ps = spawn('ps', ['-o', 'rss=', '-p', String(pid)]);
      let text = '';
      ps.stdout.on('data', (d: Buffer) => (text += d.toString()));
      ps.once('error', reject);
      ps.once('close', () => resolve(text));
    });
    const rss = Number(out.trim()) / 1024;
    return { rss, peak: NaN };
  }
}

async function startBridge(w: World): Promise<number> {
  const configured = await w.configure();
  if (configured.code !== 0) throw new Error(`set failed: ${configured.stderr}`);
  // A quota far above the fake's: the run measures the bridge, not DingTalk's rate limit.
  const started = await w.cli(['start', '--detach'], { env: { DINGTALK_QPS_PER_API: '5000' }, timeoutMs: 60_000 });
  if (started.code !== 0) throw new Error(`start failed: ${started.stderr}`);
  return Number((await readFile(join(w.configHome, 'bridges', 'default', 'bridge.pid'), 'utf8')).trim());
}

export async function run(): Promise<Record<string, number>> {
  const w = await startWorld({ dingtalk: { qpsLimit: 100_000, webhookPerMinuteLimit: 0 } });
  try {
    const pid = await startBridge(w);
    const { dt, cccc, groupId } = w;
    dt.injectMessage({ text: '/subscribe', conversationId: GROUP_CHAT, conversationType: '2', ...ALICE });
    await until(() => dt.sentMessages().length > 0, 'pending reply', 20_000);
    const daemon = new DaemonClient({ home: cccc.home });
    const [pending] = (await daemon.imListPending(groupId)).pending;
    await daemon.imBindChat(groupId, pending!.key);
    await sleep(SETTLE_MS);
    const idle = await rssOf(pid);

    const round10k = async (offset: number): Promise<void> => {
      dt.clearSent();
      cccc.clearRequests();
      for (let i = 0; i < 10_000; i++) {
        if (i % 5 === 0) dt.injectMessage({ text: `msg ${offset + i}`, conversationId: GROUP_CHAT, conversationType: '2', ...ALICE });
        else await cccc.speak('boss', `answer ${offset + i} ${'内容'.repeat(20)}`, { to: ['user'] });
        if (i % 500 === 0) await sleep(20);
      }
      await until(() => dt.sentMessages().length >= 8_000, 'agent messages delivered', 900_000);
      await until(() => cccc.requests().filter((r) => r.op === 'send').length >= 2_000, 'messages sent to CCCC', 900_000);
      await sleep(SETTLE_MS);
    };
    await round10k(0);
    const after10k = await rssOf(pid);
    await round10k(10_000);
    const after20k = await rssOf(pid);
    const stopped = await w.cli(['stop'], { timeoutMs: 30_000 });
    if (stopped.code !== 0) throw new Error(`stop failed: ${stopped.stderr}`);
    return {
      rss_idle_mb: round(idle.rss, 1),
      rss_after_10k_mb: round(after10k.rss, 1),
      rss_after_20k_mb: round(after20k.rss, 1),
      rss_growth_10k_to_20k_mb: round(after20k.rss - after10k.rss, 1),
      rss_peak_mb: round(after20k.peak, 1),
    };
  } finally {
    await w.close();
  }
}
