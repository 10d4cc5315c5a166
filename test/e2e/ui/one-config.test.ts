/**
 * One configuration, in Chromium against the services `serve` runs and the real `cccc-dingtalk`
 * in child processes on the same config folder: a bridge made in the page shows in `status`, one
 * made with `set` shows in the page (without a reload), and editing a bridge's group in Settings
 * says what happens to the subscriptions before it saves and restarts the bridge into the group.
 * Screenshots of the edit view in both languages.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../../renderer/src/i18n/en';
import { zh } from '../../../renderer/src/i18n/zh';
import { runCli, type CliResult } from '../cli/helpers';
import { waitFor } from '../../helpers/wait';
import { buildRenderer, SCREENSHOTS, startUiWorld, type UiWorld } from './world';

describe('one configuration: the page and the CLI', () => {
  let dir: string;
  let w: UiWorld;
  let bridgeId: string;
  let page: Page;
  const cli = (args: string[]): Promise<CliResult> =>
    runCli(args, {
      PATH: process.env['PATH'],
      HOME: w.configHome,
      CCCC_HOME: w.cccc.home,
      CCCC_DINGTALK_HOME: w.configHome,
      DINGTALK_APP_KEY: w.appKey,
      DINGTALK_APP_SECRET: w.appSecret,
    });

  beforeAll(async () => {
    dir = await buildRenderer();
    w = await startUiWorld(dir);
  }, 60_000);
  afterAll(async () => {
    await w?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a bridge made in the page shows in `cccc-dingtalk status`', async () => {
    page = await w.open();
    await page.getByRole('heading', { name: en.wizard.title, level: 1 }).waitFor();
    const credentials = page.getByRole('heading', { name: en.wizard.steps.credentials, level: 2 });
    for (let i = 0; i < 6 && !(await credentials.isVisible()); i++) await page.getByRole('button', { name: en.common.next, exact: true }).click();
    await page.locator('.cccc-state .badge-ok').waitFor();
    await page.getByLabel(en.wizard.credentials.appKey).fill(w.appKey);
    await page.getByLabel(en.wizard.credentials.appSecret).fill(w.appSecret);
    await page.getByRole('button', { name: en.wizard.credentials.saveAndContinue }).click();
    await page.getByRole('heading', { name: en.wizard.steps.subscribe, level: 2 }).waitFor();
    await page.getByText(en.wizard.subscribe.waiting).waitFor({ timeout: 15_000 });
    [bridgeId] = (await w.service.handlers.listBridges({})).map((b) => b.id) as [string];

    const status = await cli(['status']);
    expect(status.stderr).toBe('');
    expect(status.stdout).toContain(`Bridge "${bridgeId}" (Demo project): running in \`cccc-dingtalk serve\` (pid ${process.pid})`);
    expect(status.stdout).toContain(`  CCCC group:  ${w.groupId}`);
    expect(status.stdout).toContain('  AppSecret:   in secrets.json (typed into the page of `cccc-dingtalk serve`)');
    expect(status.stdout).not.toContain(w.appSecret);

    // A chat subscribes, for the edit below to have something to say.
    w.say('/subscribe');
    const [pending] = await waitFor(async () => {
      const p = (await w.service.handlers.getBridge({ bridgeId })).pending;
      return p.length > 0 ? p : undefined;
    }, 'the request');
    await w.service.handlers.approvePending({ bridgeId, key: pending!.key });
  }, 60_000);

  it('a bridge made with `cccc-dingtalk set` shows in the open page', async () => {
    const other = await w.cccc.createGroup({ title: 'Other project', actors: ['boss'] });
    const set = await cli(['set', 'ops', '--name', 'Ops (CLI)', '--group', other, '--client-id', 'ding-cli-app', '--app-secret-env', 'DINGTALK_APP_SECRET']);
    expect(set.code).toBe(0);
    await page.getByRole('button', { name: 'Ops (CLI)' }).waitFor();
    await page.getByRole('button', { name: en.nav.settings, exact: true }).click();
    const card = page.getByRole('region', { name: en.settings.bridge.replace('{{name}}', 'Ops (CLI)') });
    await card.getByText(en.settings.secretFromEnv.replace('{{env}}', 'DINGTALK_APP_SECRET')).waitFor();
    expect(await card.getByLabel(en.settings.edit.clientId).inputValue()).toBe('ding-cli-app');
  }, 30_000);

  it('editing the group in Settings says what happens to the subscriptions, then restarts the bridge into it', async () => {
    const release = await w.cccc.createGroup({ title: 'Release project', actors: ['boss'] });
    for (const [p, L, name] of [
      [await w.open({ locale: 'zh-CN' }), zh, 'settings-edit-bridge-zh'],
      [page, en, 'settings-edit-bridge-en'],
    ] as const) {
      await p.getByRole('button', { name: L.nav.settings, exact: true }).click();
      const card = p.getByRole('region', { name: L.settings.bridge.replace('{{name}}', 'Demo project') });
      const edit = card.getByRole('region', { name: L.settings.edit.title });
      // The other bridge's group cannot be chosen.
      expect(await edit.getByRole('option', { name: /Other project/ }).isDisabled()).toBe(true);
      // Opening the list reads CCCC's groups again: the new one is there.
      const group = edit.getByLabel(L.settings.edit.group);
      await group.focus();
      await group.locator(`option[value="${release}"]`).waitFor({ state: 'attached' });
      await group.selectOption(release);
      await edit.getByText(L.settings.edit.impactTitle).waitFor();
      await edit.getByText(L.settings.edit.restarts).waitFor();
      await edit.scrollIntoViewIfNeeded();
      await edit.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled' });
    }
    const edit = page
      .getByRole('region', { name: en.settings.bridge.replace('{{name}}', 'Demo project') })
      .getByRole('region', { name: en.settings.edit.title });
    expect(await edit.innerText()).toContain('must send /subscribe again (and be approved) to hear from Release project');
    await edit.getByRole('button', { name: en.settings.edit.saveRestart }).click();
    await edit.getByText(en.common.saved, { exact: true }).waitFor();
    await waitFor(() => w.service.supervisor.status(bridgeId).dingtalk.status === 'connected', 'connected in the new group', 15_000);

    const status = await cli(['status', '--bridge', 'Demo project']);
    expect(status.stdout).toContain(`  CCCC group:  ${release}`);
    expect(status.stdout).toContain('running in `cccc-dingtalk serve`');
  }, 60_000);
});
