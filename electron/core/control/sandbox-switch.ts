/**
 * The DingTalk sandbox ("try it first"), when this build has one: started and stopped on request,
 * and its own endpoints for its own app only — the app-wide endpoint setting is never rewritten for it.
 */
import type { SandboxView } from '../../shared/api';
import type { DingTalkEndpoints } from '../dingtalk/endpoints';
import { BridgeError } from '../errors';
import type { SandboxHost } from './stores';

export class SandboxSwitch {
  constructor(private readonly host: SandboxHost | undefined) {}

  /** The sandbox's endpoints when `appKey` is its app; otherwise undefined. */
  endpointsFor(appKey: string): DingTalkEndpoints | undefined {
    const sb = this.host?.info();
    return sb && sb.appKey === appKey ? { apiBase: sb.apiBase, oapiBase: sb.oapiBase } : undefined;
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
