/**
 * The month's DingTalk API calls in the CLI: `set --api-budget`, `doctor` counting its own calls
 * with the bridge's, and `status` / `doctor` showing count, forecast and budget — as JSON, in
 * English and in 中文 (the locale's language).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Check } from '../../../electron/cli/doctor/report';
import { ApiUsage } from '../../../electron/core/bridge/api-usage/api-usage';
import type { ApiUsageView } from '../../../electron/shared/api';
import { startWorld, type World } from './helpers';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

async function doctorJson(world: World): Promise<{ checks: Check[]; apiUsage: ApiUsageView }> {
  return JSON.parse((await world.cli(['doctor', '--json'])).stdout) as { checks: Check[]; apiUsage: ApiUsageView };
}

describe('the API budget in the CLI', () => {
  it('`set --api-budget` takes a number of calls or "none"', async () => {
    w = await startWorld();
    expect((await w.configure(['--api-budget', '1.5'])).stderr).toContain('--api-budget must be a whole number of calls a month');
    const set = await w.configure(['--api-budget', '5000']);
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('DingTalk API budget: 5000 calls a month');
    expect((await w.cli(['set', '--api-budget', 'none'])).stdout).toContain('DingTalk API budget: none');
  }, 30_000);

  it('`doctor` counts its own calls with the bridge’s, and says where the month stands', async () => {
    w = await startWorld();
    await w.configure(['--api-budget', '1000']);
    const first = await doctorJson(w);
    // Its token, its probe of the card permissions and its Stream ticket, as DingTalk received them.
    const received = (): number => w!.dt.requests().filter((r) => r.api !== 'ws.connect').length;
    expect(first.apiUsage).toMatchObject({ calls: received(), budget: 1000, allowance: 'full' });
    expect(first.apiUsage.byApi.map((a) => a.api).sort()).toEqual([
      'card.createAndDeliver',
      'card.streaming',
      'gateway.connections.open',
      'oauth2.accessToken',
    ]);
    expect(first.checks.at(-1)).toMatchObject({ id: 'api_usage', status: 'ok' });
    expect(first.checks.at(-1)?.message).toMatch(
      /^API calls: \d+ in \d{4}-\d{2}; forecast ≈ \d+ by the month's end \(linear over [\d.]+ of \d+ days\); budget 1,000 \(0 % used\)$/,
    );
    const second = await doctorJson(w);
    // The second run's calls add to the first's.
    expect(second.apiUsage.calls).toBe(2 * first.apiUsage.calls);
    expect(second.apiUsage.calls).toBe(received());
  }, 30_000);

  it('`status` and `doctor` show the count, forecast and budget step, in English and in 中文', async () => {
    w = await startWorld();
    await w.configure(['--api-budget', '10']);
    // A stopped bridge that made 9 calls this month.
    const usage = new ApiUsage({ stateDir: join(w.configHome, 'bridges', 'default', 'state'), appKey: w.env['DINGTALK_APP_KEY']! });
    for (let i = 0; i < 8; i++) usage.counter('groupMessages.send');
    usage.counter('oauth2.accessToken');
    await usage.close();

    const json = JSON.parse((await w.cli(['status', '--json'])).stdout) as { apiUsage: ApiUsageView };
    expect(json.apiUsage).toMatchObject({
      calls: 9,
      budget: 10,
      allowance: 'lean',
      byApi: [
        { api: 'groupMessages.send', calls: 8 },
        { api: 'oauth2.accessToken', calls: 1 },
      ],
    });
    expect(json.apiUsage.forecast).toBeGreaterThanOrEqual(9);

    const en = (await w.cli(['status'], { env: { LANG: 'en_US.UTF-8' } })).stdout;
    expect(en).toMatch(/ {2}API calls: {3}9 in \d{4}-\d{2}; forecast ≈ \d+ by the month's end \(linear over [\d.]+ of \d+ days\); budget 10 \(90 % used\)/);
    expect(en).toContain('by API: groupMessages.send 8, oauth2.accessToken 1');
    expect(en).toContain('over 80 % of the budget: cards update less often');
    const zh = (await w.cli(['status'], { env: { LANG: 'zh_CN.UTF-8' } })).stdout;
    expect(zh).toMatch(/API 调用： {3}\d{4}-\d{2} 已调用 9 次；预计月底约 \d+ 次（按已过 [\d.]+\/\d+ 天线性推算）；预算 10 次（已用 90 %）/);
    expect(zh).toContain('已超过预算的 80 %：卡片更新变少');

    // doctor's own calls (token, card permission probe, Stream ticket) take it past the budget: a note, not a failure.
    const doctor = await w.cli(['doctor'], { env: { LANG: 'en_US.UTF-8' } });
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/! API calls: 1\d in \d{4}-\d{2}; .*budget 10 \(1\d0 % used\)/);
    expect(doctor.stdout).toContain(
      'budget reached: plain messages instead of cards until the month ends — `cccc-dingtalk set --api-budget N` raises the budget',
    );
  }, 30_000);
});
