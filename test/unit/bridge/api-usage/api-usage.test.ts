/**
 * Counting DingTalk API calls: cheap (batched writes, at most the last 5 s lost in a crash),
 * across restarts and month changes, by a second writer (`doctor`), against the budget (each
 * step announced once a month), and on a damaged file or a full disk.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiUsage, readUsageView, USAGE_FLUSH_MS, type ApiUsageOptions } from '../../../../electron/core/bridge/api-usage/api-usage';
import { API_USAGE_FILE, appFingerprint } from '../../../../electron/core/bridge/api-usage/usage-file';
import type { Problem } from '../../../../electron/core/errors';
import { memoryLogger } from '../../../../electron/core/log/logger';
import { isDiskFull } from '../../../../electron/core/util/local-failure';
import { describeOnTmpfs } from '../../../helpers/tmpfs';

const APP = 'dingappkey0001';
/** Noon on 10 June, and 23:59:59.999 on 30 June, China Standard Time. */
const JUNE_10 = Date.parse('2025-06-10T04:00:00Z');
const JUNE_END = Date.parse('2025-06-30T15:59:59.999Z');

let dir: string;
let clock: number;
let notices: Problem[];
const meters: ApiUsage[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'api-usage-'));
  clock = JUNE_10;
  notices = [];
});
afterEach(async () => {
  for (const m of meters.splice(0)) await m.close();
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

function meter(options: Partial<ApiUsageOptions> = {}): ApiUsage {
  const m = new ApiUsage({ stateDir: dir, appKey: APP, now: () => clock, onNotice: (p) => notices.push(p), ...options });
  meters.push(m);
  return m;
}

async function onDisk(): Promise<Record<string, { calls: Record<string, number>; noticed?: string }>> {
  const doc = JSON.parse(await readFile(join(dir, API_USAGE_FILE), 'utf8')) as { apps: Record<string, { months: Record<string, never> }> };
  return doc.apps[appFingerprint(APP)]!.months;
}

function calls(m: ApiUsage, api: string, n: number): void {
  for (let i = 0; i < n; i++) m.counter(api);
}

describe('counting', () => {
  it('counts by API in memory and writes once per 5 s, not per call: a crash loses at most those 5 s', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const m = meter();
    await m.open();
    calls(m, 'groupMessages.send', 1_000);
    calls(m, 'oauth2.accessToken', 1);
    expect(existsSync(join(dir, API_USAGE_FILE))).toBe(false);
    expect(m.view()).toMatchObject({ month: '2025-06', calls: 1_001 });

    vi.advanceTimersByTime(USAGE_FLUSH_MS - 1);
    expect(existsSync(join(dir, API_USAGE_FILE))).toBe(false);
    vi.advanceTimersByTime(1);
    await m.flush();
    // Never closed (a crash now): what was counted up to the last write is on disk.
    expect(await onDisk()).toEqual({ '2025-06': { calls: { 'groupMessages.send': 1_000, 'oauth2.accessToken': 1 } } });
  });

  it('shows every call while a write is under way', async () => {
    const m = meter();
    await m.open();
    calls(m, 'groupMessages.send', 3);
    let written = false;
    const write = m.flush().then(() => (written = true));
    const seen: number[] = [];
    while (!written) {
      seen.push(m.view().calls);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await write;
    expect(seen.length).toBeGreaterThan(1);
    expect(new Set(seen)).toEqual(new Set([3]));
  });

  it('survives a restart: the next run starts from what the last one counted', async () => {
    const first = meter();
    await first.open();
    calls(first, 'groupMessages.send', 7);
    await first.close();

    const second = meter();
    await second.open();
    expect(second.view()).toMatchObject({ calls: 7, byApi: [{ api: 'groupMessages.send', calls: 7 }] });
    calls(second, 'emotion.reply', 2);
    await second.close();
    expect(await onDisk()).toEqual({ '2025-06': { calls: { 'groupMessages.send': 7, 'emotion.reply': 2 } } });
  });

  it('starts a new month at midnight China Standard Time, keeping the old one on disk', async () => {
    const m = meter();
    await m.open();
    clock = JUNE_END;
    calls(m, 'groupMessages.send', 5);
    clock = JUNE_END + 1;
    calls(m, 'groupMessages.send', 2);
    expect(m.view()).toMatchObject({ month: '2025-07', calls: 2 });
    await m.close();
    expect(await onDisk()).toEqual({ '2025-06': { calls: { 'groupMessages.send': 5 } }, '2025-07': { calls: { 'groupMessages.send': 2 } } });

    // And across a restart in the new month.
    const next = meter();
    await next.open();
    expect(next.view()).toMatchObject({ month: '2025-07', calls: 2 });
  });

  it('adds to what another process counted meanwhile (a `doctor` beside the running bridge)', async () => {
    const bridge = meter();
    await bridge.open();
    calls(bridge, 'groupMessages.send', 3);
    await bridge.flush();

    const doctor = new ApiUsage({ stateDir: dir, appKey: APP, now: () => clock });
    calls(doctor, 'oauth2.accessToken', 1);
    calls(doctor, 'gateway.connections.open', 1);
    await doctor.close();

    calls(bridge, 'groupMessages.send', 1);
    await bridge.flush();
    expect(await onDisk()).toEqual({ '2025-06': { calls: { 'groupMessages.send': 4, 'oauth2.accessToken': 1, 'gateway.connections.open': 1 } } });
    expect(bridge.view().calls).toBe(6);
  });

  it('keeps apps apart: a new AppKey starts at zero; a stopped bridge shows the app it ran last', async () => {
    const old = meter();
    await old.open();
    calls(old, 'groupMessages.send', 9);
    await old.close();
    const other = meter({ appKey: 'dingotherapp' });
    await other.open();
    expect(other.view().calls).toBe(0);
    calls(other, 'groupMessages.send', 1);
    await other.close();
    expect(await readUsageView(dir, null, clock)).toMatchObject({ calls: 1 });
  });

  it('a stopped bridge is read without moving anything, a damaged file as zero calls', async () => {
    const m = meter({ budget: () => 10 });
    await m.open();
    calls(m, 'groupMessages.send', 9);
    await m.close();
    expect(await readUsageView(dir, 10, clock)).toMatchObject({ calls: 9, budget: 10, allowance: 'lean', forecast: 28 });
    await writeFile(join(dir, API_USAGE_FILE), '{"version": 1, "apps": {"x"');
    expect(await readUsageView(dir, 10, clock)).toMatchObject({ calls: 0, allowance: 'full' });
    expect(await readdir(dir)).toEqual([API_USAGE_FILE]);
  });
});

describe('the budget', () => {
  it('steps down at 80 % and 100 %, announcing each step once a month — also across a restart', async () => {
    const m = meter({ budget: () => 10 });
    await m.open();
    const steps: string[] = [];
    for (let i = 0; i < 12; i++) {
      m.counter('groupMessages.send');
      steps.push(m.cardAllowance());
    }
    expect(steps).toEqual(['full', 'full', 'full', 'full', 'full', 'full', 'full', 'lean', 'lean', 'plain', 'plain', 'plain']);
    expect(notices.map((n) => n.code)).toEqual(['dingtalk.api_budget_near', 'dingtalk.api_budget_reached']);
    expect(notices[0]).toMatchObject({ details: { month: '2025-06', calls: 8, budget: 10, percent: 80 } });
    expect(notices[0]!.message).toContain('8 of the 10');
    await m.close();

    const again = meter({ budget: () => 10 });
    await again.open();
    again.counter('groupMessages.send');
    expect(again.cardAllowance()).toBe('plain');
    expect(notices).toHaveLength(2);

    // A new month: full again, and its 80 % is announced anew.
    clock = JUNE_END + 1;
    expect(again.cardAllowance()).toBe('full');
    calls(again, 'groupMessages.send', 8);
    expect(again.cardAllowance()).toBe('lean');
    expect(notices.map((n) => n.code)).toEqual(['dingtalk.api_budget_near', 'dingtalk.api_budget_reached', 'dingtalk.api_budget_near']);
  });

  it('follows the setting: a budget lowered below the count steps down (and says so) at the next look', async () => {
    let budget: number | null = null;
    const m = meter({ budget: () => budget });
    await m.open();
    calls(m, 'groupMessages.send', 50);
    expect(m.cardAllowance()).toBe('full');
    expect(notices).toEqual([]);
    budget = 40;
    expect(m.cardAllowance()).toBe('plain');
    expect(notices.map((n) => n.code)).toEqual(['dingtalk.api_budget_reached']);
    budget = 1_000;
    expect(m.cardAllowance()).toBe('full');
  });
});

describe('a damaged count file', () => {
  for (const [kind, text] of Object.entries({
    garbled: '{"version": 1, "apps": {"a',
    empty: '',
    'wrong shape': '{"version": 1, "apps": {"x": {"months": {"June": 5}}}}',
  })) {
    it(`${kind}: moved aside, counting starts from zero, said once`, async () => {
      await writeFile(join(dir, API_USAGE_FILE), text);
      const m = meter();
      await m.open();
      expect(notices.map((n) => n.code)).toEqual(['bridge.api_usage_reset']);
      expect(notices[0]!.details?.['aside']).toMatch(/api-usage\.json\.corrupt-/);
      expect((await readdir(dir)).filter((f) => f.startsWith(`${API_USAGE_FILE}.corrupt-`))).toHaveLength(1);
      calls(m, 'groupMessages.send', 2);
      await m.close();
      expect(await onDisk()).toEqual({ '2025-06': { calls: { 'groupMessages.send': 2 } } });

      const next = meter();
      await next.open();
      expect(notices).toHaveLength(1);
      expect(next.view().calls).toBe(2);
    });
  }
});

describeOnTmpfs('counting on a full disk', 64, (tmpfs) => {
  it('keeps the counts in memory, says so once, and writes them when there is room again', async () => {
    const stateDir = join(tmpfs().dir, 'state');
    const failures: unknown[] = [];
    const log = memoryLogger();
    const m = new ApiUsage({ stateDir, appKey: APP, log, now: () => clock, onLocalFailure: (err) => (failures.push(err), isDiskFull(err)) });
    meters.push(m);
    await m.open();
    calls(m, 'groupMessages.send', 3);
    await m.flush();
    await tmpfs().fill();
    try {
      calls(m, 'groupMessages.send', 4);
      await m.flush();
      await m.flush();
      expect(failures.length).toBeGreaterThanOrEqual(2);
      expect(failures.every(isDiskFull)).toBe(true);
      expect(log.records.filter((r) => r.level === 'warn')).toHaveLength(1);
      expect(m.view().calls).toBe(7);
      expect(m.cardAllowance()).toBe('full');
    } finally {
      await tmpfs().free();
    }
    await m.flush();
    expect(log.records.map((r) => r.msg)).toContain('API call counts are written again');
    expect(JSON.parse(await readFile(join(stateDir, API_USAGE_FILE), 'utf8')).apps[appFingerprint(APP)].months['2025-06'].calls).toEqual({
      'groupMessages.send': 7,
    });
    expect((await readdir(stateDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
