/**
 * Notices network changes (Wi-Fi switched, VPN up, cable plugged) by the machine's addresses,
 * which Node and every OS report alike; Electron's main process has no such event. The bridges
 * then reconnect at once instead of waiting for a dead socket to time out.
 */
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';

export interface NetworkWatchOptions {
  onChange: () => void;
  /** Default 5 s. */
  intervalMs?: number;
  interfaces?: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
}

/** The external addresses, in a stable order: equal strings, same network. */
export function networkSignature(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  const addresses: string[] = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) if (!info.internal) addresses.push(`${name}/${info.family}/${info.address}`);
  }
  return addresses.sort().join(',');
}

/** Starts watching; returns the function that stops. */
export function watchNetwork(o: NetworkWatchOptions): () => void {
  const read = o.interfaces ?? networkInterfaces;
  let last = networkSignature(read());
  const timer = setInterval(() => {
    let now: string;
    try {
      now = networkSignature(read());
    } catch {
      return; // interfaces unreadable for a moment: try again next tick
    }
    if (now === last) return;
    last = now;
    o.onChange();
  }, o.intervalMs ?? 5_000);
  timer.unref();
  return () => clearInterval(timer);
}
