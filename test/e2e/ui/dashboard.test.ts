/** The dashboard and the logs in Chromium against the fakes: live state, traffic both ways, pending requests, stop/start, filters, export, API calls. */
import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../../renderer/src/i18n/en';
import { buildRenderer, GROUP_CHAT, shot, startRunningWorld, VARIANTS, type UiWorld } from './world';

describe('dashboard and logs', () => {
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

  it('shows the running bridge, a message both ways, a live request, and stops and starts', async () => {
    const page = await w.open();
    await page.getByRole('heading', { name: 'Demo project', level: 1 }).waitFor();
    const card = (title: string) => page.locator('.card', { has: page.getByRole('heading', { name: title, level: 2 }) });
    await card(en.dashboard.connection).getByText(en.state.conn.connected).waitFor();
    await card(en.dashboard.connection).getByText(en.state.cccc.up, { exact: true }).waitFor({ timeout: 8_000 });
    expect(await card(en.dashboard.group).innerText()).toMatch(/🟢\s*boss\s*foreman[\s\S]*🟢\s*helper\s*peer/);
    // A chat by its name, the id on hover.
    const chat = card(en.dashboard.chats).locator('.chat-title', { hasText: 'Dev team' });
    await chat.waitFor();
    expect(await chat.getAttribute('title')).toBe(GROUP_CHAT);
    expect(await card(en.dashboard.chats).innerText()).not.toContain(GROUP_CHAT);
    expect(await card(en.dashboard.connection).innerText()).toMatch(/last changed \d+ \w+ \d{4}/);

    // Both ways: a person writes, an agent answers; the dashboard's traffic shows each.
    w.say('Please check the build');
    await card(en.dashboard.traffic).locator('.traffic-in', { hasText: 'Alice' }).nth(1).waitFor({ timeout: 10_000 });
    await w.cccc.speak('boss', 'The build is green', { to: ['user'] });
    await expect.poll(() => card(en.dashboard.traffic).locator('.traffic-out').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);

    // A new /subscribe from a single chat shows up live, and can be rejected.
    w.say('/subscribe', {
      conversationId: 'cidBobSingle==',
      conversationType: '1',
      conversationTitle: undefined,
      senderStaffId: 'staff-bob',
      senderNick: 'Bob',
      senderId: '$:LWCP_v1:$bob',
    });
    const request = card(en.dashboard.pending).locator('.pending');
    await request.waitFor({ timeout: 8_000 });
    expect(await request.innerText()).toContain('Bob');
    // Its key, as the chat was told it.
    const [pending] = (await w.service.handlers.getBridge({ bridgeId: w.bridgeId })).pending;
    expect(await request.innerText()).toContain(pending!.key);
    await shot(page, 'dashboard-pending-en-light');
    await request.getByRole('button', { name: /^Reject/ }).click();
    await card(en.dashboard.pending).getByText(en.dashboard.noPending).waitFor();
    expect((await w.service.handlers.getBridge({ bridgeId: w.bridgeId })).pending).toEqual([]);

    await page.getByRole('button', { name: en.dashboard.stop, exact: true }).click();
    await page.locator('.page-sub').getByText(en.state.run.stopped).waitFor();
    expect(w.service.supervisor.running(w.bridgeId)).toBeFalsy();
    await page.getByRole('button', { name: en.dashboard.start, exact: true }).click();
    await card(en.dashboard.connection).getByText(en.state.conn.connected).waitFor({ timeout: 10_000 });
    await page.locator('.page-sub').getByText(en.state.run.running).waitFor();
  }, 40_000);

  it('filters the live log by level, chat and text, and exports it', async () => {
    const page = await w.open();
    await page.getByRole('button', { name: en.nav.logs, exact: true }).click();
    await page.getByRole('heading', { name: en.logs.title, level: 1 }).waitFor();
    const rows = page.locator('.log-row');
    await rows.first().waitFor();
    await page.getByLabel(en.logs.level).selectOption('debug');

    // Live: a new message's records arrive without a reload.
    const before = await rows.count();
    w.say('Another question for the agents');
    await expect.poll(() => rows.count(), { timeout: 8_000 }).toBeGreaterThan(before);

    // A warning of our own, so the level filter surely has a row to keep.
    const warning = rows.filter({ hasText: 'a warning the level filter keeps' });
    w.logHub.logger('test').warn('a warning the level filter keeps');
    await warning.waitFor();
    const all = await rows.count();
    // Each filter shows some rows but not all of them, and every row shown matches it.
    const filtered = async (): Promise<boolean> => {
      const n = await rows.count();
      return n > 0 && n < all;
    };
    await page.getByLabel(en.logs.level).selectOption('warn');
    await expect.poll(filtered).toBe(true);
    await warning.waitFor();
    const levels = await page.locator('.log-row .level').allInnerTexts();
    expect(levels.every((l) => l === en.logs.levels.warn || l === en.logs.levels.error)).toBe(true);
    await page.getByLabel(en.logs.level).selectOption('debug');

    // The chat by its name (the id on hover), in the filter and the rows.
    await page.getByLabel(en.logs.chat).selectOption({ label: 'Dev team' });
    await expect.poll(filtered).toBe(true);
    expect((await page.locator('.log-row .log-msg').allInnerTexts()).every((m) => m.includes('[Dev team]'))).toBe(true);
    expect(await page.locator('.log-row .log-chat').first().getAttribute('title')).toBe(GROUP_CHAT);
    expect(await page.getByLabel(en.logs.chat).inputValue()).toBe(GROUP_CHAT);
    await page.getByLabel(en.logs.chat).selectOption('');

    await page.getByLabel(en.logs.search).fill('delivered to');
    await expect.poll(filtered).toBe(true);
    const texts = await rows.allInnerTexts();
    expect(texts.every((t) => t.toLowerCase().includes('delivered to'))).toBe(true);
    await page.getByLabel(en.logs.search).fill('no such text anywhere');
    await page.getByText(en.logs.noMatch).waitFor();
    await page.getByLabel(en.logs.search).fill('');

    // On `serve` the export is downloaded by the browser, not written on the server.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: en.logs.export }).click()]);
    expect(download.suggestedFilename()).toMatch(/^cccc-dingtalk-log-.*\.jsonl$/);
    const exported = await readFile((await download.path())!, 'utf8');
    expect(exported.trim().split('\n').length).toBeGreaterThan(0);
    expect(exported).not.toContain(w.appSecret);
    await page.getByText(/^Downloaded \d+ records as cccc-dingtalk-log-.*\.jsonl$/).waitFor();
    // The secret never reached the page.
    expect(await page.content()).not.toContain(w.appSecret);
  }, 30_000);

  it('looks right in 中文 and English, light and dark', async () => {
    for (const v of VARIANTS) {
      const page = await w.open({ locale: v.locale, dark: v.dark });
      await page.getByRole('heading', { name: 'Demo project', level: 1 }).waitFor();
      await page.locator('.traffic-out').first().waitFor();
      await shot(page, `dashboard-${v.name}`);
      await page.getByRole('button', { name: v.dict.nav.logs, exact: true }).click();
      await page.locator('.log-row').first().waitFor();
      await shot(page, `logs-${v.name}`);
      await page.context().close();
    }
  }, 40_000);

  it('shows the DingTalk calls it made this month, and the budget step they led to', async () => {
    const h = w.service.handlers;
    const received = (): number => w.dt.requests().filter((r) => r.api !== 'ws.connect').length;
    const calls = async (): Promise<number> => (await h.getBridge({ bridgeId: w.bridgeId })).apiUsage.calls;
    // A question and its answer: a send, the 🤔 on and off.
    w.say('How much have we used?');
    await w.cccc.speak('boss', 'Let me count', { to: ['user'] });
    await expect.poll(() => w.sent().some((m) => JSON.stringify(m.msgParam).includes('Let me count')), { timeout: 8_000 }).toBe(true);
    await expect.poll(async () => (await calls()) === received() && received() >= 4, { timeout: 8_000 }).toBe(true);
    // A budget the calls so far fill to 80–90 %: cards step down, and the warning shows.
    const n = await calls();
    const budget = Math.max(n + 1, Math.round(n / 0.85));
    await h.saveBridge({ id: w.bridgeId, name: 'Demo project', groupId: w.groupId, appKey: w.appKey, settings: { monthlyApiBudget: budget } });
    expect((await h.getBridge({ bridgeId: w.bridgeId })).apiUsage).toMatchObject({ calls: n, budget, allowance: 'lean' });

    for (const v of [VARIANTS[0]!, VARIANTS[3]!]) {
      const page = await w.open({ locale: v.locale, dark: v.dark });
      const usage = page.locator('.card', { has: page.getByRole('heading', { name: v.dict.apiUsage.title, level: 2 }) });
      await usage.getByTestId('api-calls').getByText(String(n), { exact: true }).waitFor();
      expect(await usage.getByTestId('api-budget').innerText()).toContain(String(budget));
      await usage.getByText(v.dict.apiUsage.allowance.lean).waitFor();
      await usage.getByRole('meter').waitFor();
      await usage.locator('summary').click();
      await usage.getByText('gateway.connections.open').waitFor();
      // The warning, once, as the bridge's last problem.
      await page.locator('[data-code="dingtalk.api_budget_near"]').waitFor();
      await shot(page, `dashboard-api-budget-${v.name}`);
      await page.context().close();
    }
  }, 30_000);
});
