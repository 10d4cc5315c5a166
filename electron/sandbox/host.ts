/**
 * The sandbox as the control services see it (their `sandbox` option): the desktop wizard's
 * "Try it in the sandbox first". Starts the sandbox and, when no CCCC is running, the demo
 * group on the fake daemon with the demo agents — the same pieces `npm run demo` uses.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxView } from '../shared/api';
import type { SandboxHost } from '../core/control/stores';
import { chooseCccc } from './demo/cccc';
import { startSandbox } from './index';

export interface SandboxHostOptions {
  /** Where CCCC_HOME comes from, to see whether a CCCC is running. */
  env: NodeJS.ProcessEnv;
  /** Progress notes (which CCCC was chosen). */
  log?: (line: string) => void;
}

export function createSandboxHost(o: SandboxHostOptions): SandboxHost {
  let current: { view: SandboxView; stop(): Promise<void> } | undefined;
  // Two clicks at once share one start; a stop waits for a start under way.
  let starting: Promise<SandboxView> | undefined;

  const start = async (): Promise<SandboxView> => {
    const closers: (() => Promise<void>)[] = [];
    const unwind = async (): Promise<void> => {
      for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    };
    try {
      const workDir = await mkdtemp(join(tmpdir(), 'cccc-dingtalk-sandbox-'));
      closers.push(() => rm(workDir, { recursive: true, force: true }));
      const sandbox = await startSandbox();
      closers.push(() => sandbox.close());
      const cccc = await chooseCccc({ mode: 'auto', workDir, env: o.env, note: o.log ?? (() => undefined) });
      closers.push(() => cccc.close());
      const { appKey, appSecret, robotCode } = sandbox.app;
      const view: SandboxView = {
        chatUrl: sandbox.chatUrl,
        apiBase: sandbox.dingtalk.apiBase,
        oapiBase: sandbox.dingtalk.oapiBase,
        appKey,
        appSecret,
        robotCode,
        // A running CCCC is the user's own: the wizard lets them pick its group.
        ...(cccc.kind === 'demo' ? { ccccHome: cccc.home, groupId: cccc.groupId } : {}),
      };
      current = { view, stop: unwind };
      return view;
    } catch (err) {
      await unwind();
      throw err;
    }
  };

  return {
    start() {
      if (current) return Promise.resolve(current.view);
      starting ??= start().finally(() => (starting = undefined));
      return starting;
    },
    async stop() {
      await starting?.catch(() => undefined);
      const running = current;
      current = undefined;
      await running?.stop();
    },
    info() {
      return current?.view;
    },
  };
}
