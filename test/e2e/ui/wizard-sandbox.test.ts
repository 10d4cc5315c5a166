/**
 * "Try it in the sandbox first" in Chromium: one click starts the sandbox, the wizard jumps to
 * the credentials with the sandbox app and the demo group filled in, shows the sandbox chat
 * page, and the credential test passes against the sandbox.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxHost } from '../../../electron/sandbox/host';
import { en as L } from '../../../renderer/src/i18n/en';
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

  it('fills the sandbox credentials and the demo group, and the credential test passes', async () => {
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
  }, 30_000);
});
