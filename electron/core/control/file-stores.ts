/**
 * The stores kept as files in the config folder (the CLI's `CCCC_DINGTALK_HOME`), replaced
 * atomically:
 *
 *   <config home>/config.json         bridge profiles, shared by the CLI, `serve` and the desktop app (core/config/store.ts)
 *   <config home>/app-settings.json   UI settings of `serve`
 *   <config home>/secrets.json        AppSecrets typed into the page of `serve` — mode 0600, plain text
 *
 * Secrets named by an environment variable are read by the service and never written anywhere;
 * secrets.json exists only when someone typed a secret, and its VaultView says `basic_text`,
 * unencrypted, so the UI can warn.
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { AppSettingsView, VaultView } from '../../shared/api';
import type { ConfigLockOptions } from '../config/config-lock';
import { bridgeProfileSchema, type BridgeProfile } from '../config/profile';
import { ConfigStore } from '../config/store';
import { JsonFileStore, type JsonFileStoreOptions } from '../util/json-store';
import { dict } from '../util/own';
import { appSettingsSchema, DEFAULT_APP_SETTINGS, type AppSettingsStore, type HostAdapter, type ProfileStore, type SecretStore } from './stores';

export function appSettingsPath(configHome: string): string {
  return join(configHome, 'app-settings.json');
}

export function secretsPath(configHome: string): string {
  return join(configHome, 'secrets.json');
}

/** The user's own files: a damaged one is a readable problem, never silently reset. */
const USER_FILE: JsonFileStoreOptions = { onInvalid: 'error' };

/** The bridge profiles of config.json, as the control services use them. */
export class FileProfileStore implements ProfileStore {
  readonly config: ConfigStore;

  constructor(configHome: string, options: ConfigLockOptions = {}) {
    this.config = new ConfigStore(configHome, options);
  }

  async list(): Promise<BridgeProfile[]> {
    return (await this.config.read()).bridges;
  }

  async get(id: string): Promise<BridgeProfile | undefined> {
    return (await this.list()).find((b) => b.id === id);
  }

  async save(profile: BridgeProfile): Promise<void> {
    const valid = bridgeProfileSchema.parse(profile);
    await this.config.update((config) => {
      const i = config.bridges.findIndex((b) => b.id === valid.id);
      if (i >= 0) config.bridges[i] = valid;
      else config.bridges.push(valid);
    });
  }

  delete(id: string): Promise<boolean> {
    return this.config.update((config) => {
      const before = config.bridges.length;
      config.bridges = config.bridges.filter((b) => b.id !== id);
      return config.bridges.length !== before;
    });
  }
}

const secretsFileSchema = z.object({
  version: z.literal(1),
  // Bridge ids index it: no prototype, so a bridge named `constructor` finds no secret (util/own).
  secrets: z
    .record(z.string(), z.object({ value: z.string(), updatedAt: z.number() }))
    .default({})
    .transform(dict),
});

/** AppSecrets typed into the browser UI, in a 0600 file (plain text: the UI says so). */
export class FileSecretStore implements SecretStore {
  readonly kind = 'file' as const;
  private readonly doc: JsonFileStore<typeof secretsFileSchema>;

  constructor(configHome: string) {
    this.doc = new JsonFileStore(secretsPath(configHome), secretsFileSchema, () => ({ version: 1 as const, secrets: dict() }), { ...USER_FILE, mode: 0o600 });
  }

  async get(bridgeId: string): Promise<string | undefined> {
    return (await this.doc.get()).secrets[bridgeId]?.value;
  }

  async set(bridgeId: string, secret: string): Promise<void> {
    await this.doc.update((doc) => {
      doc.secrets[bridgeId] = { value: secret, updatedAt: Date.now() };
    });
  }

  async delete(bridgeId: string): Promise<void> {
    if ((await this.doc.get()).secrets[bridgeId] === undefined) return;
    await this.doc.update((doc) => {
      delete doc.secrets[bridgeId];
    });
  }

  async updatedAt(bridgeId: string): Promise<number | undefined> {
    return (await this.doc.get()).secrets[bridgeId]?.updatedAt;
  }

  async info(): Promise<VaultView> {
    return { backend: 'basic_text', encrypted: false };
  }
}

export class FileAppSettingsStore implements AppSettingsStore {
  private readonly doc: JsonFileStore<typeof appSettingsSchema>;

  constructor(configHome: string) {
    this.doc = new JsonFileStore(appSettingsPath(configHome), appSettingsSchema, () => ({ ...DEFAULT_APP_SETTINGS }), USER_FILE);
  }

  get(): Promise<AppSettingsView> {
    return this.doc.get();
  }

  async save(settings: AppSettingsView): Promise<void> {
    const valid = appSettingsSchema.parse(settings);
    await this.doc.update((doc) => {
      for (const key of Object.keys(doc)) delete (doc as Record<string, unknown>)[key];
      Object.assign(doc, valid);
    });
  }
}

/** Opens a URL with the desktop's opener (xdg-open, open, start); false on a server without one. */
export function openWithSystem(url: string): Promise<boolean> {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    try {
      const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}

/**
 * The host of `serve`: links open on this machine's desktop when it has one (the page falls back
 * to opening them itself), exports go to `<config home>/exports/`.
 */
export class HeadlessHost implements HostAdapter {
  constructor(
    private readonly configHome: string,
    private readonly opener: (url: string) => Promise<boolean> = openWithSystem,
  ) {}

  openExternal(url: string): Promise<boolean> {
    return this.opener(url);
  }

  async chooseExportPath(defaultName: string): Promise<string> {
    const dir = join(this.configHome, 'exports');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return join(dir, defaultName);
  }
}
