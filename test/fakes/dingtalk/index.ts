/**
 * The fake DingTalk lives in the sandbox (product code); tests import it from here, with the
 * test-only fault injection (./faults) plugged into its hooks.
 */
import {
  startFakeDingTalk as startSandboxDingTalk,
  type FakeDingTalk as SandboxDingTalk,
  type FakeDingTalkOptions,
} from '../../../electron/sandbox/dingtalk/index';
import { FaultInjector, type FaultControls } from './faults';

export * from '../../../electron/sandbox/dingtalk/index';
export type { ConnectionFaults, FaultControls, Faults } from './faults';

export type FakeDingTalk = SandboxDingTalk & FaultControls;

export async function startFakeDingTalk(options: FakeDingTalkOptions = {}): Promise<FakeDingTalk> {
  const faults = new FaultInjector();
  const fake = await startSandboxDingTalk(options, faults);
  // Any fault change may make a connection eligible again: offer it the queued pushes.
  return Object.assign(fake, {
    setFault(f: Parameters<FaultControls['setFault']>[0]) {
      faults.set(f);
      fake.flushQueue();
    },
    clearFaults() {
      faults.clear();
      fake.flushQueue();
    },
    setConnectionFault(connectionId: string, f: Parameters<FaultControls['setConnectionFault']>[1]) {
      faults.setConnection(connectionId, f);
      fake.flushQueue();
    },
  });
}
