/**
 * Runs a Bridge in its own process, for crash tests: configuration as JSON in BRIDGE_CHILD_CONFIG
 * (services in BRIDGE_CHILD_SERVICES), prints "connected" once the Stream is up, runs until killed.
 * A configuration with `groups` runs one DingTalk app for several groups (AppBridge).
 */
import { AppBridge, type AppBridgeConfig } from '../../electron/core/bridge/app-bridge';
import { Bridge, type BridgeConfig, type BridgeServices } from '../../electron/core/bridge/bridge';

const config = JSON.parse(process.env.BRIDGE_CHILD_CONFIG ?? '{}') as BridgeConfig | AppBridgeConfig;
const services = JSON.parse(process.env.BRIDGE_CHILD_SERVICES ?? '{}') as BridgeServices;
const all = { ledgerPollMs: 100, daemonPollMs: 200, ...services };
const bridge = 'groups' in config ? new AppBridge(config, all) : new Bridge(config, all);
bridge.on('status', (s) => {
  if (s.dingtalk.status === 'connected') process.stdout.write('connected\n');
});
await bridge.start();
