import { afterEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../../../electron/core/cccc/daemon/client';
import { FeatureProbe, probeFeatures } from '../../../../electron/core/cccc/daemon/features';
import { FakeCcccDaemon } from '../../../fakes/cccc/daemon';

let daemon: FakeCcccDaemon | undefined;
afterEach(async () => {
  await daemon?.close();
  daemon = undefined;
});

describe('probing what the daemon supports', () => {
  it('CCCC’s main branch knows inbox_peek: delivery evidence; 0.4.35rc1 answers unknown_op', async () => {
    daemon = await FakeCcccDaemon.start();
    expect(await probeFeatures(new DaemonClient({ home: daemon.home }))).toEqual({ deliveryEvidence: true });
    await daemon.close();
    daemon = await FakeCcccDaemon.start({ flavor: 'release' });
    expect(await probeFeatures(new DaemonClient({ home: daemon.home }))).toEqual({ deliveryEvidence: false });
  });

  it('asks once per daemon process, again after forget(), and rejects while CCCC is down', async () => {
    daemon = await FakeCcccDaemon.start();
    const probe = new FeatureProbe(new DaemonClient({ home: daemon.home, retries: 0 }));
    await probe.current();
    await probe.current();
    expect(daemon.requests().filter((r) => r.op === 'inbox_peek')).toHaveLength(1);
    await daemon.stopDaemon();
    probe.forget();
    await expect(probe.current()).rejects.toMatchObject({ code: 'cccc.not_running' });
    await daemon.restart();
    expect(await probe.current()).toEqual({ deliveryEvidence: true });
  });
});
