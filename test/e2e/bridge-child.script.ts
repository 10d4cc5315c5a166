/**
 * Runs a Bridge in its own process, for crash tests and the memory benchmark: configuration as
 * JSON in BRIDGE_CHILD_CONFIG (services in BRIDGE_CHILD_SERVICES), prints "connected" once the
 * Stream is up, answers "rss" on stdin with its resident memory and heap (after a GC when exposed), runs until killed.
 */
import { createInterface } from 'node:readline';
import { Bridge, type BridgeConfig, type BridgeServices } from '../../electron/core/bridge/bridge';

const config = JSON.parse(process.env.BRIDGE_CHILD_CONFIG ?? '{}') as BridgeConfig;
const services = JSON.parse(process.env.BRIDGE_CHILD_SERVICES ?? '{}') as BridgeServices;
const bridge = new Bridge(config, { ledgerPollMs: 100, daemonPollMs: 200, ...services });
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'rss') return;
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  process.stdout.write(`rss ${rss} ${heapUsed} ${heapTotal} ${external}\n`);
});
bridge.on('status', (s) => {
  if (s.dingtalk.status === 'connected') process.stdout.write('connected\n');
});
await bridge.start();
