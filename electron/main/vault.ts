/**
 * The app's own stores in one electron-store file (written 0600): app settings in the clear,
 * AppSecrets only as base64 ciphertext of Electron's async safeStorage API (the OS keychain,
 * DPAPI, or libsecret/kwallet). The bridge profiles are in the config.json the CLI shares
 * (core/config/store.ts); the ones this file held before are copied there once
 * (core/config/import-app-store.ts) and left here for an older version. A secret is decrypted only when the services ask
 * for it to connect, and re-encrypted when safeStorage says its key changed. On Linux without a
 * keyring safeStorage falls back to `basic_text` (a fixed key: obfuscation, not protection); the
 * vault says so, and the UI offers env-var mode (profile.secretEnv) instead.
 */
import type { SafeStorage } from 'electron';
import ElectronStore from 'electron-store';
import { z } from 'zod';
import type { AppSettingsView, VaultView } from '../shared/api';
import { appSettingsSchema, DEFAULT_APP_SETTINGS, type AppSettingsStore, type SecretStore } from '../core/control/stores';
import { BridgeError } from '../core/errors';

/** The part of electron-store the stores use (a plain map in tests is enough). */
export interface KeyValueFile {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

/** One file in the app's userData folder; only this user may read it. A damaged file is a problem to show, never silently emptied. */
export function openAppStore(options: { cwd?: string; name?: string } = {}): ElectronStore<Record<string, unknown>> {
  try {
    return new ElectronStore<Record<string, unknown>>({
      name: options.name ?? 'cccc-dingtalk-bridge',
      ...(options.cwd ? { cwd: options.cwd } : {}),
      configFileMode: 0o600,
      // Keys are bridge ids, which may hold dots.
      accessPropertiesByDotNotation: false,
    });
  } catch (err) {
    throw new BridgeError(
      {
        code: 'config.invalid',
        message: `The app's settings file cannot be read (${err instanceof SyntaxError ? 'not valid JSON' : ((err as NodeJS.ErrnoException).code ?? 'error')})`,
        hint: 'Move cccc-dingtalk-bridge.json out of the app data folder and start again: the bridges are then set up afresh.',
        retryable: false,
      },
      { cause: err },
    );
  }
}

export type SafeStorageApi = Pick<SafeStorage, 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'>;

const secretsSchema = z.record(z.string(), z.object({ cipher: z.string().min(1), updatedAt: z.number() }));
type Secrets = z.infer<typeof secretsSchema>;

const SECRETS = 'secrets';

function damaged(what: string): BridgeError {
  return new BridgeError({
    code: 'config.invalid',
    message: `The app's stored ${what} are damaged`,
    hint: 'Set the bridges up again in the app (the damaged part is replaced when you save).',
    retryable: false,
  });
}

export class Vault implements SecretStore {
  readonly kind = 'keychain' as const;

  constructor(
    private readonly file: KeyValueFile,
    private readonly safe: SafeStorageApi,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  async info(): Promise<VaultView> {
    if (!(await this.safe.isAsyncEncryptionAvailable())) return { backend: 'unavailable', encrypted: false };
    if (this.platform === 'linux' && this.safe.getSelectedStorageBackend() === 'basic_text') return { backend: 'basic_text', encrypted: false };
    return { backend: 'os', encrypted: true };
  }

  async set(bridgeId: string, secret: string): Promise<void> {
    if ((await this.info()).backend === 'unavailable') {
      throw new BridgeError({
        code: 'vault.unavailable',
        message: 'This system offers no way to store the AppSecret encrypted',
        hint: 'Put the AppSecret in an environment variable and enter its name instead (env-var mode in Settings).',
        retryable: false,
      });
    }
    await this.store(bridgeId, secret, Date.now());
  }

  async get(bridgeId: string): Promise<string | undefined> {
    const record = this.read()[bridgeId];
    if (!record) return undefined;
    let decrypted: { result: string; shouldReEncrypt: boolean };
    try {
      decrypted = await this.safe.decryptStringAsync(Buffer.from(record.cipher, 'base64'));
    } catch {
      throw new BridgeError({
        code: 'vault.unreadable',
        message: 'The stored AppSecret can no longer be decrypted',
        hint: 'The system keyring changed or is locked. Unlock it, or enter the AppSecret again in the bridge settings.',
        retryable: false,
        details: { bridgeId },
      });
    }
    // The same secret under the OS's new key: when it was set by the user does not change.
    if (decrypted.shouldReEncrypt) await this.store(bridgeId, decrypted.result, record.updatedAt);
    return decrypted.result;
  }

  async delete(bridgeId: string): Promise<void> {
    const secrets = this.read();
    if (!(bridgeId in secrets)) return;
    delete secrets[bridgeId];
    this.file.set(SECRETS, secrets);
  }

  async updatedAt(bridgeId: string): Promise<number | undefined> {
    return this.read()[bridgeId]?.updatedAt;
  }

  private async store(bridgeId: string, secret: string, updatedAt: number): Promise<void> {
    const cipher = (await this.safe.encryptStringAsync(secret)).toString('base64');
    // Read after the await: a write made meanwhile for another bridge is kept.
    this.file.set(SECRETS, { ...this.read(), [bridgeId]: { cipher, updatedAt } });
  }

  private read(): Secrets {
    const raw = this.file.get(SECRETS) ?? {};
    const parsed = secretsSchema.safeParse(raw);
    if (!parsed.success) throw damaged('secrets');
    return Object.assign(Object.create(null) as Secrets, parsed.data);
  }
}

/** The bridge profiles an older version kept in this file (their key), to copy into config.json. */
export const LEGACY_PROFILES = 'profiles';

const APP_SETTINGS = 'appSettings';

/** App settings; `launchAtLogin` is whatever the OS will really do, not what was last saved. */
export class StoreAppSettings implements AppSettingsStore {
  constructor(
    private readonly file: KeyValueFile,
    private readonly launchAtLogin: () => Promise<boolean>,
  ) {}

  async get(): Promise<AppSettingsView> {
    const parsed = appSettingsSchema.safeParse(this.file.get(APP_SETTINGS) ?? DEFAULT_APP_SETTINGS);
    if (!parsed.success) throw damaged('settings');
    return { ...parsed.data, launchAtLogin: await this.launchAtLogin() };
  }

  async save(settings: AppSettingsView): Promise<void> {
    this.file.set(APP_SETTINGS, appSettingsSchema.parse(settings));
  }
}
