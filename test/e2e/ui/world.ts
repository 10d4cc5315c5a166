/**
 * The real UI in a real browser: the renderer built fresh, served by the control services'
 * HTTP server (what `cccc-dingtalk serve` runs) against the fake DingTalk and the fake CCCC
 * daemon, and driven in Debian's Chromium with playwright-core.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import {
  createControlService,
  FileAppSettingsStore,
  FileProfileStore,
  FileSecretStore,
  LogHub,
  startHttpServer,
  type ControlHttpServer,
  type ControlService,
} from '../../../electron/core/control';
import type { HostAdapter, SandboxHost } from '../../../electron/core/control';
import type { ApiEvent } from '../../../electron/shared/api';
import { en, type Dictionary } from '../../../renderer/src/i18n/en';
import { zh } from '../../../renderer/src/i18n/zh';
import { FakeCcccDaemon } from '../../fakes/cccc/daemon';
import { startFakeDingTalk, type FakeDingTalk, type FakeDingTalkOptions, type InjectInput, type SentMessage } from '../../fakes/dingtalk';
import { waitFor } from '../../helpers/wait';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu'];
export const SCREENSHOTS = resolve('artifacts/screenshots');

export const GROUP_CHAT = 'cidUiGroupChat01==';
export const ALICE = { senderStaffId: 'staff-alice', senderNick: 'Alice', senderId: '$:LWCP_v1:$alice' };

/** Builds the renderer once for the calling file (removed after it); the getter names its folder. */
export function useBuiltRenderer(): () => string {
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await buildRenderer();
  }, 60_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (!dir) throw new Error('the renderer is not built yet');
    return dir;
  };
}

/** Builds the renderer into a temporary folder (the tests must not depend on a stale out/). */
export async function buildRenderer(): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), 'ui-renderer-'));
  // vitest sets NODE_ENV=test, which would give React's development build.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({
      mode: 'production',
      configFile: false,
      root: resolve('renderer'),
      plugins: [react()],
      logLevel: 'error',
      build: { outDir, emptyOutDir: true, reportCompressedSize: false },
    });
  } finally {
    process.env['NODE_ENV'] = nodeEnv;
  }
  return outDir;
}

export interface UiWorld {
  dt: FakeDingTalk;
  cccc: FakeCcccDaemon;
  groupId: string;
  appKey: string;
  appSecret: string;
  /** The config folder (config.json), as `cccc-dingtalk` finds it with CCCC_DINGTALK_HOME. */
  configHome: string;
  server: ControlHttpServer;
  service: ControlService;
  /** The service's log: a test can add a record of its own. */
  logHub: LogHub;
  browser: Browser;
  opened: string[];
  events: ApiEvent[];
  /** A person writes to the robot in the test group chat. */
  say(text: string, opts?: Partial<InjectInput>): void;
  sent(chat?: string): SentMessage[];
  /** A fresh page in its own context (language and colour scheme as the OS would say). */
  open(o?: { locale?: string; dark?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

export function textOf(m: SentMessage): string {
  const p = m.msgParam as Record<string, unknown>;
  return String(p['content'] ?? p['text'] ?? p['title'] ?? '');
}

export interface UiWorldOptions {
  /** The DingTalk sandbox behind the wizard's "Try it in the sandbox first". */
  sandbox?: SandboxHost;
  /** The fake DingTalk's options (e.g. the card templates its card platform has). */
  dingtalk?: FakeDingTalkOptions;
}

export async function startUiWorld(staticDir: string, o: UiWorldOptions = {}): Promise<UiWorld> {
  // Whatever started is stopped again if a later piece fails to start.
  const undo: (() => Promise<unknown>)[] = [];
  try {
    return await buildWorld(staticDir, undo, o);
  } catch (err) {
    for (const u of undo.reverse()) await u().catch(() => {});
    throw err;
  }
}

async function buildWorld(staticDir: string, undo: (() => Promise<unknown>)[], o: UiWorldOptions): Promise<UiWorld> {
  const dt = await startFakeDingTalk({ qpsLimit: 1000, ...o.dingtalk });
  undo.push(() => dt.close());
  const cccc = await FakeCcccDaemon.start();
  undo.push(() => cccc.close());
  const groupId = await cccc.createGroup({ title: 'Demo project', actors: ['boss', 'helper'] });
  const configHome = await mkdtemp(join(tmpdir(), 'ui-home-'));
  undo.push(() => rm(configHome, { recursive: true, force: true }));
  const app = dt.apps[0]!;
  const opened: string[] = [];
  const host: HostAdapter = {
    async openExternal(url) {
      opened.push(url);
      return true;
    },
    async chooseExportPath(name) {
      return join(configHome, name);
    },
  };
  const logHub = new LogHub({ minLevel: 'debug' });
  const service = createControlService({
    profiles: new FileProfileStore(configHome),
    secrets: new FileSecretStore(configHome),
    appSettings: new FileAppSettingsStore(configHome),
    host,
    logHub,
    configHome,
    hostKind: 'serve',
    env: { PATH: process.env['PATH'], HOME: configHome, CCCC_HOME: cccc.home, DINGTALK_API_BASE: dt.apiBase, DINGTALK_OAPI_BASE: dt.oapiBase },
    bridgeServices: { ledgerPollMs: 200, daemonPollMs: 200, stream: { backoff: { baseMs: 100, capMs: 500, jitterMs: 0 } } },
    restartBackoff: { baseMs: 200, capMs: 2_000, jitterMs: 0 },
    drainMs: 500,
    streamProbeTimeoutMs: 5_000,
    daemonTimeoutMs: 2_000,
    ...(o.sandbox ? { sandbox: o.sandbox } : {}),
  });
  undo.push(() => service.close());
  const events: ApiEvent[] = [];
  service.events.subscribe((e) => events.push(e));
  const server = await startHttpServer({ handlers: service.handlers, events: service.events, staticDir, heartbeatMs: 5_000 });
  undo.push(() => server.close());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 20_000 });
  undo.push(() => browser.close());
  const contexts: BrowserContext[] = [];
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    dt,
    cccc,
    groupId,
    appKey: app.appKey,
    appSecret: app.appSecret,
    configHome,
    server,
    service,
    logHub,
    browser,
    opened,
    events,
    say(text, opts = {}) {
      dt.injectMessage({ text, conversationId: GROUP_CHAT, conversationType: '2', conversationTitle: 'Dev team', ...ALICE, ...opts });
    },
    sent(chat = GROUP_CHAT) {
      return dt.sentMessages().filter((m) => m.conversationId === chat || m.via === 'webhook');
    },
    async open(o = {}) {
      const context = await browser.newContext({
        locale: o.locale ?? 'en-US',
        colorScheme: o.dark ? 'dark' : 'light',
        viewport: { width: 960, height: 680 },
        permissions: ['clipboard-read', 'clipboard-write'],
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto(server.url);
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await server.close();
      await service.close();
      await dt.close();
      await cccc.close();
      await rm(configHome, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page PNG under artifacts/screenshots/. */
export async function shot(page: Page, name: string): Promise<void> {
  // From the top, so the sticky menu sits where a person sees it.
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

export interface Variant {
  name: string;
  locale: string;
  dark: boolean;
  /** The UI's own words in that language, so the same steps drive both. */
  dict: Dictionary;
}

export const VARIANTS: Variant[] = [
  { name: 'en-light', locale: 'en-US', dark: false, dict: en },
  { name: 'zh-light', locale: 'zh-CN', dark: false, dict: zh },
  { name: 'en-dark', locale: 'en-GB', dark: true, dict: en },
  { name: 'zh-dark', locale: 'zh-CN', dark: true, dict: zh },
];

/** A world where the bridge is set up, running, and the test group chat is subscribed (as after the wizard). */
export async function startRunningWorld(staticDir: string, o: UiWorldOptions = {}): Promise<UiWorld & { bridgeId: string }> {
  const w = await startUiWorld(staticDir, o);
  try {
    const h = w.service.handlers;
    const { id: bridgeId } = await h.saveBridge({ name: 'Demo project', groupId: w.groupId, appKey: w.appKey, appSecret: w.appSecret, autoStart: true });
    await h.startBridge({ bridgeId });
    await waitFor(async () => (await h.getBridge({ bridgeId })).status.dingtalk.status === 'connected', 'bridge connected', 10_000, 50);
    w.say('/subscribe');
    const [pending] = await waitFor(
      async () => {
        const d = await h.getBridge({ bridgeId });
        return d.pending.length > 0 ? d.pending : undefined;
      },
      'pending /subscribe',
      8_000,
      50,
    );
    await h.approvePending({ bridgeId, key: pending!.key });
    await waitFor(() => w.sent().some((m) => /订阅已批准|approved/i.test(textOf(m))), 'approval confirmation', 8_000, 50);
    return Object.assign(w, { bridgeId });
  } catch (err) {
    await w.close();
    throw err;
  }
}
