/** The control services both hosts share: the desktop app (over IPC) and `serve` (over HTTP). */
export { createControlService, type ControlEvents, type ControlService, type ControlServiceOptions } from './service';
export { Supervisor, type SupervisorEvent, type SupervisorOptions } from './supervisor';
export { LogHub, type LogHubOptions } from './log-hub';
export { startHttpServer, type ControlHttpServer, type HttpServerOptions } from './http-server';
export {
  appSettingsSchema,
  DEFAULT_APP_SETTINGS,
  type AppSettingsStore,
  type HostAdapter,
  type ProfileStore,
  type SandboxHost,
  type SecretStore,
} from './stores';
export { FileAppSettingsStore, FileProfileStore, FileSecretStore, HeadlessHost, openWithSystem } from './file-stores';
export { scrub, statusView, problemView } from './views';
