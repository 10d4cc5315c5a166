/** The month's DingTalk API calls on the dashboard in Chromium: the live count, the forecast, a budget at 80 %+ and its warning. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait';
import { buildRenderer, shot, startRunningWorld, VARIANTS, type UiWorld } from './world';

describe('the API budget on the dashboard', () => {
  let dir: string;
  let w: UiWorld & { bridgeId: string };
  beforeAll(async () => {
    dir = await buildRenderer();
    w = await startRunningWorld(dir);
  }, 60_000);
  afterAll(async () => {
    await w?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows what DingTalk received this month, and the budget step it led to, in both languages', async () => {
    const h = w.service.handlers;
    const received = (): number => w.dt.requests().filter((r) => r.api !== 'ws.connect').length;
    const calls = async (): Promise<number> => (await h.getBridge({ bridgeId: w.bridgeId })).apiUsage.calls;
    // Some traffic: people ask, an agent answers (sends, 🤔 on and off).
    for (const question of ['Is the build green?', 'Any failing tests?', 'Ship it?']) {
      w.say(question);
      await w.cccc.speak('boss', `Answer: ${question}`, { to: ['user'] });
      await waitFor(
        () => w.sent().some((m) => m.msgParam['content'] === `[boss] Answer: ${question}` || JSON.stringify(m.msgParam).includes(`Answer: ${question}`)),
        'the answer',
        8_000,
        50,
      );
    }
    await waitFor(async () => (await calls()) === received() && received() >= 8, 'every call counted', 8_000, 50);
    // A budget the calls so far fill to 80–85 %: cards step down, and the warning shows.
    const n = await calls();
    const budget = Math.ceil(n / 0.85);
    await h.saveBridge({ id: w.bridgeId, name: 'Demo project', groupId: w.groupId, appKey: w.appKey, settings: { monthlyApiBudget: budget } });
    expect((await h.getBridge({ bridgeId: w.bridgeId })).apiUsage).toMatchObject({ calls: n, budget, allowance: 'lean' });

    for (const v of [VARIANTS[0]!, VARIANTS[3]!]) {
      const page = await w.open({ locale: v.locale, dark: v.dark });
      const card = page.locator('.card', { has: page.getByRole('heading', { name: v.dict.apiUsage.title, level: 2 }) });
      await card.getByTestId('api-calls').getByText(String(n), { exact: true }).waitFor();
      expect(await card.getByTestId('api-budget').innerText()).toContain(String(budget));
      await card.getByText(v.dict.apiUsage.allowance.lean).waitFor();
      await card.getByRole('meter').waitFor();
      await card.locator('summary').click();
      await card.getByText('gateway.connections.open').waitFor();
      await card.scrollIntoViewIfNeeded();
      await shot(page, `dashboard-api-budget-${v.name}`);
      // The warning was given once, as the bridge's last problem.
      await page.locator('[data-code="dingtalk.api_budget_near"]').first().waitFor();
      await page.close();
    }
  }, 60_000);
});
