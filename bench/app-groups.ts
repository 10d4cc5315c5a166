/**
 * One DingTalk app serving 1, 5 and 20 CCCC groups: the headless bridge (`cccc-dingtalk start
 * --detach`, profile with `--group` repeated) against the fakes, in its own process.
 * - Idle: resident memory after the process has been quiet, and the CPU time it spends over a
 *   window (wakeups show up there).
 * - Under traffic: every group has a subscribed chat; in each round every chat sends a message to
 *   its group and every group's agent answers, until each group has had ROUNDS of each. Resident
 *   memory once all is delivered, and the CPU time the traffic cost, per message.
 * Each figure is also given per group added beyond the first (docs/architecture.md §1).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ALICE, textOf } from '../test/e2e/harness';
import { startWorld, type World } from '../test/e2e/cli/helpers';
import { round } from './stats';
import type { Targets } from './targets';

export const name = 'app-groups';

export const targets: Targets = {
  rss_per_added_group_mb: { below: 3 },
  // No added wakeups: what an idle group may still cost is its ledger's stat on the app's poll tick
  // (10 a window); CPU time is read in 10 ms steps, so one step over 19 added groups is 0.5 ms.
  // A timer per group (before: a 2 s poll and a 10 s ping each) measured 2.6–4.7 ms.
  idle_cpu_ms_per_added_group: { below: 2 },
  traffic_rss_per_added_group_mb: { below: 3 },
};

const SETTLE_MS = 12_000;
const WINDOW_MS = 20_000;
/** Messages each way per group, one of each per round. */
const ROUNDS = 20;
const ROUND_MS = 250;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface Usage {
  rss: number;
  cpuMs: number;
}

/** RSS (MB) and CPU time used so far (ms) of a process (Linux /proc). */
async function usage(pid: number): Promise<Usage> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  // utime and stime, fields 14 and 15 of stat (12 and 13 after the command name), in clock ticks (100/s).
  return { rss, cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
}

interface Figures {
  idle: Usage;
  traffic: Usage & { messages: number };
}

/** Each group's chat, subscribed in that group's IM state as `cccc im bind` leaves it, and known to the bridge by a first message. */
async function subscribeChats(w: World, groups: string[]): Promise<string[]> {
  const chats = groups.map((_, i) => `cidBenchChat${i}==`);
  for (const [i, group] of groups.entries()) {
    const im = w.cccc.imFiles(group);
    await im.bind(await im.addPending(chats[i]!));
  }
  for (const chat of chats) w.dt.injectMessage({ text: 'hello', conversationId: chat, conversationType: '2', conversationTitle: chat, ...ALICE });
  await until(() => sends(w) >= groups.length, 'the first message of every chat in CCCC', 60_000);
  return chats;
}

const sends = (w: World): number => w.cccc.requests().filter((r) => r.op === 'send').length;
const agentMessages = (w: World): number => w.dt.sentMessages().filter((m) => textOf(m).includes('bench out')).length;

async function traffic(w: World, pid: number, groups: string[]): Promise<Figures['traffic']> {
  const chats = await subscribeChats(w, groups);
  await sleep(SETTLE_MS);
  w.cccc.clearRequests();
  w.dt.clearSent();
  const before = await usage(pid);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, group] of groups.entries()) {
      w.dt.injectMessage({ text: `bench in ${r}`, conversationId: chats[i], conversationType: '2', conversationTitle: chats[i], ...ALICE });
      await w.cccc.speak('boss', `bench out ${r}`, { group, to: ['user'] });
    }
    await sleep(ROUND_MS);
  }
  const each = groups.length * ROUNDS;
  await until(() => sends(w) >= each && agentMessages(w) >= each, `${each} messages each way`, 300_000);
  const after = await usage(pid);
  return { rss: after.rss, cpuMs: after.cpuMs - before.cpuMs, messages: 2 * each };
}

async function measure(count: number): Promise<Figures> {
  const w = await startWorld({ dingtalk: { qpsLimit: 100_000, webhookPerMinuteLimit: 0 } });
  try {
    const groups = [w.groupId];
    for (let i = 1; i < count; i++) groups.push(await w.cccc.createGroup({ title: `Group ${i}`, actors: ['boss'] }));
    const set = await w.configure(groups.slice(1).flatMap((g) => ['--group', g]));
    if (set.code !== 0) throw new Error(`set failed: ${set.stderr}`);
    // A quota far above the fake's: the run measures the bridge, not DingTalk's rate limit.
    const started = await w.cli(['start', '--detach'], { env: { DINGTALK_QPS_PER_API: '5000' }, timeoutMs: 60_000 });
    if (started.code !== 0) throw new Error(`start failed: ${started.stderr}`);
    const pid = Number((await readFile(join(w.configHome, 'bridges', 'default', 'bridge.pid'), 'utf8')).trim());
    await sleep(SETTLE_MS);
    const before = await usage(pid);
    await sleep(WINDOW_MS);
    const after = await usage(pid);
    const idle = { rss: after.rss, cpuMs: after.cpuMs - before.cpuMs };
    const busy = await traffic(w, pid, groups);
    await w.cli(['stop'], { timeoutMs: 30_000 });
    return { idle, traffic: busy };
  } finally {
    await w.close();
  }
}

const perMessage = (f: Figures): number => f.traffic.cpuMs / f.traffic.messages;

export async function run(): Promise<Record<string, number>> {
  const one = await measure(1);
  const five = await measure(5);
  const twenty = await measure(20);
  return {
    rss_1_group_mb: round(one.idle.rss, 1),
    rss_5_groups_mb: round(five.idle.rss, 1),
    rss_20_groups_mb: round(twenty.idle.rss, 1),
    rss_per_added_group_mb: round((twenty.idle.rss - one.idle.rss) / 19, 2),
    idle_cpu_ms_1_group: one.idle.cpuMs,
    idle_cpu_ms_5_groups: five.idle.cpuMs,
    idle_cpu_ms_20_groups: twenty.idle.cpuMs,
    idle_cpu_ms_per_added_group: round((twenty.idle.cpuMs - one.idle.cpuMs) / 19, 1),
    traffic_messages_per_group: 2 * ROUNDS,
    traffic_rss_1_group_mb: round(one.traffic.rss, 1),
    traffic_rss_5_groups_mb: round(five.traffic.rss, 1),
    traffic_rss_20_groups_mb: round(twenty.traffic.rss, 1),
    traffic_rss_per_added_group_mb: round((twenty.traffic.rss - one.traffic.rss) / 19, 2),
    traffic_cpu_ms_per_message_1_group: round(perMessage(one), 2),
    traffic_cpu_ms_per_message_5_groups: round(perMessage(five), 2),
    traffic_cpu_ms_per_message_20_groups: round(perMessage(twenty), 2),
    // How much dearer each message gets for every group the app serves besides its own.
    traffic_cpu_ms_per_message_per_added_group: round((perMessage(twenty) - perMessage(one)) / 19, 3),
  };
}
