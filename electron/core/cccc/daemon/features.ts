/**
 * What the running daemon supports. CCCC's main branch (delivery evidence, reply requests) and the
 * released 0.4.35rc1 report the same version, so the bridge asks by probing an op only the main
 * branch has: `inbox_peek` with no arguments is harmless there (`missing_group_id`) and
 * `unknown_op` on the release. Probed once per daemon process: the bridge forgets the answer
 * whenever the daemon monitor sees CCCC go down, come up or restart.
 */
import { BridgeError } from '../../errors';
import type { DaemonClient } from './client';

export interface DaemonFeatures {
  /**
   * Sends leave `runtime.delivery` evidence, disabled agents are not woken, and agents can
   * `request_reply` to the user (CCCC's main branch, docs/cccc-contract.md §3).
   */
  deliveryEvidence: boolean;
}

const PROBE_TIMEOUT_MS = 3_000;

export async function probeFeatures(daemon: Pick<DaemonClient, 'request'>): Promise<DaemonFeatures> {
  try {
    await daemon.request('inbox_peek', {}, { timeoutMs: PROBE_TIMEOUT_MS, idempotent: true });
    return { deliveryEvidence: true };
  } catch (err) {
    if (!(err instanceof BridgeError) || err.details?.['daemonCode'] === undefined) throw err;
    return { deliveryEvidence: err.details['daemonCode'] !== 'unknown_op' };
  }
}

export class FeatureProbe {
  private known: Promise<DaemonFeatures> | undefined;

  constructor(private readonly daemon: Pick<DaemonClient, 'request'>) {}

  /** The daemon's features; rejects while CCCC cannot be reached. */
  current(): Promise<DaemonFeatures> {
    this.known ??= probeFeatures(this.daemon).catch((err: unknown) => {
      this.known = undefined;
      throw err;
    });
    return this.known;
  }

  /** The daemon went away or was replaced: ask again next time. */
  forget(): void {
    this.known = undefined;
  }
}
