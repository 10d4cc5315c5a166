/**
 * Runs a Bridge in its own process, for crash tests: configuration as JSON in BRIDGE_CHILD_CONFIG
 * (services in BRIDGE_CHILD_SERVICES), prints "connected" once the Stream is up, runs until killed.
 */
import { Bridge, type BridgeConfig, type BridgeServices } from '../../electron/core/bridge/bridge';

const config = JSON.parse(process.env.BRIDGE_CHILD_CONFIG ?? '{}') as BridgeConfig;
const services = JSON.parse(process.env.BRIDGE_CHILD_SERVICES ?? '{}') as BridgeServices;
const bridge = new Bridge(config, { ledgerPollMs: 100, daemonPollMs: 200, ...services });
bridge.on('status', (s) => {
  if (s.dingtalk.status === 'connected') process.stdout.write('connected\n');
});
await bridge.start();
