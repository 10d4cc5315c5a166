/**
 * `npm run demo` from a clean state, driven in Debian's Chromium like a newcomer would: subscribe
 * in the sandbox chat, approve in the control UI, ask the foreman and see the answer, then in
 * the single chat send a file and get one back. Screenshots go to artifacts/screenshots/.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationId } from '../../../electron/sandbox/dingtalk/ids';
import { DEFAULT_APP } from '../../../electron/sandbox/dingtalk/state';
import { runDemo, type RunningDemo } from './demo-process';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu'];
const SHOTS = resolve('artifacts/screenshots');

let demo: RunningDemo | undefined;
let browser: Browser | undefined;
let home: string;

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true });
  home = await mkdtemp(join(tmpdir(), 'demo-browser-'));
  // A clean machine: no CCCC of its own (CCCC_HOME is empty), no config.
  demo = await runDemo(['--cccc', 'auto'], {
    ...process.env,
    HOME: home,
    CCCC_HOME: join(home, 'cccc'),
    XDG_CONFIG_HOME: join(home, 'config'),
    PATH: '/usr/bin:/bin',
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (demo) expect(await demo.interrupt()).toBe(0);
  await rm(home, { recursive: true, force: true });
}, 40_000);

/** The robot's newest message in the open chat that contains `text`. */
function robotSays(page: Page, text: string) {
  return page.locator('.msg.from-robot', { hasText: text }).last();
}

/** Sends an ActionCard to the sandbox group through the OpenAPI, as a bridge could. */
async function sendActionCard(apiBase: string): Promise<void> {
  const token = (await (
    await fetch(`${apiBase}/v1.0/oauth2/accessToken`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEFAULT_APP) })
  ).json()) as { accessToken: string };
  const command = (text: string): string => `dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(text)}`;
  const msgParam = {
    title: '需要确认',
    text: '### 需要你确认\n把登录页的改动合并到 **main** 吗？',
    buttonTitle1: '合并',
    buttonUrl1: command('/send @foreman 可以合并'),
    buttonTitle2: '看状态',
    buttonUrl2: command('/status'),
  };
  const res = await fetch(`${apiBase}/v1.0/robot/groupMessages/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': token.accessToken },
    body: JSON.stringify({
      robotCode: DEFAULT_APP.appKey,
      openConversationId: conversationId('sandbox:group'),
      msgKey: 'sampleActionCard6',
      msgParam: JSON.stringify(msgParam),
    }),
  });
  expect(res.status).toBe(200);
}

async function approveIn(control: Page): Promise<void> {
  const approve = control.getByRole('button', { name: /^批准/ }).first();
  await approve.waitFor({ timeout: 15_000 });
  await approve.click();
}

describe('npm run demo in Chromium', () => {
  it('subscribe, approve in the control UI, talk to the foreman, send a file and get one back', async () => {
    const info = demo!.info;
    expect(info.cccc.kind).toBe('demo');
    expect(info.connected).toBe(true);
    const context = await browser!.newContext({ viewport: { width: 1360, height: 860 }, locale: 'zh-CN', acceptDownloads: true });
    const chat = await context.newPage();
    const problems: string[] = [];
    chat.on('pageerror', (e) => problems.push(e.message));
    await chat.goto(info.chatUrl);
    await chat.locator('.chat-item.active', { hasText: 'CCCC 演示群' }).waitFor();
    await chat.screenshot({ path: join(SHOTS, 'sandbox-01-start.png') });

    // 1. /subscribe in the group, typed as 张三 (the robot's @ is on by default).
    const input = chat.getByRole('textbox', { name: '消息 / Message' });
    await input.fill('/subscribe');
    await input.press('Enter');
    await robotSays(chat, '订阅申请已创建').waitFor({ timeout: 15_000 });
    await chat.screenshot({ path: join(SHOTS, 'sandbox-02-subscribe.png') });

    // 2. Approve in the control UI.
    const control = await context.newPage();
    await control.goto(info.controlUrl);
    await control.getByRole('button', { name: /^批准/ }).first().waitFor({ timeout: 20_000 });
    await control.screenshot({ path: join(SHOTS, 'sandbox-03-control-pending.png') });
    await approveIn(control);
    await robotSays(chat, '订阅已批准').waitFor({ timeout: 15_000 });

    // 3. Ask the foreman: the scripted plan, then a status update.
    await chat.bringToFront();
    await input.fill('帮我检查一下登录页的代码');
    await input.press('Enter');
    const plan = robotSays(chat, '我的计划');
    await plan.waitFor({ timeout: 15_000 });
    // DingTalk Markdown: the quoted message and the numbered plan.
    expect(await plan.locator('blockquote').textContent()).toBe('帮我检查一下登录页的代码');
    expect(await plan.locator('ol > li').count()).toBe(3);
    await robotSays(chat, '一切正常').waitFor({ timeout: 15_000 });
    // /send @peer: the peer answers by itself.
    await chat.locator('.chip[data-send="/send @peer 你好"]').click();
    await robotSays(chat, '我是 peer').waitFor({ timeout: 15_000 });
    await chat.screenshot({ path: join(SHOTS, 'sandbox-04-foreman.png') });

    // /help renders DingTalk Markdown whose command links send when tapped.
    await chat.locator('.chip[data-send="/help"]').click();
    const help = robotSays(chat, 'CCCC 命令');
    await help.waitFor({ timeout: 15_000 });
    await help.locator('a.command-link[data-command="/status"]').click();
    await robotSays(chat, '本会话：已订阅').waitFor({ timeout: 15_000 });
    await chat.screenshot({ path: join(SHOTS, 'sandbox-05-help-status.png') });

    // An ActionCard's buttons are command links too: tapping one sends its command.
    await sendActionCard(info.dingtalkApiBase);
    const card = chat.locator('.msg.from-robot[data-type="actionCard"]').last();
    await card.waitFor({ timeout: 10_000 });
    expect(await card.locator('.card-buttons.horizontal .card-button').allTextContents()).toEqual(['合并', '看状态']);
    await card.getByRole('button', { name: '合并' }).click();
    await chat.locator('.msg.mine', { hasText: '/send @foreman 可以合并' }).waitFor();
    await chat.locator('.msg.from-robot blockquote', { hasText: '可以合并' }).waitFor({ timeout: 15_000 });
    // A bare address from an agent becomes a link card.
    await chat.locator('.chip[data-send="给我项目的链接"]').click();
    const link = chat.locator('.msg.from-robot[data-type="link"] a.link-card').last();
    await link.waitFor({ timeout: 15_000 });
    expect(await link.getAttribute('href')).toBe('https://github.com/ChesterRa/cccc');
    await chat.screenshot({ path: join(SHOTS, 'sandbox-06-action-card.png') });

    // Typing as Alice, with the robot's @ switched off and 张三 @-mentioned: the robot never hears it.
    await chat.locator('.me-toggle').click();
    await chat.locator('.me-option[data-staff="alice"]').click();
    expect(await chat.locator('.me-toggle .me-name').textContent()).toBe('Alice');
    await chat.locator('.tool.at-robot').click();
    await chat.getByRole('button', { name: '@ 某人' }).click();
    await chat.locator('.mention-option', { hasText: '@张三' }).click();
    await input.pressSequentially('你看一下这个');
    await input.press('Enter');
    const unheard = chat.locator('.msg.mine', { hasText: '你看一下这个' });
    await unheard.locator('.hint').waitFor();
    expect(await unheard.locator('.bubble').textContent()).toBe('@张三 你看一下这个');
    expect(await unheard.locator('.mention').allTextContents()).toEqual(['@张三']);
    await chat.screenshot({ path: join(SHOTS, 'sandbox-07-as-alice.png') });
    await chat.locator('.tool.at-robot').click();
    await chat.locator('.me-toggle').click();
    await chat.locator('.me-option[data-staff="zhangsan"]').click();

    // 4. The single chat: subscribe it too, then a file goes in and a file comes back.
    await chat.locator('.chat-item[data-chat="single"]').click();
    await input.fill('/subscribe');
    await input.press('Enter');
    await robotSays(chat, '订阅申请已创建').waitFor({ timeout: 15_000 });
    await control.bringToFront();
    await approveIn(control);
    await chat.bringToFront();
    await robotSays(chat, '订阅已批准').waitFor({ timeout: 15_000 });
    await chat
      .locator('input[type=file]:not([accept])')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('登录页需求\n1. 记住我\n2. 忘记密码\n') });
    await chat.locator('.msg.mine[data-type="file"]', { hasText: 'notes.txt' }).waitFor();
    await robotSays(chat, '处理结果在附件里').waitFor({ timeout: 20_000 });
    const fileBack = chat.locator('.msg.from-robot[data-type="file"]', { hasText: 'review-notes.pdf' });
    await fileBack.waitFor({ timeout: 20_000 });
    const href = await fileBack.locator('a.file-download').getAttribute('href');
    const pdf = Buffer.from(await (await fetch(new URL(href!, info.chatUrl))).arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await chat.locator('.chip[data-send="来张进度图"]').click();
    const picture = chat.locator('.msg.from-robot[data-type="image"] img').last();
    await picture.waitFor({ timeout: 20_000 });
    await expect
      .poll(() =>
        picture.evaluate(
          (img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth,
        ),
      )
      .toBe(480);
    const save = chat.locator('.msg.from-robot[data-type="image"] a.image-download').last();
    expect(await save.getAttribute('download')).toBe('progress-chart.png');
    expect((await fetch(new URL((await save.getAttribute('href')) ?? '', info.chatUrl))).headers.get('content-disposition')).toContain('attachment');
    await chat.screenshot({ path: join(SHOTS, 'sandbox-08-single-files.png') });

    // A picture dropped onto the group chat goes to the robot (as rich text) and a chart comes back.
    await chat.locator('.chat-item[data-chat="group"]').click();
    const charts = await chat.locator('.msg.from-robot[data-type="image"]').count();
    // Runs in the page (a string: this file is type-checked without the DOM library).
    const drop = await chat.evaluateHandle(`(() => {
      const dt = new DataTransfer();
      const png = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC'), (c) => c.charCodeAt(0));
      dt.items.add(new File([png], 'screen.png', { type: 'image/png' }));
      return dt;
    })()`);
    await chat.locator('main.chat').dispatchEvent('dragover', { dataTransfer: drop });
    await chat.locator('main.chat').dispatchEvent('drop', { dataTransfer: drop });
    await chat.locator('.msg.mine[data-type="image"]', { hasText: '' }).last().waitFor();
    await robotSays(chat, '收到图片').waitFor({ timeout: 20_000 });
    await expect.poll(() => chat.locator('.msg.from-robot[data-type="image"]').count(), { timeout: 20_000 }).toBeGreaterThan(charts);
    await control.screenshot({ path: join(SHOTS, 'sandbox-09-control-after.png') });

    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  // Runs after the test above, which subscribed the group.
  it('a streamed answer grows live in an AI card and ends complete, sent once', async () => {
    const context = await browser!.newContext({ viewport: { width: 1360, height: 860 }, locale: 'zh-CN' });
    const chat = await context.newPage();
    const problems: string[] = [];
    chat.on('pageerror', (e) => problems.push(e.message));
    await chat.goto(demo!.info.chatUrl);
    await chat.locator('.chat-item.active', { hasText: 'CCCC 演示群' }).waitFor();
    const cards = chat.locator('.msg.from-robot[data-type="card"]');
    const before = await cards.count();
    const input = chat.getByRole('textbox', { name: '消息 / Message' });
    await input.fill('登录页改好了吗？');
    await input.press('Enter');
    // The foreman types its status update out: a new card that grows.
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBeGreaterThan(before);
    const card = cards.last();
    const body = card.locator('.ai-card .card-body');
    const lengths: number[] = [];
    let shot = false;
    for (let status = ''; status !== 'finished'; status = (await card.locator('.ai-card').getAttribute('data-card-status')) ?? '') {
      const length = ((await body.textContent()) ?? '').length;
      if (length !== lengths.at(-1)) lengths.push(length);
      if (!shot && status === 'inputting' && length > 0) {
        await chat.screenshot({ path: join(SHOTS, 'sandbox-10-card-streaming.png') });
        shot = true;
      }
      await chat.waitForTimeout(50);
      expect(lengths.length).toBeLessThan(1_000);
    }
    // It grew in steps, each longer than the last, and ended with the whole answer, cursor gone.
    expect(lengths.length).toBeGreaterThanOrEqual(3);
    lengths.forEach((n, i) => i > 0 && expect(n).toBeGreaterThan(lengths[i - 1]!));
    expect(await body.textContent()).toContain('一切正常');
    expect(await card.locator('.ai-cursor').count()).toBe(0);
    expect(await card.locator('.card-foot').textContent()).toContain('AI 生成');
    await chat.screenshot({ path: join(SHOTS, 'sandbox-11-card-finished.png') });
    // The final message is not sent again beside the card.
    await input.fill('/status');
    await input.press('Enter');
    await robotSays(chat, '本会话：已订阅').waitFor({ timeout: 15_000 });
    const copies = await chat.locator('.msg.from-robot:not([data-type="card"])', { hasText: '一切正常' }).count();
    expect(copies).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
