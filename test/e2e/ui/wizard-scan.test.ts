/**
 * One-scan setup in Chromium against the fake DingTalk (docs/dingtalk-protocol.md §11), in both
 * languages: scanned and approved (the QR code, the checks, the bridge made with the stored
 * secret), refused (said plainly, the manual steps carry on), and expired (scan again).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait';
import { shot, startUiWorld, useBuiltRenderer, VARIANTS, type UiWorld } from './world';

const rendererDir = useBuiltRenderer();

describe.each(VARIANTS.filter((v) => !v.dark))('one-scan setup ($name)', ({ name, locale, dict: L }) => {
  let w: UiWorld;
  beforeAll(async () => {
    w = await startUiWorld(rendererDir());
    w.dt.setRegistrationPolicy({ intervalSeconds: 1 });
  }, 30_000);
  afterAll(async () => {
    await w?.close();
  });

  const openWizard = async (): Promise<Page> => {
    const page = await w.open({ locale });
    await page.getByRole('heading', { name: L.wizard.steps.create, level: 2 }).waitFor();
    return page;
  };
  const scanPanel = (page: Page, state: string) => page.locator(`.scan-setup[data-scan="${state}"]`);

  it('scanned and approved: the Client ID filled, the secret stored unseen, the checks with their fixes, a bridge that connects', async () => {
    const page = await openWizard();
    // The first choice, before the sandbox and the manual steps.
    const first = await page.locator('.wizard-body .callout').first().innerText();
    expect(first).toContain(L.wizard.scan.title);
    await page.getByRole('button', { name: L.wizard.scan.start }).click();
    const qr = page.getByRole('img', { name: L.wizard.scan.qrAlt });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    await shot(page, `wizard-scan-1-qr-${name}`);

    // What the QR code holds, opened as a phone would: DingTalk's page, where the admin approves.
    w.dt.setFault({ permissionDenied: { 'groupMessages.send': ['qyapi_robot_sendmsg'] } });
    const url = await page.getByRole('link', { name: L.wizard.scan.openPage }).getAttribute('href');
    const phone = await page.context().newPage();
    await phone.goto(url!);
    await shot(phone, `wizard-scan-2-dingtalk-page-${name}`);
    await phone.getByRole('button', { name: /Scan and approve/ }).click();
    await phone.getByText('App created').waitFor();
    await phone.close();
    const app = w.dt.apps.find((a) => a.appKey === w.dt.registrations().at(-1)?.appKey)!;

    await page.locator('.scan-created').waitFor({ timeout: 10_000 });
    expect(await page.locator('.scan-created').innerText()).toContain(app.appKey);
    await page.getByText(L.wizard.scan.secretStored).waitFor();
    const checks = page.locator('.scan-checks .check-row');
    await expect.poll(() => checks.count(), { timeout: 15_000 }).toBe(3);
    expect(await page.locator('.scan-checks .check-row[data-check="failed"]').count()).toBe(1);
    expect(await page.locator('.scan-checks .check-row[data-check="failed"]').innerText()).toContain('qyapi_robot_sendmsg');
    // The way to fix it: the developer console, one click away.
    await page.locator('.scan-checks').getByRole('link', { name: L.wizard.create.openConsole }).waitFor();
    await shot(page, `wizard-scan-3-created-${name}`);
    w.dt.clearFaults();

    await page.getByRole('button', { name: L.wizard.scan.continue }).click();
    await page.getByRole('heading', { name: L.wizard.steps.credentials, level: 2 }).waitFor();
    expect(await page.getByLabel(L.wizard.credentials.appKey).inputValue()).toBe(app.appKey);
    expect(await page.getByLabel(L.wizard.credentials.appSecret).inputValue()).toBe('');
    await page.getByText(L.wizard.credentials.secretFromScan).waitFor();
    await page.locator('.cccc-state .badge-ok').waitFor();
    await shot(page, `wizard-scan-4-credentials-${name}`);
    await page.getByRole('button', { name: L.wizard.credentials.saveAndContinue }).click();
    await page.getByRole('heading', { name: L.wizard.steps.subscribe, level: 2 }).waitFor();
    await waitFor(
      () => w.dt.connections().some((c) => c.appKey === app.appKey && c.subscriptions.some((s) => s.topic === '/v1.0/im/bot/messages/get')),
      'the bridge on the new app',
      15_000,
      50,
    );
    expect(await page.content()).not.toContain(app.appSecret);
    expect(JSON.stringify(w.events)).not.toContain(app.appSecret);
    // Not to leave a running bridge on this app for the next test.
    const [bridge] = (await w.service.handlers.listBridges({})).filter((b) => b.appKey === app.appKey);
    await w.service.handlers.deleteBridge({ bridgeId: bridge!.id });
  }, 90_000);

  it('refused: said plainly, and the manual steps carry on exactly as before', async () => {
    w.dt.setRegistrationPolicy({ refuse: { errcode: 400104, errmsg: '该来源暂不支持应用注册' } });
    try {
      const page = await openWizard();
      await page.getByRole('button', { name: L.wizard.scan.start }).click();
      const ended = scanPanel(page, 'refused');
      await ended.waitFor();
      expect(await ended.innerText()).toContain(L.wizard.scan.refused);
      expect(await ended.innerText()).toContain(L.wizard.scan.manual);
      // What DingTalk said, in its own words (in Chinese, below the translation).
      expect(await ended.innerText()).toContain('errcode 400104');
      // No point scanning again at a DingTalk that refuses: no button for it.
      expect(await page.getByRole('button', { name: L.wizard.scan.again }).count()).toBe(0);
      await page.getByRole('link', { name: L.wizard.create.openConsole }).waitFor();
      await shot(page, `wizard-scan-refused-${name}`);
      await page.getByRole('button', { name: L.common.next, exact: true }).click();
      await page.getByRole('heading', { name: L.wizard.steps.permissions, level: 2 }).waitFor();
    } finally {
      w.dt.setRegistrationPolicy({ refuse: null });
    }
  }, 30_000);

  it('expired: said plainly, and “Scan again” brings a new code', async () => {
    const page = await openWizard();
    await page.getByRole('button', { name: L.wizard.scan.start }).click();
    await page.getByRole('img', { name: L.wizard.scan.qrAlt }).waitFor();
    const first = w.dt.registrations().at(-1)!.userCode;
    w.dt.expireRegistration(first);
    const ended = scanPanel(page, 'expired');
    await ended.waitFor({ timeout: 10_000 });
    expect(await ended.innerText()).toContain(L.wizard.scan.expired);
    await shot(page, `wizard-scan-expired-${name}`);
    await page.getByRole('button', { name: L.wizard.scan.again }).click();
    await scanPanel(page, 'waiting').waitFor();
    await page.getByRole('img', { name: L.wizard.scan.qrAlt }).waitFor();
    expect(w.dt.registrations().at(-1)!.userCode).not.toBe(first);
    await page.getByRole('button', { name: L.wizard.scan.cancel }).click();
    await scanPanel(page, 'cancelled').waitFor();
  }, 30_000);
});
