/**
 * The desktop app's bridges from before one configuration: copied into config.json once, with
 * their folders; the old store and folders left as they were for an older version.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DESKTOP_STORE, importDesktopBridges } from '../../../electron/core/config/import-app-store';
import { bridgePaths } from '../../../electron/core/config/paths';
import { bridgeProfileSchema } from '../../../electron/core/config/profile';
import { ConfigStore } from '../../../electron/core/config/store';

let dir: string;
let oldHome: string;
let config: ConfigStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'import-app-'));
  oldHome = join(dir, 'userData');
  config = new ConfigStore(join(dir, 'config'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const OLD = [
  { id: 'demo-project-3fa2c1', name: 'Demo project', groupId: 'g_1', appKey: 'dingabc', robotCode: 'robot', autoStart: true, createdAt: 1 },
  { id: 'env-bridge-a1b2c3', name: 'Env', groupId: 'g_2', appKey: 'dingenv', secretEnv: 'MY_DT_SECRET', settings: { maxFileMb: 5 } },
];

describe('importDesktopBridges', () => {
  it('copies the profiles (secrets stay in the vault) and the bridge folders once; the old store and folders stay', async () => {
    const state = bridgePaths(oldHome, OLD[0]!.id).state;
    await mkdir(state, { recursive: true });
    await writeFile(join(state, 'chats.json'), '{"chats":{}}');
    const storeFile = join(oldHome, 'cccc-dingtalk-bridge.json');

    const result = await importDesktopBridges({ config, profiles: OLD, storeFile, oldHome });
    expect(result).toEqual({ added: OLD.map((p) => p.id), skipped: [] });
    const read = await config.read();
    expect(read.imported).toEqual([DESKTOP_STORE]);
    expect(read.bridges).toEqual([
      expect.objectContaining({ id: OLD[0]!.id, name: 'Demo project', appKey: 'dingabc', robotCode: 'robot', autoStart: true, secret: { from: 'keychain' } }),
      expect.objectContaining({ id: OLD[1]!.id, secret: { from: 'env', name: 'MY_DT_SECRET' }, settings: expect.objectContaining({ maxFileMb: 5 }) }),
    ]);
    expect(await readFile(join(bridgePaths(config.configHome, OLD[0]!.id).state, 'chats.json'), 'utf8')).toBe('{"chats":{}}');
    expect(await readFile(join(state, 'chats.json'), 'utf8')).toBe('{"chats":{}}');

    // Once: a bridge deleted since does not come back on the next start.
    await config.update((c) => void (c.bridges = []));
    expect(await importDesktopBridges({ config, profiles: OLD, storeFile, oldHome })).toEqual({ added: [], skipped: [] });
    expect((await config.read()).bridges).toEqual([]);
  });

  it('leaves out a bridge whose id config.json has already, and names a damaged store', async () => {
    await config.update((c) => {
      c.bridges.push(bridgeProfileSchema.parse({ id: OLD[0]!.id, name: 'CLI', groupId: 'g_9', appKeyEnv: 'K', secret: { from: 'env', name: 'S' } }));
    });
    expect(await importDesktopBridges({ config, profiles: OLD, storeFile: 'x.json', oldHome })).toEqual({ added: [OLD[1]!.id], skipped: [OLD[0]!.id] });
    expect((await config.read()).bridges.find((b) => b.id === OLD[0]!.id)?.name).toBe('CLI');

    const other = new ConfigStore(join(dir, 'other'));
    await expect(
      importDesktopBridges({ config: other, profiles: [{ ...OLD[0], settings: { maxFileMb: 'big' } }], storeFile: '/u/cccc-dingtalk-bridge.json', oldHome }),
    ).rejects.toMatchObject({ code: 'config.invalid', message: expect.stringMatching(/^cccc-dingtalk-bridge\.json: profiles\[0\]\.settings\.maxFileMb: /) });
    expect((await other.read()).imported).toEqual([]);
  });
});
