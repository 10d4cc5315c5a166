/**
 * Buttons that act, in Debian's Chromium on the sandbox chat page: a /subscribe card approved by
 * its approver's press (Alice's press is refused), and a /status card whose Pause / Resume
 * buttons hold and release the agents' answers, redrawn in place. Screenshots go to
 * artifacts/screenshots/.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bridge } from '../../../electron/core/bridge/bridge';
import { DEFAULT_SETTINGS } from '../../../electron/core/bridge/settings';
import { SANDBOX_BUTTON_TEMPLATE } from '../../../electron/shared/app-info';
import { BUTTON_CARD_TEXTS } from '../../../electron/core/i18n/button-cards';
import { memoryLogger } from '../../../electron/core/log/logger';
import { FakeCcccDaemon } from '../../../electron/sandbox/cccc/daemon';
import { DEMO_ACTORS, startDemoAgents, type DemoAgents } from '../../../electron/sandbox/cccc/demo-agents';
import { startSandbox, type Sandbox } from '../../../electron/sandbox/index';
import { waitFor } from '../../helpers/wait';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu'];
const SHOTS = resolve('artifacts/screenshots');
const c = BUTTON_CARD_TEXTS.zh;

let sandbox: Sandbox;
let cccc: FakeCcccDaemon;
let agents: DemoAgents;
let bridge: Bridge;
let stateDir: string;
let browser: Browser;

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  sandbox = await startSandbox({ dingtalk: { qpsLimit: 1000 } });
  cccc = await FakeCcccDaemon.start();
  const groupId = await cccc.createGroup({ title: 'CCCC 演示项目', actors: DEMO_ACTORS });
  agents = startDemoAgents(cccc, { groupId, thinkMs: 40 });
  stateDir = await mkdtemp(join(tmpdir(), 'buttons-browser-'));
  const app = sandbox.app;
  bridge = new Bridge(
    {
      groupId,
      ccccHome: cccc.home,
      stateDir,
      credentials: { appKey: app.appKey, appSecret: app.appSecret, robotCode: app.robotCode },
      endpoints: { apiBase: sandbox.dingtalk.apiBase, oapiBase: sandbox.dingtalk.oapiBase },
      // 张三 (the sandbox's admin) approves from the card.
      settings: { ...DEFAULT_SETTINGS, buttonCardTemplateId: SANDBOX_BUTTON_TEMPLATE, approvers: ['zhangsan'] },
    },
    { logger: memoryLogger('buttons-browser', () => [app.appSecret]), secrets: () => [app.appSecret], ledgerPollMs: 100, daemonPollMs: 200 },
  );
  await bridge.start();
  await waitFor(() => bridge.status().dingtalk.status === 'connected', 'bridge connected');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
  agents?.close();
  await cccc?.close();
  await sandbox?.close();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}, 30_000);

async function as(page: Page, staffId: string, nick: string): Promise<void> {
  await page.locator('.me-toggle').click();
  await page.locator(`.me-option[data-staff="${staffId}"]`).click();
  expect(await page.locator('.me-toggle .me-name').textContent()).toContain(nick);
}

async function type(page: Page, text: string): Promise<void> {
  const input = page.getByRole('textbox', { name: '消息 / Message' });
  await input.fill(text);
  await input.press('Enter');
}

describe('cards with buttons in the sandbox chat', () => {
  it('a person approves a /subscribe from its card; /status Pause and Resume work in place', async () => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 860 }, locale: 'zh-CN' });
    const chat = await context.newPage();
    const problems: string[] = [];
    chat.on('pageerror', (e) => problems.push(e.message));
    await chat.goto(sandbox.chatUrl);
    await chat.locator('.chat-item.active', { hasText: 'CCCC 演示群' }).waitFor();

    // Alice asks; the card shows Approve / Reject; her own press is refused on the card.
    await as(chat, 'alice', 'Alice');
    await type(chat, '/subscribe');
    const request = chat.locator('.msg.from-robot[data-type="buttonCard"]', { hasText: '订阅申请' }).last();
    await request.getByRole('button', { name: c.buttons.approve }).waitFor({ timeout: 15_000 });
    await request.getByRole('button', { name: c.buttons.approve }).click();
    await request.locator('.card-note', { hasText: c.notApprover('Alice') }).waitFor();
    await chat.screenshot({ path: join(SHOTS, 'buttons-01-subscribe-card.png') });

    // 张三, an approver, presses Approve: the card changes in place and the chat is told.
    await as(chat, 'zhangsan', '张三');
    await type(chat, '我来批准');
    await request.getByRole('button', { name: c.buttons.approve }).click();
    await request.locator('.card-note', { hasText: c.approvedBy('张三') }).waitFor({ timeout: 15_000 });
    expect(await request.getByRole('button').count()).toBe(0);
    await chat.locator('.msg.from-robot', { hasText: '订阅已批准' }).waitFor({ timeout: 15_000 });
    expect(await chat.locator('.msg.from-robot[data-type="buttonCard"]', { hasText: '订阅申请' }).count()).toBe(1);
    await chat.screenshot({ path: join(SHOTS, 'buttons-02-approved.png') });

    // /status as a card; Pause holds the foreman's answer, Resume brings it.
    await type(chat, '/status');
    const status = chat.locator('.msg.from-robot[data-type="buttonCard"]', { hasText: 'CCCC 演示项目' }).last();
    await status.getByRole('button', { name: c.buttons.pause }).click({ timeout: 15_000 });
    await status.locator('.card-note', { hasText: c.pausedBy('张三') }).waitFor({ timeout: 15_000 });
    await status.getByRole('button', { name: c.buttons.resume }).waitFor();
    await status.scrollIntoViewIfNeeded();
    await chat.screenshot({ path: join(SHOTS, 'buttons-03-status-paused.png') });
    await type(chat, '暂停期间的问题');
    // The foreman's answer is held back while the chat is paused.
    await waitFor(async () => (await readFile(join(stateDir, 'held.jsonl'), 'utf8').catch(() => '')).includes('暂停期间的问题'), 'the answer held', 15_000);
    expect(await chat.locator('.msg.from-robot blockquote', { hasText: '暂停期间的问题' }).count()).toBe(0);
    await status.getByRole('button', { name: c.buttons.resume }).click();
    await status.locator('.card-note', { hasText: '恢复了推送' }).waitFor({ timeout: 15_000 });
    await status.getByRole('button', { name: c.buttons.pause }).waitFor();
    await chat.locator('.msg.from-robot blockquote', { hasText: '暂停期间的问题' }).waitFor({ timeout: 15_000 });
    await status.scrollIntoViewIfNeeded();
    await chat.screenshot({ path: join(SHOTS, 'buttons-04-status-resumed.png') });
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
