import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SafeStorageApi } from '../../../electron/main/vault';

const electron = vi.hoisted(() => ({ userData: '' }));

vi.mock('electron', () => {
  const app = { getPath: () => electron.userData, getVersion: () => '0.1.0' };
  const ipcMain = { on: () => undefined };
  return { default: { app, ipcMain }, app, ipcMain };
});

const { openAppStore, StoreAppSettings, Vault } = await import('../../../electron/main/vault');

const SECRET = 'Sup3r-Secret-AppSecret-Value';

/** A stand-in for safeStorage: reversible, but nothing like the plain text; key version in the first byte. */
function fakeSafeStorage(o: { available?: boolean; backend?: ReturnType<SafeStorageApi['getSelectedStorageBackend']> } = {}) {
  let keyVersion = 1;
  const safe = {
    isAsyncEncryptionAvailable: vi.fn(async () => o.available ?? true),
    getSelectedStorageBackend: vi.fn(() => o.backend ?? 'gnome_libsecret'),
    encryptStringAsync: vi.fn(async (plain: string) =>
      Buffer.concat([Buffer.from([keyVersion]), Buffer.from(plain, 'utf8').map((b) => b ^ (0x5a + keyVersion))]),
    ),
    decryptStringAsync: vi.fn(async (cipher: Buffer) => {
      const version = cipher[0]!;
      if (version > keyVersion) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return { result: Buffer.from(cipher.subarray(1).map((b) => b ^ (0x5a + version))).toString('utf8'), shouldReEncrypt: version < keyVersion };
    }),
  };
  return Object.assign(safe, { rotateKey: () => (keyVersion += 1), forget: () => (keyVersion = 0) });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vault-'));
  electron.userData = dir;
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

describe('Vault (SecretStore on safeStorage + electron-store)', () => {
  it('stores only base64 ciphertext, in a file only this user can read, and decrypts it back', async () => {
    const store = openAppStore();
    const safe = fakeSafeStorage();
    const vault = new Vault(store, safe, 'linux');
    vi.useFakeTimers({ now: 1_700_000_000_000, toFake: ['Date'] });
    await vault.set('b1', SECRET);
    vi.useRealTimers();

    expect(store.path).toBe(join(dir, 'cccc-dingtalk-bridge.json'));
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    const text = await readFile(store.path, 'utf8');
    expect(text).not.toContain(SECRET);
    const saved = JSON.parse(text) as { secrets: Record<string, { cipher: string; updatedAt: number }> };
    expect(saved.secrets['b1']!.updatedAt).toBe(1_700_000_000_000);
    expect(Buffer.from(saved.secrets['b1']!.cipher, 'base64').equals(await safe.encryptStringAsync(SECRET))).toBe(true);
    expect(safe.encryptStringAsync).toHaveBeenCalledWith(SECRET);

    // A fresh instance (the next launch) reads it back.
    const again = new Vault(openAppStore(), safe, 'linux');
    expect(await again.get('b1')).toBe(SECRET);
    expect(await again.updatedAt('b1')).toBe(1_700_000_000_000);
    expect(await again.get('nope')).toBeUndefined();
  });

  it('re-encrypts when safeStorage asks, keeping when the user set it', async () => {
    const store = openAppStore();
    const safe = fakeSafeStorage();
    const vault = new Vault(store, safe, 'darwin');
    await vault.set('b1', SECRET);
    const before = store.get('secrets') as Record<string, { cipher: string; updatedAt: number }>;
    safe.rotateKey();
    expect(await vault.get('b1')).toBe(SECRET);
    const after = store.get('secrets') as Record<string, { cipher: string; updatedAt: number }>;
    expect(after['b1']!.cipher).not.toBe(before['b1']!.cipher);
    expect(after['b1']!.updatedAt).toBe(before['b1']!.updatedAt);
    expect(safe.encryptStringAsync).toHaveBeenCalledTimes(2);
    // Now current: reading again does not re-encrypt.
    expect(await vault.get('b1')).toBe(SECRET);
    expect(safe.encryptStringAsync).toHaveBeenCalledTimes(2);
  });

  it('a secret the keyring can no longer decrypt is a problem to act on, without the ciphertext', async () => {
    const safe = fakeSafeStorage();
    const vault = new Vault(openAppStore(), safe, 'win32');
    await vault.set('b1', SECRET);
    safe.forget();
    const err = await vault.get('b1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'vault.unreadable', retryable: false });
    expect(JSON.stringify(err)).not.toMatch(/decryptString|cipher/);
  });

  it('rotating the secret replaces it and moves updatedAt; delete forgets it', async () => {
    const vault = new Vault(openAppStore(), fakeSafeStorage(), 'darwin');
    vi.useFakeTimers({ now: 1_000, toFake: ['Date'] });
    await vault.set('b1', SECRET);
    await vault.set('b.2', 'other-secret-value');
    vi.setSystemTime(5_000);
    await vault.set('b1', 'rotated-secret-value');
    expect(await vault.get('b1')).toBe('rotated-secret-value');
    expect(await vault.updatedAt('b1')).toBe(5_000);
    expect(await vault.get('b.2')).toBe('other-secret-value');
    await vault.delete('b1');
    await vault.delete('b1');
    expect(await vault.get('b1')).toBeUndefined();
    expect(await vault.updatedAt('b1')).toBeUndefined();
    expect(await vault.get('b.2')).toBe('other-secret-value');
  });

  it('reports the OS keyring, Linux basic_text, and no encryption at all', async () => {
    expect(await new Vault(openAppStore(), fakeSafeStorage(), 'darwin').info()).toEqual({ backend: 'os', encrypted: true });
    expect(await new Vault(openAppStore(), fakeSafeStorage({ backend: 'kwallet6' }), 'linux').info()).toEqual({ backend: 'os', encrypted: true });
    const basic = new Vault(openAppStore(), fakeSafeStorage({ backend: 'basic_text' }), 'linux');
    expect(await basic.info()).toEqual({ backend: 'basic_text', encrypted: false });
    // Still stored (obfuscated) when the user insists; the UI has warned and offered env-var mode.
    await basic.set('b1', SECRET);
    expect(await readFile(join(dir, 'cccc-dingtalk-bridge.json'), 'utf8')).not.toContain(SECRET);

    const none = new Vault(openAppStore({ name: 'other' }), fakeSafeStorage({ available: false }), 'linux');
    expect(await none.info()).toEqual({ backend: 'unavailable', encrypted: false });
    await expect(none.set('b1', SECRET)).rejects.toMatchObject({ code: 'vault.unavailable' });
    expect(await readFile(join(dir, 'other.json'), 'utf8').catch(() => '')).not.toContain(SECRET);
  });

  it('a store file that is not JSON is a readable problem, and is left as it was', async () => {
    await writeFile(join(dir, 'cccc-dingtalk-bridge.json'), '{"profiles": [');
    expect(() => openAppStore()).toThrow(
      expect.objectContaining({ code: 'config.invalid', message: "The app's settings file cannot be read (not valid JSON)" }),
    );
    expect(await readFile(join(dir, 'cccc-dingtalk-bridge.json'), 'utf8')).toBe('{"profiles": [');
  });

  it('a damaged secrets entry is a readable problem', async () => {
    const store = openAppStore();
    store.set('secrets', { b1: { cipher: 42 } });
    await expect(new Vault(store, fakeSafeStorage(), 'darwin').get('b1')).rejects.toMatchObject({ code: 'config.invalid' });
  });
});

describe('app settings in electron-store', () => {
  it('app settings: defaults, saved values, and launch-at-login as the OS reports it', async () => {
    let osSays = true;
    const settings = new StoreAppSettings(openAppStore(), async () => osSays);
    expect(await settings.get()).toEqual({ theme: 'system', launchAtLogin: true, envSecretMode: false });
    await settings.save({ theme: 'dark', launchAtLogin: true, envSecretMode: true, language: 'zh' });
    osSays = false;
    expect(await new StoreAppSettings(openAppStore(), async () => osSays).get()).toEqual({
      theme: 'dark',
      launchAtLogin: false,
      envSecretMode: true,
      language: 'zh',
    });
  });
});
