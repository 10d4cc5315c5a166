/** CCCC daemon link: endpoint discovery, typed one-shot requests, reachability monitor. */
export { DaemonClient, type CallOptions, type DaemonClientOptions } from './client';
export { DaemonMonitor, type DaemonMonitorOptions, type DaemonState, type DaemonStateListener, type DaemonStatus } from './monitor';
export { discoverEndpoint, describeEndpoint, type Discovery, type Endpoint } from './endpoint';
export { resolveCcccHome } from './home';
export { START_HINT } from './errors';
export * from './ops';
export { FeatureProbe, probeFeatures, type DaemonFeatures } from './features';
