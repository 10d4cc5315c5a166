import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveCredentials } from '../../../electron/core/config/credentials';
import { bridgePaths, configFilePath, resolveConfigHome } from '../../../electron/core/config/paths';
import { bridgeProfileSchema, servedGroups, servesSeveral, type BridgeProfile, type ConfigFile } from '../../../electron/core/config/profile';
import { ConfigStore, parseConfig, pickBridge, SERVE_PROFILES } from '../../../electron/core/config/store';
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
  bridgeProfileSchema.parse({
    id: 'default',
    name: 'default',
    groupId: 'g_1',
    appKeyEnv: 'DINGTALK_APP_KEY',
    secret: { from: 'env', name: 'DINGTALK_APP_SECRET' },
    ...over,
  });

const V1 = [
  '{',
  '  "version": 1,',
  '  "bridges": [',
  '    {',
  '      "id": "default",',
  '      "groupId": "g_1",',
  '      "appKeyEnv": "DINGTALK_APP_KEY",',
  '      "appSecretEnv": "DINGTALK_APP_SECRET",',
  '      "robotCodeEnv": "DINGTALK_ROBOT_CODE",',
  '      "settings": { "maxFileMb": 5 }',
  '    }',
  '  ]',
  '}',
  '',
].join('\n');

function thrown(fn: () => unknown): BridgeError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BridgeError);
    return e as BridgeError;
  }
  throw new Error('did not throw');
}

describe('config.json (ConfigStore)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cfg-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('round-trips atomically, only for this user, with settings defaults filled; an absent file is an empty config', async () => {
    const home = join(dir, 'sub');
    const store = new ConfigStore(home);
    expect(await store.read()).toEqual({ version: 2, bridges: [], imported: [] });
    await store.update((c) => void c.bridges.push(profile({ robotCodeEnv: 'DINGTALK_ROBOT_CODE' })));
    const back = await new ConfigStore(home).read();
    expect(back.bridges[0]).toMatchObject({
      id: 'default',
      robotCodeEnv: 'DINGTALK_ROBOT_CODE',
      secret: { from: 'env', name: 'DINGTALK_APP_SECRET' },
      settings: { replyLanguage: 'zh', maxFileMb: 20, access: { mode: 'everyone' } },
    });
    // No temporary sibling left; the lock folder is the only other thing.
    expect((await readdir(home)).sort()).toEqual(['config.json', 'config.lock']);
    expect((await stat(store.file)).mode & 0o777).toBe(0o600);
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    // Two profiles never share a settings object (the engine updates settings in place).
    const [a, b] = [profile(), profile({ id: 'other' })];
    a.settings.maxFileMb = 1;
    expect(b.settings.maxFileMb).toBe(20);
  });

  it('stores where the secret is, never a secret: a variable name, the keychain, or the secrets file', async () => {
    const store = new ConfigStore(dir);
    await store.update((c) => {
      c.bridges.push(profile(), profile({ id: 'app', appKeyEnv: undefined, appKey: 'dingabc', secret: { from: 'keychain' } }));
    });
    const text = await readFile(store.file, 'utf8');
    expect(text).toContain('"name": "DINGTALK_APP_SECRET"');
    expect(text).toContain('"from": "keychain"');
    expect(() => profile({ secret: { from: 'env', name: 'abc-secret-VALUE' } })).toThrow(/NAME of an environment variable/);
    expect(() => profile({ appKey: 'dingabc' })).toThrow(/one of them/);
    expect(() => profile({ appKeyEnv: undefined })).toThrow(/one of them/);
  });

  it('migrates a version-1 file on first read, keeps the original as config.v1.json, and never overwrites that copy', async () => {
    const store = new ConfigStore(dir);
    await writeFile(store.file, V1);
    const config = await store.read();
    expect(config.bridges).toEqual([
      expect.objectContaining({
        id: 'default',
        name: 'default',
        appKeyEnv: 'DINGTALK_APP_KEY',
        robotCodeEnv: 'DINGTALK_ROBOT_CODE',
        secret: { from: 'env', name: 'DINGTALK_APP_SECRET' },
        settings: expect.objectContaining({ maxFileMb: 5 }),
      }),
    ]);
    expect(JSON.parse(await readFile(store.file, 'utf8'))).toMatchObject({ version: 2, bridges: [{ id: 'default' }] });
    expect(await readFile(join(dir, 'config.v1.json'), 'utf8')).toBe(V1);
    // A later version-1 file (a downgrade wrote it) is migrated again; the first original stays.
    await writeFile(store.file, V1.replace('"g_1"', '"g_2"'));
    expect((await store.read()).bridges[0]?.groupId).toBe('g_2');
    expect(await readFile(join(dir, 'config.v1.json'), 'utf8')).toBe(V1);
  });

  it('copies the bridges serve kept in app-profiles.json once, and leaves that file as it was', async () => {
    const legacy = JSON.stringify({
      version: 1,
      bridges: [
        { id: 'web-1', name: 'Web', groupId: 'g_1', appKey: 'dingweb', robotCode: 'robot', autoStart: true },
        { id: 'web-2', name: 'Env', groupId: 'g_2', appKey: 'dingenv', secretEnv: 'MY_DT_SECRET' },
      ],
    });
    await writeFile(join(dir, SERVE_PROFILES), legacy);
    const store = new ConfigStore(dir);
    const config = await store.read();
    expect(config.imported).toEqual([SERVE_PROFILES]);
    expect(config.bridges).toEqual([
      expect.objectContaining({ id: 'web-1', name: 'Web', appKey: 'dingweb', robotCode: 'robot', autoStart: true, secret: { from: 'file' } }),
      expect.objectContaining({ id: 'web-2', appKey: 'dingenv', secret: { from: 'env', name: 'MY_DT_SECRET' } }),
    ]);
    expect(await readFile(join(dir, SERVE_PROFILES), 'utf8')).toBe(legacy);
    // Deleted since: not brought back by the next reader.
    await store.update((c) => void (c.bridges = c.bridges.filter((b) => b.id !== 'web-1')));
    expect((await new ConfigStore(dir).read()).bridges.map((b) => b.id)).toEqual(['web-2']);
  });

  it('refuses a damaged file, naming the file and the line, and never writes over it', async () => {
    const store = new ConfigStore(dir);
    await writeFile(store.file, '{"version": 2, "bridges": [');
    await expect(store.read()).rejects.toThrow('config.json line 1: not valid JSON (the file ends too early)');
    await expect(store.update((c) => void c.bridges.push(profile()))).rejects.toMatchObject({ code: 'config.invalid', details: { file: store.file } });
    expect(await readFile(store.file, 'utf8')).toBe('{"version": 2, "bridges": [');
  });

  it('says which line is wrong, for JSON syntax and for schema problems, in every version', () => {
    expect(() => parseConfig('{\n  "version": 2,\n  "bridges": [,]\n}', '/c/config.json')).toThrow("config.json line 3: not valid JSON (Unexpected token ',')");
    const bad = thrown(() => parseConfig(V1.replace('"DINGTALK_APP_SECRET"', '"my-Secret-value"'), '/c/config.json'));
    expect(bad.message).toBe(
      'config.json line 8: bridges[0].appSecretEnv: must be the NAME of an environment variable (e.g. DINGTALK_APP_SECRET), not its value',
    );
    expect(bad.hint).toMatch(/cccc-dingtalk set/);
    const v2 = JSON.stringify({ version: 2, bridges: [{ ...profile(), secret: { from: 'vault' } }] }, null, 2);
    expect(() => parseConfig(v2, 'config.json')).toThrow(/^config\.json line \d+: bridges\[0\]\.secret\.from: /);
    // A missing key points at its parent object.
    expect(() => parseConfig('{\n "version": 2,\n "bridges": [\n  {"id": "a", "name": "a", "groupId": "g", "appKeyEnv": "K"}\n ]\n}', 'config.json')).toThrow(
      /^config\.json line 4: bridges\[0\]\.secret: /,
    );
    const newer = thrown(() => parseConfig('{\n  "version": 3,\n  "bridges": []\n}', 'config.json'));
    expect(newer.code).toBe('config.too_new');
    expect(newer.message).toBe('config.json line 2: version: written by a newer cccc-dingtalk (version 3); this one reads versions 1–2');
    expect(() => parseConfig(JSON.stringify({ version: 2, bridges: [profile(), profile()] }), 'config.json')).toThrow(/bridge id "default" is used twice/);
  });

  it('keeps every change of concurrent writers in one process, and saves nothing of a change that throws', async () => {
    const store = new ConfigStore(dir);
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.update((c) => void c.bridges.push(profile({ id: `b${i}` })))));
    expect((await store.read()).bridges).toHaveLength(20);
    await expect(
      store.update((c) => {
        c.bridges = [];
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await store.read()).bridges).toHaveLength(20);
  });
});

describe('pickBridge', () => {
  const config = (...bridges: BridgeProfile[]): ConfigFile => ({ version: 2, bridges, imported: [] });

  it('picks the only bridge, or the one named by id or name, and explains otherwise', () => {
    expect(pickBridge(config(profile()), undefined, 'f').id).toBe('default');
    expect(() => pickBridge(config(), undefined, 'f')).toThrow(/No bridge is configured/);
    const two = config(profile(), profile({ id: 'b', name: 'Demo project' }));
    expect(thrown(() => pickBridge(two, undefined, 'f')).hint).toBe('Pick one with --bridge (default, b ("Demo project")).');
    expect(pickBridge(two, 'b', 'f').id).toBe('b');
    expect(pickBridge(two, 'Demo project', 'f').id).toBe('b');
    expect(() => pickBridge(two, 'zz', 'f')).toThrow(/No bridge "zz"/);
    const twins = config(profile({ id: 'x', name: 'Same' }), profile({ id: 'y', name: 'Same' }));
    expect(thrown(() => pickBridge(twins, 'Same', 'f'))).toMatchObject({ code: 'config.ambiguous_bridge', hint: 'Name it by its id: x, y.' });
  });

  it('explains in 中文 for a Chinese CLI, with the same codes', () => {
    const two = config(profile(), profile({ id: 'b', name: 'Demo project' }));
    expect(thrown(() => pickBridge(two, undefined, 'f', 'zh'))).toMatchObject({
      code: 'config.several_bridges',
      message: '已配置了 2 个桥接',
      hint: '请用 --bridge 选择一个（default、b ("Demo project")）。',
    });
    expect(thrown(() => pickBridge(two, 'zz', '/x/config.json', 'zh'))).toMatchObject({
      code: 'config.unknown_bridge',
      message: 'config.json 中没有桥接 "zz"',
    });
    expect(thrown(() => pickBridge(config(), undefined, 'f', 'zh'))).toMatchObject({ code: 'config.no_bridge', message: '还没有配置任何桥接' });
  });
});

describe('resolveCredentials (the CLI)', () => {
  const none = async () => undefined;

  it('reads the named variables and names the missing ones', async () => {
    const p = profile({ robotCodeEnv: 'DINGTALK_ROBOT_CODE' });
    const env = { DINGTALK_APP_KEY: 'k', DINGTALK_APP_SECRET: ' s ', DINGTALK_ROBOT_CODE: 'r' };
    expect(await resolveCredentials(p, { env, fileSecret: none })).toEqual({ credentials: { appKey: 'k', appSecret: 's', robotCode: 'r' }, warnings: [] });
    const noRobot = await resolveCredentials(p, { env: { DINGTALK_APP_KEY: 'k', DINGTALK_APP_SECRET: 's' }, fileSecret: none });
    expect(noRobot.credentials).toEqual({ appKey: 'k', appSecret: 's' });
    expect(noRobot.warnings[0]).toMatch(/DINGTALK_ROBOT_CODE is not set/);
    await expect(resolveCredentials(p, { env: { DINGTALK_APP_KEY: 'k' }, fileSecret: none })).rejects.toThrow(
      'DINGTALK_APP_SECRET is not set — export it before `cccc-dingtalk start`',
    );
    await expect(resolveCredentials(p, { env: {}, fileSecret: none, command: 'cccc-dingtalk doctor' })).rejects.toThrow(
      'DINGTALK_APP_KEY and DINGTALK_APP_SECRET are not set — export them before `cccc-dingtalk doctor`',
    );
  });

  it('uses values the profile holds and the secrets file; a keychain secret is refused with the way on', async () => {
    const app = profile({ id: 'demo-1', name: 'Demo', appKeyEnv: undefined, appKey: 'dingabc', robotCode: 'robot', secret: { from: 'file' } });
    expect((await resolveCredentials(app, { env: {}, fileSecret: async (id) => (id === 'demo-1' ? 'typed' : undefined) })).credentials).toEqual({
      appKey: 'dingabc',
      appSecret: 'typed',
      robotCode: 'robot',
    });
    await expect(resolveCredentials(app, { env: {}, fileSecret: none })).rejects.toMatchObject({ code: 'config.secret_missing' });
    const keychain = { ...app, secret: { from: 'keychain' as const } };
    await expect(resolveCredentials(keychain, { env: {}, fileSecret: none })).rejects.toMatchObject({
      code: 'config.secret_elsewhere',
      message: `The AppSecret of "Demo" is kept by the desktop app (in the system's keychain); it cannot be read here`,
      hint: 'Start it in the desktop app, or name a variable that holds the AppSecret: `cccc-dingtalk set demo-1 --app-secret-env VAR`.',
    });
  });
});

describe('one DingTalk app, several CCCC groups (servedGroups)', () => {
  it('a profile of today serves its one group; more groups or every group are named beside it, each once', () => {
    expect(servedGroups(profile())).toEqual({ ids: ['g_1'], all: false });
    expect(servesSeveral(profile())).toBe(false);
    const two = profile({ moreGroupIds: ['g_2'] });
    expect(servedGroups(two)).toEqual({ ids: ['g_1', 'g_2'], all: false });
    expect(servesSeveral(two)).toBe(true);
    expect(servedGroups(profile({ allGroups: true }))).toEqual({ ids: ['g_1'], all: true });
    expect(servesSeveral(profile({ allGroups: true }))).toBe(true);
    const twice = bridgeProfileSchema.safeParse({ ...profile(), moreGroupIds: ['g_2', 'g_1'] });
    expect(twice.success).toBe(false);
    expect(twice.error?.issues[0]?.message).toBe('group "g_1" is named twice');
  });

  it('a version-2 file written before groups could be several still reads, unchanged', () => {
    const text = JSON.stringify({ version: 2, bridges: [{ ...profile(), moreGroupIds: undefined }] });
    const config = parseConfig(text, '/h/config.json');
    expect(config.bridges[0]).not.toHaveProperty('moreGroupIds');
    expect(servedGroups(config.bridges[0]!)).toEqual({ ids: ['g_1'], all: false });
  });
});
