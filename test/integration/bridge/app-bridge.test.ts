/**
 * One app serving many groups, against the fakes in this process: what it shares so that an idle
 * group adds nothing — one watch of the CCCC daemon, one clock for the ledger followers' safety
 * poll (docs/architecture.md §1) — and that every group still hears CCCC go and come back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppBridge } from '../../../electron/core/bridge/app-bridge';
import type { BridgeServices } from '../../../electron/core/bridge/bridge';
import { parkedDir } from '../../../electron/core/bridge/group-state';
import { DEFAULT_SETTINGS } from '../../../electron/core/bridge/settings';
import { memoryLogger } from '../../../electron/core/log/logger';
import { FakeCcccDaemon } from '../../fakes/cccc/daemon';
import { startFakeDingTalk, type FakeDingTalk } from '../../fakes/dingtalk';
import { expectQuietFor, waitFor } from '../../helpers/wait';

interface World {
  dt: FakeDingTalk;
  cccc: FakeCcccDaemon;
  app: AppBridge;
  groups: string[];
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function startApp(count: number, services: BridgeServices = {}): Promise<World> {
  const dt = await startFakeDingTalk({ qpsLimit: 1000 });
  const cccc = await FakeCcccDaemon.start();
  const stateDir = await mkdtemp(join(tmpdir(), 'app-bridge-'));
  const groups: string[] = [];
  for (let i = 0; i < count; i++) groups.push(await cccc.createGroup({ title: `Group ${i}`, actors: ['boss'] }));
  const dtApp = dt.apps[0]!;
  const app = new AppBridge(
    {
      groups: groups.map((groupId, i) => ({
        groupId,
        title: `Group ${i}`,
        stateDir: i === 0 ? stateDir : parkedDir(stateDir, { groupId, ccccHome: cccc.home }),
      })),
      ccccHome: cccc.home,
      stateDir,
      credentials: { appKey: dtApp.appKey, appSecret: dtApp.appSecret, robotCode: dtApp.robotCode },
      endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase },
      settings: { ...DEFAULT_SETTINGS, replyLanguage: 'en' },
    },
    { logger: memoryLogger('app-bridge'), ...services },
  );
  cleanup.push(async () => {
    await app.stop();
    await dt.close();
    await cccc.close();
    await rm(stateDir, { recursive: true, force: true });
  });
  await app.start();
  await waitFor(() => app.status().dingtalk.status === 'connected' && app.status().cccc.status === 'up', 'the app connected, CCCC up');
  return { dt, cccc, app, groups };
}

/** Counts the callbacks of timers the bridge's own code (electron/core) sets from now on: its wakeups. */
function countCoreWakeups(): { count(): number; restore(): void } {
  let fired = 0;
  const core = `${sep}electron${sep}core${sep}`;
  const realTimeout = globalThis.setTimeout;
  const realInterval = globalThis.setInterval;
  const counted =
    (fn: (...args: unknown[]) => void) =>
    (...args: unknown[]): void => {
      fired += 1;
      fn(...args);
    };
  const pick = (fn: (...args: unknown[]) => void): ((...args: unknown[]) => void) => (new Error().stack?.includes(core) ? counted(fn) : fn);
  const timeouts = vi
    .spyOn(globalThis, 'setTimeout')
    .mockImplementation(((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => realTimeout(pick(fn), ms, ...args)) as typeof setTimeout);
  const intervals = vi
    .spyOn(globalThis, 'setInterval')
    .mockImplementation(((fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => realInterval(pick(fn), ms, ...args)) as typeof setInterval);
  return {
    count: () => fired,
    restore: () => {
      timeouts.mockRestore();
      intervals.mockRestore();
    },
  };
}

/** The bridge's wakeups over a second of an app idle with `count` groups, its timers short (50 ms). */
async function idleWakeups(count: number): Promise<number> {
  const wakeups = countCoreWakeups();
  try {
    const w = await startApp(count, { ledgerPollMs: 50, daemonPollMs: 50 });
    const from = wakeups.count();
    await expectQuietFor(1_000, 'nothing sent either way', () => w.dt.sentMessages().length === 0 && !w.cccc.requests().some((r) => r.op === 'send'));
    return wakeups.count() - from;
  } finally {
    wakeups.restore();
  }
}

describe('one app, many groups, idle', () => {
  it('wakes no more often with 5 groups than with 1: one daemon ping and one ledger poll clock for all', { timeout: 30_000 }, async () => {
    const one = await idleWakeups(1);
    for (const c of cleanup.splice(0).reverse()) await c();
    const five = await idleWakeups(5);
    // One group: about 20 poll ticks and 20 pings a second; a timer per group would make it five times that.
    expect(one).toBeGreaterThan(10);
    expect(five).toBeLessThan(one * 1.5 + 5);
  });
});

describe('one app, many groups, one daemon watch', () => {
  const states = async (app: AppBridge): Promise<string[]> => ((await app.inspect()).groups ?? []).map((g) => g.state);

  it('tells every group CCCC went and came back; a group gone leaves the watch to the others', { timeout: 30_000 }, async () => {
    const w = await startApp(3, { daemonPollMs: 50, groupCheckMs: 100 });
    await waitFor(async () => (await states(w.app)).every((s) => s === 'running'), 'every group running');

    await w.cccc.stopDaemon();
    await waitFor(async () => (await states(w.app)).every((s) => s === 'degraded'), 'every group degraded while CCCC is down');
    expect(w.app.status().cccc.status).toBe('down');
    await w.cccc.restart();
    await waitFor(async () => (await states(w.app)).every((s) => s === 'running'), 'every group running again');

    // The last group's folder is deleted in CCCC: it stops, the daemon watch does not.
    await rm(w.cccc.groupDir(w.groups[2]), { recursive: true, force: true });
    await waitFor(async () => (await states(w.app))[2] === 'error', 'the gone group left out');
    await w.cccc.stopDaemon();
    await waitFor(async () => (await states(w.app)).slice(0, 2).every((s) => s === 'degraded'), 'the others still hear CCCC go');
    await w.cccc.restart();
    await waitFor(async () => (await states(w.app)).slice(0, 2).every((s) => s === 'running'), 'and come back');
  });

  it('restarted while CCCC stays down: every group says so at once (the watch knew), and runs once it is up', { timeout: 30_000 }, async () => {
    const w = await startApp(2, { daemonPollMs: 50 });
    await w.cccc.stopDaemon();
    await waitFor(async () => (await states(w.app)).every((s) => s === 'degraded'), 'every group degraded');
    await w.app.stop();
    // The watch saw CCCC down before: seeing it down again is no change, so no group hears of it; they must ask.
    await w.app.start();
    expect(await states(w.app)).toEqual(['degraded', 'degraded']);
    await w.cccc.restart();
    await waitFor(async () => (await states(w.app)).every((s) => s === 'running'), 'every group running');
  });
});
