/**
 * Settings → Buttons on cards (optional) in Chromium, in English and in 中文: the guide to making
 * the template in DingTalk's card platform, its variables copied, a template id that is none
 * flagged, a test card to the subscribed chat — refused for a template the card platform does
 * not have (DingTalk's words), created for one it has — and the id saved. Then a newcomer's
 * path through the sandbox: the test card shows in the sandbox chat page, and its button works.
 * Screenshots go to artifacts/screenshots/.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxHost } from '../../../electron/sandbox/host';
import { SANDBOX_BUTTON_TEMPLATE } from '../../../electron/shared/app-info';
import { waitFor } from '../../helpers/wait';
import { en } from '../../../renderer/src/i18n/en';
import { zh } from '../../../renderer/src/i18n/zh';
import { GROUP_CHAT, SCREENSHOTS, shot, startRunningWorld, startUiWorld, useBuiltRenderer, type UiWorld } from './world';

const TEMPLATES = { en: 'f3a1c2d4-0b5e-4f6a-8c7d-9e0f1a2b3c4d.schema', zh: '0c9b8a7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d.schema' };

const renderer = useBuiltRenderer();

describe('settings: buttons on cards', () => {
  let w: UiWorld & { bridgeId: string };
  beforeAll(async () => {
    w = await startRunningWorld(renderer(), { dingtalk: { cardTemplates: Object.values(TEMPLATES) } });
  }, 60_000);
  afterAll(async () => {
    await w?.close();
  });

  it.each([
    { lang: 'en' as const, locale: 'en-US', dict: en },
    { lang: 'zh' as const, locale: 'zh-CN', dict: zh },
  ])(
    'walks the section in $lang: guide, variables, a bad id, a test card refused and one created, saved',
    async ({ lang, locale, dict }) => {
      const t = dict.settings.buttonCards;
      const page = await w.open({ locale });
      const section = page.getByRole('group', { name: t.title });
      if (lang === 'en') {
        // Not set up yet: the dashboard says so, and its button opens the section with the guide open.
        const row = page.getByTestId('button-cards');
        await row.getByText(dict.dashboard.buttonCardsNotSet).waitFor();
        await row.getByRole('button', { name: dict.dashboard.buttonCardsSetUp }).click();
        await section.getByText(t.intro).waitFor();
        expect(await section.locator('details.template-guide').getAttribute('open')).not.toBeNull();
      } else {
        await page.getByRole('button', { name: dict.nav.settings, exact: true }).click();
        await section.getByText(t.intro).waitFor();
        await section.getByText(t.howTo).click();
      }

      // The guide: its steps, the card platform's link, each variable with a copy button.
      await section.getByText(t.steps[1]!).waitFor();
      expect(await section.getByRole('link', { name: t.openPlatform }).getAttribute('href')).toBe('https://open-dev.dingtalk.com/fe/card');
      await section.getByRole('button', { name: dict.common.copyLabel.replace('{{what}}', 'buttons'), exact: true }).click();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe('buttons');

      const template = section.getByRole('textbox', { name: t.template });
      const send = section.getByRole('button', { name: t.test, exact: true });
      await template.fill('my template');
      await section.getByText(t.templateInvalid).waitFor();
      expect(await send.isDisabled()).toBe(true);

      // A template this organization's card platform does not have: DingTalk's refusal, in words.
      await template.fill('4d3c2b1a-0000-4000-8000-000000000000.schema');
      expect(await section.getByRole('combobox', { name: t.testChat }).inputValue()).toBe(GROUP_CHAT);
      await send.click();
      // English shows the services' own sentence (with DingTalk's words); 中文 the translation by code.
      await section
        .getByText(lang === 'en' ? 'DingTalk does not know this card template (不存在的卡片模板)' : zh.problems['dingtalk.card_template_not_found'].message)
        .waitFor();
      await section.getByText(lang === 'en' ? 'published (发布)' : zh.problems['dingtalk.card_template_not_found'].hint, { exact: false }).waitFor();
      expect(w.dt.cardInstances().filter((c) => c.templateId.startsWith('4d3c2b1a'))).toEqual([]);

      // The organization's own template: the card is in the chat.
      await template.fill(TEMPLATES[lang]);
      await send.click();
      await section.getByText(t.testSent.replace('{{chat}}', 'Dev team')).waitFor();
      const card = w.dt.cardInstances().find((c) => c.templateId === TEMPLATES[lang]);
      expect(card).toMatchObject({ space: { type: 'IM_GROUP', id: GROUP_CHAT } });
      expect(card?.params['markdown']).toContain(TEMPLATES[lang]);
      await section.screenshot({ path: join(SCREENSHOTS, `settings-button-cards-${lang}.png`), animations: 'disabled' });

      await page.getByRole('button', { name: dict.common.save, exact: true }).nth(1).click();
      await page.getByText(dict.common.saved, { exact: true }).first().waitFor();
      expect((await w.service.handlers.getBridge({ bridgeId: w.bridgeId })).settings.buttonCardTemplateId).toBe(TEMPLATES[lang]);
      await shot(page, `settings-button-cards-${lang}-saved`);
      await page.context().close();
    },
    40_000,
  );
});

describe('settings: buttons on cards, tried in the sandbox', () => {
  let w: UiWorld | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('the sandbox template’s test card shows in the sandbox chat page, and its button sends /help', async () => {
    // No CCCC runs in this CCCC_HOME, so the sandbox brings the demo group.
    w = await startUiWorld(renderer(), { sandbox: createSandboxHost({ env: { PATH: process.env['PATH'], CCCC_HOME: '/nonexistent/cccc-home' } }) });
    const h = w.service.handlers;
    const page = await w.open({ locale: 'zh-CN' });
    await page.getByRole('button', { name: zh.wizard.sandbox.try }).click();
    await page.getByRole('button', { name: zh.wizard.credentials.test }).click();
    await page.getByText(zh.wizard.credentials.testAllOk).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: zh.wizard.credentials.saveAndContinue }).click();
    await page.getByRole('heading', { name: zh.wizard.steps.subscribe, level: 2 }).waitFor();
    const [bridge] = await h.listBridges({});
    await waitFor(async () => (await h.getBridge({ bridgeId: bridge!.id })).status.dingtalk.status === 'connected', 'the sandbox bridge connected', 10_000, 50);

    // Someone in the sandbox's group chat subscribes it; the app approves.
    const info = await h.startSandbox({});
    const chat = await page.context().newPage();
    await chat.goto(info.chatUrl);
    const input = chat.getByRole('textbox', { name: '消息 / Message' });
    await input.fill('/subscribe');
    await input.press('Enter');
    const [pending] = await waitFor(async () => {
      const d = await h.getBridge({ bridgeId: bridge!.id });
      return d.pending.length > 0 ? d.pending : undefined;
    }, 'the /subscribe request');
    await h.approvePending({ bridgeId: bridge!.id, key: pending!.key });
    await chat.locator('.msg.from-robot', { hasText: '订阅已批准' }).waitFor();

    // Settings names the sandbox's template; a mistyped one is refused as DingTalk would.
    const t = zh.settings.buttonCards;
    await page.getByRole('button', { name: zh.nav.settings, exact: true }).click();
    const section = page.getByRole('group', { name: t.title });
    await section.getByText(SANDBOX_BUTTON_TEMPLATE, { exact: true }).waitFor();
    const template = section.getByRole('textbox', { name: t.template });
    await template.fill('cccc-sandbox-button.schema');
    await section.getByRole('button', { name: t.test, exact: true }).click();
    await section.getByText(zh.problems['dingtalk.card_template_not_found'].message).waitFor();
    await template.fill(SANDBOX_BUTTON_TEMPLATE);
    await section.getByRole('button', { name: t.test, exact: true }).click();
    await section.locator('.callout-ok').waitFor();

    // The card in the chat page, with its button: a tap sends /help, and the robot answers.
    const card = chat.locator('.msg.from-robot[data-type="buttonCard"]', { hasText: 'CCCC 桥接的测试卡片' });
    await card.getByText(SANDBOX_BUTTON_TEMPLATE).waitFor();
    await chat.screenshot({ path: join(SCREENSHOTS, 'sandbox-test-card-zh.png'), animations: 'disabled' });
    await card.getByRole('button', { name: '发送 /help' }).click();
    await chat.locator('.msg.from-robot[data-type="buttonCard"]', { hasText: '/status' }).last().waitFor();
  }, 60_000);
});
