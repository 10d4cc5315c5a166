/**
 * The fake CCCC daemon lives in the sandbox (product code); tests import it from here, with the
 * test-only fault injection (./faults) plugged into its request hook.
 */
import { FakeCcccDaemon as SandboxDaemon, type FakeDaemonOptions } from '../../../electron/sandbox/cccc/daemon';
import { faultHook, type Fault } from './faults';

export * from '../../../electron/sandbox/cccc/daemon';
export type { Fault } from './faults';

export class FakeCcccDaemon extends SandboxDaemon {
  /** The sandbox's start() constructs `this`: here, this class. */
  static override start(options?: FakeDaemonOptions): Promise<FakeCcccDaemon> {
    return super.start(options) as Promise<FakeCcccDaemon>;
  }

  /** The fault applies to the next requests (see Fault); null clears it. */
  setFault(fault: Fault | null): void {
    this.setRequestHook(fault ? faultHook(fault, () => this.setRequestHook(undefined)) : undefined);
  }
}
