import { afterEach, describe, expect, it, vi } from 'vitest';
import { BridgeError } from '../../../../electron/core/errors';
import { DaemonMonitor, type DaemonState } from '../../../../electron/core/cccc/daemon/monitor';
import type { PingResult } from '../../../../electron/core/cccc/daemon/ops';
import { expectQuietFor, waitFor } from '../../../helpers/wait';
import { rig, type Rig } from './helpers';

const pong = (pid: number): PingResult => ({ version: '0.4.35', pid, ipc_v: 1, capabilities: {} });
const down = (): BridgeError => new BridgeError({ code: 'cccc.not_running', message: 'CCCC is not running — start it with `cccc`', retryable: true });

describe('DaemonMonitor schedule (fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('backs off exponentially with jitter up to the cap while down, then pings at the interval', async () => {
    vi.useFakeTimers();
    let alive = false;
    const ping = vi.fn(async () => {
      if (!alive) throw down();
      return pong(11);
    });
    const monitor = new DaemonMonitor({ ping }, { intervalMs: 10_000, backoff: { baseMs: 100, capMs: 1_000, jitterMs: 50 }, random: () => 0.5 });
    const delays: (number | undefined)[] = [];
    monitor.onChange((s) => delays.push(s.nextCheckInMs));
    monitor.start();
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      await vi.advanceTimersToNextTimerAsync();
      seen.push(monitor.state.nextCheckInMs ?? -1);
    }
    // failures 1..: 100·2^(n-1) + 25, capped at 1000
    expect(seen.slice(0, 5)).toEqual([225, 425, 825, 1_000, 1_000]);
    expect(monitor.state).toMatchObject({ status: 'down', problem: { code: 'cccc.not_running' } });
    alive = true;
    await vi.advanceTimersToNextTimerAsync();
    expect(monitor.state).toMatchObject({ status: 'up', pid: 11, failures: 0, nextCheckInMs: 10_000 });
    expect(delays).toEqual([125, 10_000]); // one event for down, one for up
    monitor.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stop() cancels the schedule; start() twice does not double it', async () => {
    vi.useFakeTimers();
    const ping = vi.fn(async () => pong(5));
    const monitor = new DaemonMonitor({ ping }, { intervalMs: 1_000 });
    monitor.start();
    monitor.start();
    await vi.advanceTimersByTimeAsync(3_500);
    expect(ping).toHaveBeenCalledTimes(4);
    monitor.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ping).toHaveBeenCalledTimes(4);
  });

  it('a throwing listener does not stop the monitor or other listeners', async () => {
    vi.useFakeTimers();
    const monitor = new DaemonMonitor({ ping: async () => pong(1) });
    const good = vi.fn();
    monitor.onChange(() => {
      throw new Error('boom');
    });
    monitor.onChange(good);
    monitor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(good).toHaveBeenCalledTimes(1);
    expect(monitor.state.status).toBe('up');
    monitor.stop();
  });
});

describe('DaemonMonitor against the fake daemon', () => {
  let r: Rig | undefined;
  let monitor: DaemonMonitor | undefined;

  afterEach(async () => {
    monitor?.stop();
    await r?.daemon.close();
    r = undefined;
  });

  it('follows the daemon down and back up', async () => {
    r = await rig();
    monitor = new DaemonMonitor(r.client, { intervalMs: 40, backoff: { baseMs: 20, capMs: 80, jitterMs: 10 } });
    const events: [DaemonState, DaemonState][] = [];
    monitor.onChange((s, prev) => events.push([s, prev]));
    monitor.start();
    await waitFor(() => events.length === 1, 'up');
    const firstPid = r.daemon.pid;
    expect(events[0]![0]).toMatchObject({ status: 'up', pid: firstPid, version: r.daemon.version, ipcVersion: 1 });
    expect(events[0]![1].status).toBe('unknown');

    await r.daemon.stopDaemon();
    await waitFor(() => events.length === 2, 'down');
    expect(events[1]![0]).toMatchObject({ status: 'down', problem: { code: 'cccc.not_running', message: 'CCCC is not running — start it with `cccc`' } });

    await r.daemon.restart();
    await waitFor(() => events.length === 3, 'up again');
    expect(events[2]![0]).toMatchObject({ status: 'up', pid: r.daemon.pid });
    expect(r.daemon.pid).not.toBe(firstPid);
  });

  it('notices a restart between two checks as a new pid while up', async () => {
    r = await rig();
    // Checks only when asked: a restart slower than the ping interval would otherwise be seen as down, then up.
    monitor = new DaemonMonitor(r.client, { intervalMs: 60_000 });
    const events: [DaemonState, DaemonState][] = [];
    monitor.onChange((s, prev) => events.push([s, prev]));
    monitor.start();
    await waitFor(() => events.length === 1, 'up');
    const firstPid = r.daemon.pid;
    await r.daemon.restart();
    expect(r.daemon.pid).not.toBe(firstPid);
    expect(await monitor.checkNow()).toMatchObject({ status: 'up', pid: r.daemon.pid });
    expect(events).toHaveLength(2);
    expect(events[1]![1]).toMatchObject({ status: 'up', pid: firstPid });
    expect(events[1]![0]).toMatchObject({ status: 'up', pid: r.daemon.pid });
  });

  it('checkNow() answers at once; stop() aborts a ping in flight and stays silent', async () => {
    r = await rig();
    monitor = new DaemonMonitor(r.client, { intervalMs: 60_000 });
    const events: DaemonState[] = [];
    monitor.onChange((s) => events.push(s));
    monitor.start();
    await waitFor(() => events.length === 1, 'up');
    await r.daemon.stopDaemon();
    expect((await monitor.checkNow()).status).toBe('down');

    await r.daemon.restart();
    r.daemon.setFault({ ops: ['ping'], delayMs: 5_000 });
    const pending = monitor.checkNow();
    await waitFor(() => r!.daemon.requests().some((q) => q.fault === 'delay'), 'ping in flight');
    monitor.stop();
    await pending;
    await expectQuietFor(50, 'no state change after stop()', () => events.length === 2);
    expect(events.map((e) => e.status)).toEqual(['up', 'down']);
  });
});
