/**
 * What the control services need from their host. The desktop app (Electron main) implements
 * these with electron-store and safeStorage; the headless `serve` mode with files in the config
 * folder (file-stores.ts). The services hold all the logic; the stores only keep things.
 */
import { z } from 'zod';
import { languageSchema, type AppSettingsView, type SandboxView, type VaultView } from '../../shared/api';
import { bridgeSettingsSchema } from '../bridge/settings';
import { BRIDGE_ID, envNameSchema } from '../config/profile';

/** A bridge as the app keeps it: everything but the AppSecret. */
export const controlProfileSchema = z.object({
  id: z.string().regex(BRIDGE_ID),
  name: z.string().min(1),
  groupId: z.string().min(1),
  /** CCCC's home for this bridge; absent: CCCC_HOME or ~/.cccc at run time. */
  ccccHome: z.string().min(1).optional(),
  appKey: z.string().min(1),
  /** Absent: the AppKey (right for most internal apps). */
  robotCode: z.string().min(1).optional(),
  /** Read the AppSecret from this environment variable instead of the secret store. */
  secretEnv: envNameSchema.optional(),
  autoStart: z.boolean().default(false),
  /** Made with "Try it in the sandbox first": it talks to the sandbox only, never to DingTalk. */
  sandbox: z.literal(true).optional(),
  // A fresh object each time: the engine updates its settings in place.
  settings: bridgeSettingsSchema.default(() => bridgeSettingsSchema.parse({})),
  createdAt: z.number().optional(),
});

export type ControlProfile = z.infer<typeof controlProfileSchema>;

/** Non-secret bridge profiles. */
export interface ProfileStore {
  list(): Promise<ControlProfile[]>;
  get(id: string): Promise<ControlProfile | undefined>;
  /** Creates or replaces the profile with this id. */
  save(profile: ControlProfile): Promise<void>;
  /** True when there was one. */
  delete(id: string): Promise<boolean>;
}

/** The AppSecret of each bridge, by bridge id. The value never leaves the services. */
export interface SecretStore {
  get(bridgeId: string): Promise<string | undefined>;
  set(bridgeId: string, secret: string): Promise<void>;
  delete(bridgeId: string): Promise<void>;
  /** When the secret was last set (ms since epoch); undefined when none is stored. */
  updatedAt(bridgeId: string): Promise<number | undefined>;
  /** How well the stored secrets are protected, for the UI to say so. */
  info(): Promise<VaultView>;
}

export const appSettingsSchema = z.object({
  language: languageSchema.optional(),
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  launchAtLogin: z.boolean().default(false),
  envSecretMode: z.boolean().default(false),
  apiBase: z.string().url().optional(),
  oapiBase: z.string().url().optional(),
  customEndpointSince: z.number().optional(),
});

export const DEFAULT_APP_SETTINGS: AppSettingsView = { theme: 'system', launchAtLogin: false, envSecretMode: false };

export interface AppSettingsStore {
  get(): Promise<AppSettingsView>;
  save(settings: AppSettingsView): Promise<void>;
}

/**
 * The DingTalk sandbox, brought by the host: electron/core must not depend on electron/sandbox,
 * and a build without it simply has none.
 */
export interface SandboxHost {
  /** Starts it (or returns the running one). */
  start(): Promise<SandboxView>;
  stop(): Promise<void>;
  info(): SandboxView | undefined;
}

/** What only the host can do. */
export interface HostAdapter {
  /** Opens an (already checked) https URL in the system browser; false when it cannot. */
  openExternal(url: string): Promise<boolean>;
  /** Where to write an export (a save dialog in the app); undefined: the user cancelled. */
  chooseExportPath(defaultName: string): Promise<string | undefined>;
  setLaunchAtLogin?(enabled: boolean): Promise<void> | void;
}
