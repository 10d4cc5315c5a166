/** Shared helpers for the daemon-client tests: a fake daemon with a client pointed at it. */
import { BridgeError } from '../../../../electron/core/errors';
import { DaemonClient, type DaemonClientOptions } from '../../../../electron/core/cccc/daemon/client';
import { FakeCcccDaemon, type FakeDaemonOptions } from '../../../fakes/cccc/daemon';

export interface Rig {
  daemon: FakeCcccDaemon;
  client: DaemonClient;
  /** The group with actors boss (foreman, "Boss") and helper ("Code Helper"). */
  groupId: string;
}

export async function rig(options: FakeDaemonOptions = {}, clientOptions: DaemonClientOptions = {}): Promise<Rig> {
  const daemon = await FakeCcccDaemon.start(options);
  const groupId = await daemon.createGroup({
    title: 'Demo',
    actors: [
      { id: 'boss', title: 'Boss' },
      { id: 'helper', title: 'Code Helper' },
    ],
  });
  const client = new DaemonClient({ home: daemon.home, retryDelayMs: 20, ...clientOptions });
  return { daemon, client, groupId };
}

/** The BridgeError a promise rejects with (fails the test if it resolves or throws something else). */
export async function problemOf(promise: Promise<unknown>): Promise<BridgeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof BridgeError) return err;
    throw err;
  }
  throw new Error('expected a BridgeError, but the call succeeded');
}
