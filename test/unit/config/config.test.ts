import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCredentials } from '../../../electron/core/config/credentials';
import { bridgePaths, configFilePath, resolveConfigHome } from '../../../electron/core/config/paths';
import { bridgeProfileSchema, type BridgeProfile } from '../../../electron/core/config/profile';
import { parseConfig, pickBridge, readConfig, writeConfig } from '../../../electron/core/config/store';
import { BridgeError } from '../../../electron/core/errors';

describe('resolveConfigHome', () => {
  it('prefers CCCC_DINGTALK_HOME, then the platform folder (XDG on Linux)', () => {
    expect(resolveConfigHome({ env: { CCCC_DINGTALK_HOME: '/srv/bridge' }, platform: 'linux', homeDir: '/home/a' })).toBe('/srv/bridge');
    expect(resolveConfigHome({ env: { CCCC_DINGTALK_HOME: '~/b' }, platform: 'linux', homeDir: '/home/a' })).toBe('/home/a/b');
    expect(resolveConfigHome({ env: { XDG_CONFIG_HOME: '/x/conf' }, platform: 'linux', homeDir: '/home/a' })).toBe('/x/conf/cccc-dingtalk');
    expect(resolveConfigHome({ env: {}, platform: 'linux', homeDir: '/home/a' })).toBe('/home/a/.config/cccc-dingtalk');
    // A relative XDG_CONFIG_HOME is invalid per the spec and ignored.
    expect(resolveConfigHome({ env: { XDG_CONFIG_HOME: 'rel' }, platform: 'linux', homeDir: '/home/a' })).toBe('/home/a/.config/cccc-dingtalk');
    expect(resolveConfigHome({ env: {}, platform: 'darwin', homeDir: '/Users/a' })).toBe('/Users/a/Library/Application Support/cccc-dingtalk');
    expect(resolveConfigHome({ env: { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, platform: 'win32', homeDir: 'C:\\Users\\a' })).toBe(
      'C:\\Users\\a\\AppData\\Roaming\\cccc-dingtalk',
    );
  });

  it('puts every bridge in its own folder', () => {
    const p = bridgePaths('/h', 'prod');
    expect(p).toEqual({
      dir: '/h/bridges/prod',
      state: '/h/bridges/prod/state',
      status: '/h/bridges/prod/status.json',
      pid: '/h/bridges/prod/bridge.pid',
      logs: '/h/bridges/prod/logs',
    });
    expect(configFilePath('/h')).toBe('/h/config.json');
  });
});

const profile = (over: Partial<BridgeProfile> = {}): BridgeProfile =>
  bridgeProfileSchema.parse({ id: 'default', groupId: 'g_1', appKeyEnv: 'DINGTALK_APP_KEY', appSecretEnv: 'DINGTALK_APP_SECRET', ...over });

describe('config file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cfg-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('round-trips atomically with settings defaults filled, and an absent file is an empty config', async () => {
    const file = join(dir, 'sub', 'config.json');
    expect(await readConfig(file)).toEqual({ version: 1, bridges: [] });
    await writeConfig(file, { version: 1, bridges: [profile({ robotCodeEnv: 'DINGTALK_ROBOT_CODE' })] });
    const back = await readConfig(file);
    expect(back.bridges[0]).toMatchObject({
      id: 'default',
      robotCodeEnv: 'DINGTALK_ROBOT_CODE',
      settings: { replyLanguage: 'zh', maxFileMb: 20, access: { mode: 'everyone' } },
    });
    expect(await readdir(join(dir, 'sub'))).toEqual(['config.json']);
    // Two profiles never share a settings object (the engine updates settings in place).
    const [a, b] = [profile(), profile({ id: 'other' })];
    a.settings.maxFileMb = 1;
    expect(b.settings.maxFileMb).toBe(20);
  });

  it('says which line is wrong, for JSON syntax and for schema problems', () => {
    expect(() => parseConfig('{\n  "version": 1,\n  "bridges": [,]\n}', '/c/config.json')).toThrow("config.json line 3: not valid JSON (Unexpected token ',')");
    const text = [
      '{',
      '  "version": 1,',
      '  "bridges": [',
      '    {',
      '      "id": "default",',
      '      "groupId": "g_1",',
      '      "appKeyEnv": "DINGTALK_APP_KEY",',
      '      "appSecretEnv": "my-Secret-value"',
      '    }',
      '  ]',
      '}',
    ].join('\n');
    let error: unknown;
    try {
      parseConfig(text, '/c/config.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).message).toBe(
      'config.json line 8: bridges[0].appSecretEnv: must be the NAME of an environment variable (e.g. DINGTALK_APP_SECRET), not its value',
    );
    expect((error as BridgeError).hint).toMatch(/cccc-dingtalk set/);
    // A missing key points at its parent object.
    expect(() => parseConfig('{\n "version": 1,\n "bridges": [\n  {"id": "a", "groupId": "g", "appKeyEnv": "K"}\n ]\n}', 'config.json')).toThrow(
      /^config\.json line 4: bridges\[0\]\.appSecretEnv: /,
    );
    expect(() => parseConfig('{"version": 2, "bridges": []}', 'config.json')).toThrow(/line 1: version: /);
    expect(() => parseConfig(JSON.stringify({ version: 1, bridges: [profile(), profile()] }), 'config.json')).toThrow(/bridge id "default" is used twice/);
  });

  it('reads a damaged file as an error, never as an empty config', async () => {
    const file = join(dir, 'config.json');
    await writeFile(file, '{"version": 1, "bridges": [');
    await expect(readConfig(file)).rejects.toThrow('config.json line 1: not valid JSON (the file ends too early)');
  });

  it('picks the only bridge, or the named one, and explains otherwise', () => {
    const one = { version: 1 as const, bridges: [profile()] };
    expect(pickBridge(one, undefined, 'f').id).toBe('default');
    expect(() => pickBridge({ version: 1, bridges: [] }, undefined, 'f')).toThrow(/No bridge is configured/);
    const two = { version: 1 as const, bridges: [profile(), profile({ id: 'b' })] };
    expect(() => pickBridge(two, undefined, 'f')).toThrow(/2 bridges are configured/);
    expect(pickBridge(two, 'b', 'f').id).toBe('b');
    expect(() => pickBridge(two, 'zz', 'f')).toThrow(/No bridge "zz"/);
  });

  it('stores environment variable names only', async () => {
    const file = join(dir, 'config.json');
    await writeConfig(file, { version: 1, bridges: [profile()] });
    const text = await readFile(file, 'utf8');
    expect(text).toContain('"appSecretEnv": "DINGTALK_APP_SECRET"');
    expect(() => profile({ appSecretEnv: 'abc-secret-VALUE' })).toThrow(/NAME of an environment variable/);
  });
});

describe('resolveCredentials', () => {
  it('reads the named variables and names the missing ones', () => {
    const p = profile({ robotCodeEnv: 'DINGTALK_ROBOT_CODE' });
    expect(resolveCredentials(p, { DINGTALK_APP_KEY: 'k', DINGTALK_APP_SECRET: ' s ', DINGTALK_ROBOT_CODE: 'r' })).toEqual({
      credentials: { appKey: 'k', appSecret: 's', robotCode: 'r' },
      warnings: [],
    });
    const noRobot = resolveCredentials(p, { DINGTALK_APP_KEY: 'k', DINGTALK_APP_SECRET: 's' });
    expect(noRobot.credentials).toEqual({ appKey: 'k', appSecret: 's' });
    expect(noRobot.warnings[0]).toMatch(/DINGTALK_ROBOT_CODE is not set/);
    expect(() => resolveCredentials(p, { DINGTALK_APP_KEY: 'k' })).toThrow('DINGTALK_APP_SECRET is not set — export it before `cccc-dingtalk start`');
    expect(() => resolveCredentials(p, {}, 'cccc-dingtalk doctor')).toThrow(
      'DINGTALK_APP_KEY and DINGTALK_APP_SECRET are not set — export them before `cccc-dingtalk doctor`',
    );
  });
});
