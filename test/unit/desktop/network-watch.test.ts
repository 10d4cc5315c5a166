import type { NetworkInterfaceInfo } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { networkSignature, watchNetwork } from '../../../electron/desktop/network-watch';

const iface = (address: string, internal = false): NetworkInterfaceInfo =>
  ({ address, netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal, cidr: `${address}/24` }) as NetworkInterfaceInfo;

afterEach(() => vi.useRealTimers());

describe('network watch', () => {
  it('signs the external addresses only, in a stable order', () => {
    expect(networkSignature({ lo: [iface('127.0.0.1', true)], eth0: [iface('10.0.0.2')], wlan0: [iface('192.168.1.5')] })).toBe(
      networkSignature({ wlan0: [iface('192.168.1.5')], eth0: [iface('10.0.0.2')], lo: [] }),
    );
    expect(networkSignature({ lo: [iface('127.0.0.1', true)] })).toBe('');
  });

  it('calls onChange once per change, survives a failed read, and stops', () => {
    vi.useFakeTimers();
    let current: NodeJS.Dict<NetworkInterfaceInfo[]> = { eth0: [iface('10.0.0.2')] };
    let fail = false;
    const onChange = vi.fn();
    const stop = watchNetwork({
      intervalMs: 1_000,
      onChange,
      interfaces: () => {
        if (fail) throw new Error('EPERM');
        return current;
      },
    });
    vi.advanceTimersByTime(3_000);
    expect(onChange).not.toHaveBeenCalled();
    current = { wlan0: [iface('192.168.1.5')] };
    vi.advanceTimersByTime(1_000);
    expect(onChange).toHaveBeenCalledTimes(1);
    fail = true;
    vi.advanceTimersByTime(2_000);
    fail = false;
    vi.advanceTimersByTime(2_000);
    expect(onChange).toHaveBeenCalledTimes(1);
    stop();
    current = {};
    vi.advanceTimersByTime(5_000);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
