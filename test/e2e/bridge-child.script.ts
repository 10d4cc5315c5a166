/**
 * Runs a Bridge in its own process for crash tests: configuration as JSON in BRIDGE_CHILD_CONFIG,
 * prints "connected" once the Stream is up, then runs until it is killed.
 */
import { Bridge, type BridgeConfig } from '../../electron/core/bridge/bridge';

const config = JSON.parse(process.env.BRIDGE_CHILD_CONFIG ?? '{}') as BridgeConfig;
const bridge = new Bridge(config, { ledgerPollMs: 100, daemonPollMs: 200 });
bridge.on('status', (s) => {
  if (s.dingtalk.status === 'connected') process.stdout.write('connected\n');
});
await bridge.start();
