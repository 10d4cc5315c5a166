/**
 * The wizard from nothing to a subscribed chat, in Chromium against the fakes, for one
 * language and theme (the OS language and colour scheme decide, as on a first run).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shot, startUiWorld, textOf, type UiWorld, type Variant, useBuiltRenderer } from './world';

export function wizardFlow(variants: Variant[]): void {
  const rendererDir = useBuiltRenderer();

  describe.each(variants)('setup wizard ($name)', ({ name, locale, dark, dict: L }) => {
    let w: UiWorld;
    beforeAll(async () => {
      w = await startUiWorld(rendererDir());
    }, 30_000);
    afterAll(async () => {
      await w?.close();
    });

    it('creates a bridge, explains a bad secret, and approves a live /subscribe', async () => {
      const page = await w.open({ locale, dark });
      const next = page.getByRole('button', { name: L.common.next, exact: true });
      const stepTitle = (title: string) => page.getByRole('heading', { name: title, level: 2 });
      expect(await page.evaluate('document.documentElement.dataset.theme')).toBe(dark ? 'dark' : 'light');
      expect(await page.evaluate('document.documentElement.lang')).toBe(locale.startsWith('zh') ? 'zh-CN' : 'en');

      // First run: no bridge, so the wizard.
      await page.getByRole('heading', { name: L.wizard.title, level: 1 }).waitFor();
      await stepTitle(L.wizard.steps.create).waitFor();
      await shot(page, `wizard-1-create-${name}`);
      // On `serve` the browser looking at the page opens the console, not the server (no network here: answered locally).
      await page.context().route('https://open-dev.dingtalk.com/**', (route) => route.fulfill({ contentType: 'text/html', body: '<title>console</title>' }));
      const [consolePage] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('link', { name: L.wizard.create.openConsole }).click()]);
      await consolePage.waitForURL('https://open-dev.dingtalk.com/');
      await consolePage.close();
      expect(w.opened).toEqual([]);

      await next.click();
      await stepTitle(L.wizard.steps.permissions).waitFor();
      const copy = (code: string) => page.getByRole('button', { name: L.common.copyLabel.replace('{{what}}', code) });
      for (const code of ['Robot.SingleChat.ReadWrite', 'qyapi_robot_sendmsg', 'qyapi_chat_read', 'qyapi_chat_manage']) await copy(code).waitFor();
      expect(await copy('Card.Instance.Write').count()).toBe(0);
      await page.getByLabel(L.wizard.permissions.cards).check();
      await copy('Card.Streaming.Write').waitFor();
      await copy('qyapi_chat_read').click();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe('qyapi_chat_read');
      await shot(page, `wizard-2-permissions-${name}`);

      await next.click();
      await stepTitle(L.wizard.steps.robot).waitFor();
      expect(await page.locator('.callout-key').innerText()).toMatch(/消息接收模式[\s\S]*Stream 模式/);
      await shot(page, `wizard-3-robot-${name}`);

      await next.click();
      await stepTitle(L.wizard.steps.publish).waitFor();
      await page.getByText(L.wizard.publish.lead).waitFor();
      await shot(page, `wizard-4-publish-${name}`);

      await next.click();
      await stepTitle(L.wizard.steps.credentials).waitFor();
      // The only CCCC group is chosen already.
      await page.locator('.cccc-state .badge-ok').waitFor();
      expect(await page.getByLabel(L.wizard.credentials.groupSelect).inputValue()).toBe(w.groupId);

      await page.getByLabel(L.wizard.credentials.appKey).fill(w.appKey);
      await page.getByLabel(L.wizard.credentials.appSecret).fill('not-the-secret');
      await page.getByRole('button', { name: L.wizard.credentials.test }).click();
      const failure = page.locator('.check-row[data-check="failed"]').first();
      await failure.waitFor({ timeout: 15_000 });
      expect(await failure.innerText()).toContain(L.troubleshoot.invalidAppkey.title);
      expect(await failure.innerText()).toContain('凭证与基础信息 (Credentials & Basic Info)');
      await shot(page, `wizard-5-credentials-bad-${name}`);

      await page.getByLabel(L.wizard.credentials.appSecret).fill(w.appSecret);
      await page.getByRole('button', { name: L.wizard.credentials.test }).click();
      await page.getByText(L.wizard.credentials.testAllOk).waitFor({ timeout: 15_000 });
      await shot(page, `wizard-5-credentials-ok-${name}`);

      await page.getByRole('button', { name: L.wizard.credentials.saveAndContinue }).click();
      await stepTitle(L.wizard.steps.subscribe).waitFor();
      await page.getByText(L.wizard.subscribe.waiting).waitFor({ timeout: 15_000 });
      await shot(page, `wizard-6-waiting-${name}`);

      // The /subscribe arrives from DingTalk while the page waits.
      w.say('/subscribe');
      const request = page.locator('.pending');
      await request.waitFor({ timeout: 10_000 });
      expect(await request.innerText()).toMatch(/Dev team[\s\S]*Alice/);
      await shot(page, `wizard-6-request-${name}`);

      await page.getByRole('button', { name: `${L.wizard.subscribe.approve}: Dev team` }).click();
      await page.locator('.callout-ok').waitFor();
      await expect.poll(() => w.sent().map(textOf).join('\n'), { timeout: 8_000 }).toMatch(/订阅已批准|approved/i);
      await expect.poll(() => page.locator('.traffic-out').count(), { timeout: 8_000 }).toBeGreaterThanOrEqual(1);

      // A message both ways, seen live in the traffic.
      const outBefore = await page.locator('.traffic-out').count();
      w.say('Please check the build');
      await expect.poll(() => page.locator('.traffic-in').count(), { timeout: 8_000 }).toBeGreaterThanOrEqual(2);
      await w.cccc.speak('boss', 'The build is green', { to: ['user'] });
      await expect.poll(() => w.sent().map(textOf).join('\n'), { timeout: 8_000 }).toContain('The build is green');
      await expect.poll(() => page.locator('.traffic-out').count(), { timeout: 8_000 }).toBeGreaterThan(outBefore);
      await shot(page, `wizard-6-approved-${name}`);

      await page.getByRole('button', { name: L.wizard.subscribe.finish }).click();
      await page.getByRole('heading', { name: 'Demo project', level: 1 }).waitFor();
      await page.locator('.chat-title', { hasText: 'Dev team' }).waitFor();
    }, 60_000);
  });
}
