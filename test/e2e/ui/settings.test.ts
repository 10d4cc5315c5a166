/** Settings in Chromium against the control services: language and theme switch, per-bridge settings, secret rotation, vault warning. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../../renderer/src/i18n/en';
import { zh } from '../../../renderer/src/i18n/zh';
import { buildRenderer, shot, startRunningWorld, VARIANTS, type UiWorld } from './world';

describe('settings', () => {
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

  it('looks right in 中文 and English, light and dark', async () => {
    for (const v of VARIANTS) {
      const page = await w.open({ locale: v.locale, dark: v.dark });
      await page.getByRole('button', { name: v.dict.nav.settings, exact: true }).click();
      await page.getByRole('heading', { name: v.dict.settings.title, level: 1 }).waitFor();
      // `serve` keeps secrets in a plain file: the warning and the env-var offer are shown.
      await page.getByText(v.dict.settings.vault.basicTitle).waitFor();
      await page.getByLabel(v.dict.settings.accessModes.allowlist).check();
      // The first Alice is the access allowlist's (the approvers' picker lists the same people).
      await page.getByText('Alice').first().waitFor();
      await shot(page, `settings-${v.name}`);
      await page.context().close();
    }
  }, 30_000);

  it('changes bridge settings, rotates the secret write-only, and switches language and theme', async () => {
    const h = w.service.handlers;
    const page = await w.open();
    // Everything the services answer the page, to check no secret is in it.
    const answers: Promise<string>[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/') && !r.url().includes('/api/events')) answers.push(r.text().catch(() => ''));
    });
    await page.getByRole('button', { name: en.nav.settings, exact: true }).click();
    await page.getByRole('heading', { name: en.settings.title, level: 1 }).waitFor();

    // Who may command: only Alice, picked from the people who wrote to the robot.
    await page.getByLabel(en.settings.accessModes.allowlist).check();
    await page.getByRole('checkbox', { name: /Alice/ }).first().check();
    await page.getByLabel(en.settings.replyLanguage).selectOption('en');
    const maxFile = page.getByLabel(en.settings.maxFileMb);
    await maxFile.fill('5000');
    // The second Save: the first is for the bridge's name, group and app.
    const save = page.getByRole('button', { name: en.common.save, exact: true }).nth(1);
    expect(await save.isDisabled()).toBe(true);
    await maxFile.fill('50');
    const maxChars = page.getByLabel(en.settings.maxMessageChars);
    await maxChars.fill('10');
    expect(await save.isDisabled()).toBe(true);
    await maxChars.fill('5000');
    await save.click();
    await page.getByText(en.common.saved, { exact: true }).first().waitFor();
    const saved = (await h.getBridge({ bridgeId: w.bridgeId })).settings;
    expect(saved).toMatchObject({ access: { mode: 'allowlist', staffIds: ['staff-alice'] }, replyLanguage: 'en', maxFileMb: 50, maxMessageChars: 5000 });

    // Rotation: one write-only field; the value is sent once and never shown.
    const before = (await h.getBridge({ bridgeId: w.bridgeId })).secretUpdatedAt ?? 0;
    await page.getByLabel(en.settings.newSecret).fill(w.appSecret);
    await page.getByRole('button', { name: en.settings.rotateButton }).click();
    await page.getByText(en.settings.rotated).waitFor();
    expect(await page.getByLabel(en.settings.newSecret).inputValue()).toBe('');
    expect((await h.getBridge({ bridgeId: w.bridgeId })).secretUpdatedAt ?? 0).toBeGreaterThanOrEqual(before);
    expect(await page.content()).not.toContain(w.appSecret);

    // Advanced URLs are checked before they are sent.
    await page.getByText(en.settings.advanced).click();
    await page.getByLabel(en.settings.apiBase).fill('not a url');
    await page.getByText(en.settings.invalidUrl).waitFor();

    // Language: the whole UI follows at once, and the choice is stored.
    await page.getByLabel(en.settings.language, { exact: true }).selectOption('zh');
    await page.getByRole('heading', { name: zh.settings.title, level: 1 }).waitFor();
    await page.getByRole('button', { name: zh.nav.logs, exact: true }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('zh-CN');
    await expect.poll(async () => (await h.getAppSettings({})).language).toBe('zh');

    // Theme: dark now, then back to following the (light) system.
    await page.getByLabel(zh.settings.themes.dark, { exact: true }).check();
    await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe('dark');
    await shot(page, 'settings-switched-zh-dark');
    await page.getByLabel(zh.settings.themes.system, { exact: true }).check();
    await expect.poll(() => page.evaluate('document.documentElement.dataset.theme')).toBe('light');
    await expect.poll(async () => (await h.getAppSettings({})).theme).toBe('system');

    await page.getByLabel(zh.settings.language, { exact: true }).selectOption('');
    await page.getByRole('heading', { name: en.settings.title, level: 1 }).waitFor();

    const bodies = await Promise.all(answers);
    expect(bodies.length).toBeGreaterThan(5);
    for (const body of bodies) expect(body).not.toContain(w.appSecret);
  }, 30_000);

  it('works from the keyboard alone, with the focus visible', async () => {
    const page = await w.open();
    await page.getByRole('heading', { name: 'Demo project', level: 1 }).waitFor();
    const focused = () =>
      page.evaluate(
        '[document.activeElement.tagName, document.activeElement.textContent.trim(), getComputedStyle(document.activeElement).outlineStyle]',
      ) as Promise<[string, string, string]>;
    await page.keyboard.press('Tab');
    expect(await focused()).toEqual(['A', en.app.skip, 'solid']);
    // Through the menu to Logs, opened with Enter; the focus moves to the page.
    let guard = 0;
    while ((await focused())[1] !== en.nav.logs && guard++ < 10) await page.keyboard.press('Tab');
    expect((await focused())[2]).toBe('solid');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: en.logs.title, level: 1 }).waitFor();
    expect((await focused())[0]).toBe('MAIN');
    // The wizard's steps move with Enter, and the new step's title gets the focus.
    while ((await focused())[1] !== `＋ ${en.nav.addBridge}` && guard++ < 30) await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: en.wizard.title, level: 1 }).waitFor();
    while ((await focused())[1] !== en.common.next && guard++ < 60) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(focused).toEqual(['H2', en.wizard.steps.permissions, expect.any(String)]);
  }, 30_000);
});
