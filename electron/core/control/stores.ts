/**
 * What the control services need from their host. Both hosts keep the bridge profiles in the
 * shared config.json (FileProfileStore); the desktop app keeps secrets and settings with
 * electron-store and safeStorage, `serve` in files of the config folder (file-stores.ts). The
 * services hold all the logic; the stores only keep things.
 */
import { z } from 'zod';
import { languageSchema, type AppSettingsView, type SandboxView, type VaultView } from '../../shared/api';
import type { BridgeProfile, SecretStoreKind } from '../config/profile';

/** The bridge profiles (config.json, shared with the CLI and the other host: core/config/store.ts). */
export interface ProfileStore {
  list(): Promise<BridgeProfile[]>;
  get(id: string): Promise<BridgeProfile | undefined>;
  /** Creates or replaces the profile with this id. */
  save(profile: BridgeProfile): Promise<void>;
  /** True when there was one. */
  delete(id: string): Promise<boolean>;
}

/**
 * The AppSecrets this host keeps (typed in), by bridge id. The value never leaves the services.
 * A profile whose secret is in another kind of store (profile.secret) cannot be read here.
 */
export interface SecretStore {
  /** `keychain`: the desktop app's vault; `file`: secrets.json of the config folder. */
  readonly kind: SecretStoreKind;
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
