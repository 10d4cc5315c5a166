/**
 * `npm run demo`: the whole product on one machine with no accounts — the DingTalk sandbox
 * (fake DingTalk + chat page), a CCCC (real when running, else scripted demo agents), and
 * `cccc-dingtalk serve` (the bridge and its control UI) pointed at the sandbox. Everything
 * lives in a temporary folder that goes away with the demo.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bridgeProfileSchema } from '../../core/config/profile';
import { FileProfileStore } from '../../core/control/file-stores';
import { startSandbox, type Sandbox } from '../index';
import { SANDBOX_BUTTON_TEMPLATE } from '../../shared/app-info';
import { chooseCccc, type CcccChoice, type CcccMode } from './cccc';
import { ensureRenderer, startServe, type ServeProcess } from './control-ui';

/** The environment variable that hands the sandbox app's secret to the bridge (never written to disk). */
export const SANDBOX_SECRET_ENV = 'CCCC_DINGTALK_SANDBOX_SECRET';
export const SANDBOX_BRIDGE_ID = 'sandbox';

export interface DemoOptions {
  /** Chat page port; default 0 (any free port). */
  port?: number;
  cccc?: CcccMode;
  /** With a real CCCC: which group. */
  group?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress notes, and the bridge's warnings and errors. */
  log?: (line: string) => void;
  /** How long to wait for the bridge's Stream connection before going on without it. */
  connectTimeoutMs?: number;
  /** Build the control UI for serve to serve (default); `npm run dev` serves it from sources instead. */
  buildUi?: boolean;
}

export interface Demo {
  readonly chatUrl: string;
  readonly controlUrl: string;
  readonly controlOrigin: string;
  readonly controlToken: string;
  readonly cccc: Pick<CcccChoice, 'kind' | 'groupId' | 'groupTitle' | 'home'>;
  /** Whether the bridge had connected to the sandbox when startDemo returned. */
  readonly connected: boolean;
  readonly servePid: number;
  readonly workDir: string;
  readonly sandbox: Sandbox;
  /** Settles when the control UI process ends on its own (a crash): the demo is then broken. */
  readonly serveExited: Promise<number | null>;
  stop(): Promise<void>;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

export async function startDemo(o: DemoOptions = {}): Promise<Demo> {
  const env = o.env ?? process.env;
  const log = o.log ?? (() => undefined);
  const closers: (() => Promise<void>)[] = [];
  const unwind = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const workDir = await mkdtemp(join(tmpdir(), 'cccc-dingtalk-demo-'));
    closers.push(() => rm(workDir, { recursive: true, force: true }));

    const sandbox = await startSandbox(o.port !== undefined ? { port: o.port } : {});
    closers.push(() => sandbox.close());

    const cccc = await chooseCccc({ mode: o.cccc ?? 'auto', ...(o.group ? { group: o.group } : {}), workDir, env, note: log });
    closers.push(() => cccc.close());

    const configHome = join(workDir, 'config');
    const app = sandbox.app;
    await new FileProfileStore(configHome).save(
      bridgeProfileSchema.parse({
        id: SANDBOX_BRIDGE_ID,
        name: '钉钉沙盒 · DingTalk sandbox',
        groupId: cccc.groupId,
        ccccHome: cccc.home,
        appKey: app.appKey,
        robotCode: app.robotCode,
        secret: { from: 'env', name: SANDBOX_SECRET_ENV },
        autoStart: true,
        createdAt: Date.now(),
        // The sandbox's own button-card template: /subscribe, /status and /help come as cards with buttons.
        settings: { buttonCardTemplateId: SANDBOX_BUTTON_TEMPLATE },
      }),
    );

    if (o.buildUi !== false) await ensureRenderer(() => log('正在构建控制台界面（只需几秒）… / Building the control UI (a few seconds)…'));

    const noProxy = [env['NO_PROXY'] ?? env['no_proxy'], '127.0.0.1', 'localhost'].filter(Boolean).join(',');
    const serve: ServeProcess = await startServe(
      {
        ...env,
        CCCC_DINGTALK_HOME: configHome,
        CCCC_HOME: cccc.home,
        DINGTALK_API_BASE: sandbox.dingtalk.apiBase,
        DINGTALK_OAPI_BASE: sandbox.dingtalk.oapiBase,
        [SANDBOX_SECRET_ENV]: app.appSecret,
        // Loopback traffic must never go through a proxy the user has set for the internet.
        NO_PROXY: noProxy,
        no_proxy: noProxy,
      },
      (line) => log(`[bridge] ${line}`),
    );
    closers.push(() => serve.stop());

    const connected = await waitFor(() => sandbox.dingtalk.connections().length > 0, o.connectTimeoutMs ?? 30_000);
    let stopping: Promise<void> | undefined;
    return {
      chatUrl: sandbox.chatUrl,
      controlUrl: serve.url,
      controlOrigin: serve.origin,
      controlToken: serve.token,
      cccc: { kind: cccc.kind, groupId: cccc.groupId, groupTitle: cccc.groupTitle, home: cccc.home },
      connected,
      servePid: serve.child.pid ?? 0,
      workDir,
      sandbox,
      serveExited: serve.exited,
      stop() {
        stopping ??= unwind();
        return stopping;
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}
