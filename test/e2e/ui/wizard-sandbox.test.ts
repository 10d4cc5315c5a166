/**
 * "Try it in the sandbox first" in Chromium: one click starts the sandbox, the wizard jumps to
 * the credentials with the sandbox app and the demo group filled in, shows the sandbox chat
 * page, and the credential test passes against the sandbox. The bridge saved is the sandbox's
 * own, and "Stop sandbox" ends both without touching the app-wide DingTalk address.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxHost } from '../../../electron/sandbox/host';
import { en as L } from '../../../renderer/src/i18n/en';
import { waitFor } from '../../helpers/wait';
import { buildRenderer, shot, startUiWorld, type UiWorld } from './world';

describe('setup wizard: try it in the sandbox first', () => {
  let dir: string;
  let w: UiWorld | undefined;
  beforeAll(async () => {
    dir = await buildRenderer();
    // No CCCC runs in this CCCC_HOME, so the sandbox brings the demo group.
    w = await startUiWorld(dir, { sandbox: createSandboxHost({ env: { PATH: process.env['PATH'], CCCC_HOME: '/nonexistent/cccc-home' } }) });
  }, 60_000);
  afterAll(async () => {
    await w?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fills the sandbox credentials and the demo group, the credential test passes, and Stop sandbox ends it and its own bridge', async () => {
    const page = await w!.open();
    await page.getByRole('button', { name: L.wizard.sandbox.try }).click();
    await page.getByRole('heading', { name: L.wizard.steps.credentials, level: 2 }).waitFor();

    // Already started by the click: this returns the same sandbox.
    const info = await w!.service.handlers.startSandbox({});
    expect(await page.getByLabel(L.wizard.credentials.appKey).inputValue()).toBe(info.appKey);
    expect(await page.getByRole('link', { name: L.wizard.sandbox.openChat }).getAttribute('href')).toBe(info.chatUrl);
    await page.locator('.cccc-state .badge-ok').waitFor();
    expect(await page.getByLabel(L.wizard.credentials.groupSelect).inputValue()).toBe(info.groupId);

    await page.getByRole('button', { name: L.wizard.credentials.test }).click();
    await page.getByText(L.wizard.credentials.testAllOk).waitFor({ timeout: 15_000 });
    await shot(page, 'wizard-sandbox-credentials-en-light');

    // Saved, the bridge is the sandbox's own; the app-wide DingTalk address is untouched.
    await page.getByRole('button', { name: L.wizard.credentials.saveAndContinue }).click();
    await page.getByRole('heading', { name: L.wizard.steps.subscribe, level: 2 }).waitFor();
    const h = w!.service.handlers;
    const [bridge] = await h.listBridges({});
    expect(bridge).toMatchObject({ appKey: info.appKey, sandbox: true });
    await waitFor(async () => (await h.getBridge({ bridgeId: bridge!.id })).status.dingtalk.status === 'connected', 'the sandbox bridge connected', 10_000, 50);

    // "Stop sandbox" ends it and its bridge; nothing points anywhere else, and the wizard starts over.
    await page.getByRole('button', { name: L.wizard.sandbox.stop }).click();
    await page.getByRole('heading', { name: L.wizard.steps.create, level: 2 }).waitFor();
    await page.getByRole('button', { name: L.wizard.sandbox.try }).waitFor();
    await expect(fetch(info.chatUrl)).rejects.toThrow();
    expect((await h.getBridge({ bridgeId: bridge!.id })).status.state).toBe('stopped');
    expect(await h.getAppSettings({})).not.toHaveProperty('apiBase');
    await expect(h.startBridge({ bridgeId: bridge!.id })).rejects.toMatchObject({ code: 'app.sandbox_stopped' });
  }, 40_000);
});
