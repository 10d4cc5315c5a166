/**
 * One DingTalk app serving 1, 5 and 20 CCCC groups, idle: the headless bridge
 * (`cccc-dingtalk start --detach`, profile with `--group` repeated) against the fakes. Resident
 * memory after the process has been quiet, and the CPU time it spends idle over a window (wakeups
 * show up there): what each added group costs (docs/architecture.md §1).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startWorld } from '../test/e2e/cli/helpers';
import { round } from './stats';
import type { Targets } from './targets';

export const name = 'app-groups';

export const targets: Targets = {
  rss_per_added_group_mb: { below: 3 },
  idle_cpu_ms_per_added_group: { below: 5 },
};

const SETTLE_MS = 12_000;
const WINDOW_MS = 20_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** RSS (MB) and CPU time used so far (ms) of a process (Linux /proc). */
async function usage(pid: number): Promise<{ rss: number; cpuMs: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  // utime and stime, fields 14 and 15 of stat (12 and 13 after the command name), in clock ticks (100/s).
  return { rss, cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
}

async function idleWith(groups: number): Promise<{ rss: number; cpuMs: number }> {
  const w = await startWorld();
  try {
    const more: string[] = [];
    for (let i = 1; i < groups; i++) more.push('--group', await w.cccc.createGroup({ title: `Group ${i}`, actors: ['boss'] }));
    const set = await w.configure(more);
    if (set.code !== 0) throw new Error(`set failed: ${set.stderr}`);
    const started = await w.cli(['start', '--detach'], { timeoutMs: 60_000 });
    if (started.code !== 0) throw new Error(`start failed: ${started.stderr}`);
    const pid = Number((await readFile(join(w.configHome, 'bridges', 'default', 'bridge.pid'), 'utf8')).trim());
    await sleep(SETTLE_MS);
    const before = await usage(pid);
    await sleep(WINDOW_MS);
    const after = await usage(pid);
    await w.cli(['stop'], { timeoutMs: 30_000 });
    return { rss: after.rss, cpuMs: after.cpuMs - before.cpuMs };
  } finally {
    await w.close();
  }
}

export async function run(): Promise<Record<string, number>> {
  const one = await idleWith(1);
  const five = await idleWith(5);
  const twenty = await idleWith(20);
  return {
    rss_1_group_mb: round(one.rss, 1),
    rss_5_groups_mb: round(five.rss, 1),
    rss_20_groups_mb: round(twenty.rss, 1),
    rss_per_added_group_mb: round((twenty.rss - one.rss) / 19, 2),
    idle_cpu_ms_1_group: one.cpuMs,
    idle_cpu_ms_20_groups: twenty.cpuMs,
    idle_cpu_ms_per_added_group: round((twenty.cpuMs - one.cpuMs) / 19, 1),
  };
}
