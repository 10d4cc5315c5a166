/**
 * The DingTalk sandbox ("try it first"), when this build has one: started and stopped on request.
 * It has its own endpoints, used only by the bridge made for it (a profile marked `sandbox`) and
 * by a credential test of its app — the app-wide endpoint setting is never rewritten for it, and
 * no other bridge is ever pointed at it.
 */
import type { SandboxView } from '../../shared/api';
import type { DingTalkEndpoints } from '../dingtalk/endpoints';
import { BridgeError } from '../errors';
import type { SandboxHost } from './stores';

export class SandboxSwitch {
  constructor(private readonly host: SandboxHost | undefined) {}

  /** Whether the sandbox runs and `appKey` is its app (a credential test, a bridge being made for it). */
  isSandboxApp(appKey: string): boolean {
    return this.host?.info()?.appKey === appKey;
  }

  /** The running sandbox's endpoints; a sandbox bridge never falls back to DingTalk's. */
  endpoints(): DingTalkEndpoints {
    const sb = this.host?.info();
    if (sb) return { apiBase: sb.apiBase, oapiBase: sb.oapiBase };
    throw new BridgeError({
      code: 'app.sandbox_stopped',
      message: 'The sandbox is not running: this bridge talks only to the sandbox',
      hint: 'Start the sandbox again with "Try it in the sandbox first" (Add bridge), or delete this bridge.',
      retryable: false,
    });
  }

  /** The sandbox's AppSecret is a public test value: masking it would only break "try it first". */
  isSandboxSecret(value: string): boolean {
    return value === this.host?.info()?.appSecret;
  }

  start(): Promise<SandboxView> {
    return this.available().start();
  }

  /** Whether it was running. */
  async stop(): Promise<boolean> {
    this.available();
    return this.stopIfAny();
  }

  /** For close(): no error in a build without the sandbox. */
  async stopIfAny(): Promise<boolean> {
    const running = this.host?.info() !== undefined;
    await this.host?.stop();
    return running;
  }

  private available(): SandboxHost {
    if (this.host) return this.host;
    throw new BridgeError({ code: 'app.sandbox_unavailable', message: 'The sandbox is not available in this build', retryable: false });
  }
}
