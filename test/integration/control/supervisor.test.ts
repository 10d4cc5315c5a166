/**
 * The supervisor: restarts with growing delays after a failure that may pass, never after
 * rejected credentials or a refusal; refuses beside CCCC's own bridge, another instance, or a
 * sibling in this process; reconnects on resume; starts autoStart bridges; leaves nothing
 * running after close().
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeStatusView } from '../../../electron/shared/api';
import { bridgePaths } from '../../../electron/core/config/paths';
import { groupLockDir, InstanceLock, lockHolder } from '../../../electron/core/config/instance-lock';
import type { BridgeError } from '../../../electron/core/errors';
import { expectQuietFor, waitFor } from '../../helpers/wait';
import { everythingShown, startControlWorld, type ControlWorld } from './helpers';
import { rejection } from '../../helpers/problem';

let w: ControlWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

const connected = (w: ControlWorld, id: string) => () => w.service.supervisor.status(id).dingtalk.status === 'connected';

function statuses(w: ControlWorld, id: string): BridgeStatusView[] {
  return w.events.flatMap((e) => (e.type === 'bridge-status' && e.bridgeId === id ? [e.status] : []));
}

describe('supervisor', () => {
  it('restarts a bridge that failed for a reason that may pass, with growing delays, until it runs', async () => {
    // Short delays without jitter: how they grow is the point, not how long they are.
    w = await startControlWorld({ service: { restartBackoff: { baseMs: 50, capMs: 2_000, jitterMs: 0 } } });
    const id = await w.addBridge();
    // The state folder cannot be created while a file stands in its place.
    const { dir, state } = bridgePaths(w.configHome, id);
    await mkdir(dir, { recursive: true });
    await writeFile(state, 'in the way');

    // The delay each restart waits: when it is due, minus when it was announced.
    const delays: number[] = [];
    w.service.events.subscribe((e) => {
      if (e.type === 'bridge-status' && e.bridgeId === id && e.status.restart) delays.push(e.status.restart.at - Date.now());
    });
    const first = await w.call('startBridge', { bridgeId: id });
    expect(first).toMatchObject({ state: 'error', lastProblem: { retryable: true }, restart: { attempt: 1 } });
    // Generous: on a loaded machine each start attempt takes over a second on top of the planned delay.
    await waitFor(() => statuses(w!, id).filter((s) => s.restart).length >= 3, 'three restarts scheduled', 15_000);
    const planned = statuses(w, id).filter((s) => s.restart);
    const attempts = planned.map((s) => s.restart!.attempt);
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3]);
    expect(delays.slice(0, 3).map((d) => Math.round(d / 50) * 50)).toEqual([50, 100, 200]);

    await rm(state, { force: true });
    await waitFor(connected(w, id), 'running after the cause went away', 15_000);
    expect(w.service.supervisor.status(id).restart).toBeUndefined();
    expect(everythingShown(w)).not.toContain(w.appSecret);
  }, 40_000);

  it('does not restart a bridge whose credentials DingTalk rejects', async () => {
    w = await startControlWorld();
    const id = await w.addBridge({ appSecret: 'a-wrong-secret-value' });
    await w.call('startBridge', { bridgeId: id });
    await waitFor(() => w!.service.supervisor.status(id).state === 'error', 'error state');
    const status = w.service.supervisor.status(id);
    expect(status).toMatchObject({ state: 'error', lastProblem: { code: 'dingtalk.invalid_credentials', retryable: false } });
    expect(status.restart).toBeUndefined();
    expect(w.service.supervisor.running(id)).toBeUndefined();
    expect(w.events).toContainEqual({ type: 'problem', bridgeId: id, problem: expect.objectContaining({ code: 'dingtalk.invalid_credentials' }) });
    const opens = w.dt.openRequests().length;
    await expectQuietFor(1_000, 'no restart reaching DingTalk', () => w!.dt.openRequests().length === opens);
    expect(w.dt.openRequests().length).toBe(opens);
    // Its locks are released: a corrected bridge can start.
    expect(await lockHolder(groupLockDir(w.cccc.home, w.groupId))).toBeUndefined();
    expect(everythingShown(w)).not.toContain('a-wrong-secret-value');
  });

  it("refuses to start beside CCCC's own DingTalk bridge, and says how to stop it", async () => {
    w = await startControlWorld({ group: { im: { platform: 'dingtalk', enabled: true, dingtalk_app_key_env: 'K', dingtalk_app_secret_env: 'S' } } });
    const id = await w.addBridge();
    const p = await rejection(w.h.startBridge({ bridgeId: id }));
    expect(p.code).toBe('cccc.own_bridge_enabled');
    expect(p.hint).toContain(`cccc im stop --group ${w.groupId}`);
    expect(w.service.supervisor.status(id)).toMatchObject({ state: 'error', lastProblem: { code: 'cccc.own_bridge_enabled' } });
    expect(w.service.supervisor.status(id).restart).toBeUndefined();
  });

  it('refuses beside another instance of ours (a CLI bridge) and beside a sibling bridge of this process', async () => {
    w = await startControlWorld();
    // A live process (our parent) holds the group lock as a CLI bridge from another config folder.
    const held = await InstanceLock.acquire(
      groupLockDir(w.cccc.home, w.groupId),
      { bridgeId: 'default', groupId: w.groupId, configHome: '/srv/other-home', startedAt: Date.now() },
      { pid: process.ppid },
    );
    expect(held.ok).toBe(true);
    const id = await w.addBridge();
    const p = await rejection(w.h.startBridge({ bridgeId: id }));
    expect(p.code).toBe('bridge.other_instance_group');
    expect(p.hint).toContain('CCCC_DINGTALK_HOME=/srv/other-home cccc-dingtalk stop --bridge default');
    if (held.ok) await held.lock.release();

    await w.call('startBridge', { bridgeId: id });
    // Same DingTalk app for another group, in this same process: the locks cannot tell (same pid); the supervisor can.
    const groupB = await w.cccc.createGroup({ title: 'B', actors: ['x'] });
    const sibling = await w.addBridge({ name: 'Sibling', groupId: groupB });
    const s = await rejection(w.h.startBridge({ bridgeId: sibling }));
    expect(s.code).toBe('bridge.other_instance_app');
    expect(s.message).toContain('"Demo"');
  });

  it('of two bridges on one app started at the same moment (autoStart), exactly one runs', async () => {
    w = await startControlWorld();
    const groupB = await w.cccc.createGroup({ title: 'B', actors: ['x'] });
    const a = await w.addBridge({ name: 'A', autoStart: true });
    const b = await w.addBridge({ name: 'B', groupId: groupB, autoStart: true });
    const outcomes = await Promise.allSettled([w.h.startBridge({ bridgeId: a }), w.h.startBridge({ bridgeId: b })]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as BridgeError).code).toBe('bridge.other_instance_app');
    const running = [a, b].filter((id) => w!.service.supervisor.running(id));
    expect(running).toHaveLength(1);
    await waitFor(connected(w, running[0]!), 'the one bridge connected');
    expect(w.dt.connections()).toHaveLength(1);
  });

  it('reconnects running bridges on resume and on a network change', async () => {
    w = await startControlWorld();
    const id = await w.addBridge();
    await w.call('startBridge', { bridgeId: id });
    await waitFor(connected(w, id), 'connected');
    // The handover is done when the one live connection is a new one (its count alone is 1 mid-handover too).
    const handedOver = (from: string) => () => {
      const live = w!.dt.connections();
      return live.length === 1 && live[0]!.id !== from ? live[0]!.id : undefined;
    };
    const first = w.dt.connections()[0]!.id;
    w.service.supervisor.onResume();
    const second = await waitFor(handedOver(first), 'a new Stream connection after resume, the old one closed');
    w.service.supervisor.onNetworkChange();
    await waitFor(handedOver(second), 'a new Stream connection after a network change, the old one closed');
    await waitFor(connected(w, id), 'connected');
  });

  it('starts the bridges marked autoStart, and leaves nothing running after close()', async () => {
    w = await startControlWorld();
    const auto = await w.addBridge({ autoStart: true });
    const groupB = await w.cccc.createGroup({ title: 'B', actors: ['x'] });
    const manual = await w.addBridge({ name: 'Manual', groupId: groupB, appKey: 'another-app' });
    await w.service.supervisor.autoStart();
    await waitFor(connected(w, auto), 'the autoStart bridge connected');
    expect(w.service.supervisor.running(manual)).toBeUndefined();

    await w.service.close();
    expect(w.service.supervisor.running(auto)).toBeUndefined();
    expect(w.dt.connections()).toEqual([]);
    expect(await lockHolder(groupLockDir(w.cccc.home, w.groupId))).toBeUndefined();
    // Closed: no restart, no new start.
    expect((await rejection(w.h.startBridge({ bridgeId: auto }))).code).toBe('app.closing');
  });
});
