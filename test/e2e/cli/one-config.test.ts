/**
 * One configuration, from the CLI: `set <bridge>` edits a bridge by id or name and changes only
 * what it is given, a move to another group or app says what happens to the subscriptions, and a
 * bridge made in the desktop app (its secret in the app's keychain) shows in `status`, with the
 * way to run it here.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bridgeProfileSchema } from '../../../electron/core/config/profile';
import { ConfigStore } from '../../../electron/core/config/store';
import { startWorld, type World } from './helpers';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

async function bridges(world: World): Promise<Record<string, unknown>[]> {
  return (JSON.parse(await readFile(join(world.configHome, 'config.json'), 'utf8')) as { bridges: Record<string, unknown>[] }).bridges;
}

describe('cccc-dingtalk set <bridge>: editing', () => {
  it('changes only what it is given, by id or name; a new group or app says what happens to the subscriptions', async () => {
    w = await startWorld();
    const world = w;
    expect((await world.configure(['--max-file-mb', '7'])).code).toBe(0);
    const [before] = await bridges(world);

    const named = await world.cli(['set', 'default', '--name', 'Build bot']);
    expect(named.stderr).toBe('');
    expect(named.stdout).toContain('Updated bridge "default"');
    expect(named.stdout).toContain('  Name:        Build bot');
    expect(await bridges(world)).toEqual([{ ...before, name: 'Build bot' }]);

    // By its name now; a typed Client ID replaces the variable, the secret's variable stays.
    const appKey = world.env['DINGTALK_APP_KEY']!;
    const typed = await world.cli(['set', 'Build bot', '--client-id', appKey]);
    expect(typed.stdout).toContain(`  Client ID:   ${appKey}`);
    expect(typed.stdout).toContain('  AppSecret:   from $DINGTALK_APP_SECRET');
    const [after] = await bridges(world);
    expect(after).toEqual({ ...before, name: 'Build bot', appKey, appKeyEnv: undefined, settings: before!['settings'] });
    expect(after).not.toHaveProperty('appKeyEnv');

    // Two chats subscribed in the group; one of them is subscribed in the other group too.
    const other = await world.cccc.createGroup({ title: 'Other project', actors: ['boss'] });
    for (const chat of ['cidGroupA==', 'cidGroupB==']) await world.cccc.imFiles().bind(await world.cccc.addPendingKey(chat, { platform: 'dingtalk' }));
    await world.cccc.imFiles(other).bind(await world.cccc.addPendingKey('cidGroupB==', { group: other, platform: 'dingtalk' }));
    const moved = await world.cli(['set', 'Build bot', '--group', other]);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain(`Subscriptions belong to the CCCC group: the bridge now serves the chats subscribed in ${other} ("Other project").`);
    expect(moved.stdout).toContain(
      `1 chat of the 2 subscribed in ${world.groupId} ("Demo project") is subscribed in ${other} ("Other project") too and keeps getting messages.`,
    );
    expect(moved.stdout).toContain('The other 1 chat must send /subscribe again (and be approved)');
    expect((await bridges(world))[0]).toMatchObject({ groupId: other, name: 'Build bot', appKey });

    const app = await world.cli(['set', 'Build bot', '--client-id', 'ding-another-app']);
    expect(app.stdout).toContain('The DingTalk app changes: the 1 chat subscribed stay subscribed in CCCC');
    expect(app.stdout).toContain('Add the new robot to each subscribed group chat');

    const both = await world.cli(['set', 'Build bot', '--client-id', 'x', '--app-key-env', 'DINGTALK_APP_KEY']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('Give --client-id or --app-key-env, not both');
    const twice = await world.cli(['set', 'Build bot', '--bridge', 'default']);
    expect(twice.stderr).toContain('Name the bridge once');
  });

  it('says what is wrong with an option in the locale’s language, and changes nothing', async () => {
    w = await startWorld();
    const world = w;
    const zh = { env: { LANG: 'zh_CN.UTF-8' } };
    const missing = await world.cli(['set', 'new-one'], zh);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      'Error: 新建桥接需要 --group、--client-id（或 --app-key-env）、--app-secret-env\n  → 例如：cccc-dingtalk set --group g_xxx',
    );
    expect((await world.cli(['set', 'new-one'])).stderr).toContain('Error: A new bridge needs --group, --client-id (or --app-key-env), --app-secret-env');
    // A secret pasted where its variable's name belongs is not echoed, in either language.
    const pasted = await world.cli(['set', '--group', world.groupId, '--app-key-env', 'DINGTALK_APP_KEY', '--app-secret-env', world.appSecret], zh);
    expect(pasted.stderr).toBe(
      'Error: --app-secret-env 要写环境变量的名字（例如 DINGTALK_APP_SECRET），而不是变量的值\n  → 变量名只能由大写字母、数字和 "_" 组成。请用这个名字 export 变量的值。\n',
    );

    expect((await world.configure()).code).toBe(0);
    const [before] = await bridges(world);
    const refusals: Array<[args: string[], zh: string, en: string]> = [
      [['--lang', 'fr'], '--lang 只能是 zh 或 en', '--lang must be zh or en'],
      [['--client-id', 'x', '--app-key-env', 'DINGTALK_APP_KEY'], '--client-id 和 --app-key-env 只能给一个', 'Give --client-id or --app-key-env, not both'],
      [['--robot-code', ' '], '--robot-code 不能为空', '--robot-code needs a value'],
      [['--name', 'x'.repeat(81)], '--name 须为 1 到 80 个字符', '--name takes 1 to 80 characters'],
      [['--group', world.groupId, '--group', world.groupId], '--group：每个 CCCC 工作组只写一次', '--group names each CCCC group once'],
      [['--max-file-mb', '0'], '--max-file-mb 必须是 0 到 1024 之间的数（单位 MB）', '--max-file-mb must be a number of megabytes between 0 and 1024'],
      [['--api-budget', 'lots'], '--api-budget 必须是每月调用次数（不小于 1 的整数），或者 "none"', '--api-budget must be a whole number of calls a month'],
      [['a bridge'], '没有叫 "a bridge" 的桥接，这个名字也不能用来新建桥接', '"a bridge" is no bridge, and cannot name a new one'],
    ];
    for (const [args, inChinese, inEnglish] of refusals) {
      const refused = await world.cli(['set', ...args], zh);
      expect(refused.code, args.join(' ')).toBe(1);
      expect(refused.stderr).toContain(`Error: ${inChinese}`);
      expect((await world.cli(['set', ...args])).stderr).toContain(`Error: ${inEnglish}`);
    }
    expect(await bridges(world)).toEqual([before]);
    // The bridge a command names, too.
    expect((await world.cli(['status', '--bridge', 'nope'], zh)).stderr).toBe('Error: config.json 中没有桥接 "nope"\n  → 已配置的桥接：default。\n');
  }, 60_000);

  it('a bridge made in the desktop app: status shows it and where its secret is; with a variable named, the CLI runs it', async () => {
    w = await startWorld();
    const world = w;
    const appKey = world.env['DINGTALK_APP_KEY']!;
    // As the app saves it: values for the Client ID, the secret in its keychain.
    await new ConfigStore(world.configHome, { host: 'app' }).update((c) => {
      c.bridges.push(
        bridgeProfileSchema.parse({
          id: 'desk-bridge-3fa2c1',
          name: 'Desk bridge',
          groupId: world.groupId,
          appKey,
          secret: { from: 'keychain' },
          autoStart: true,
        }),
      );
    });

    const status = await world.cli(['status']);
    expect(status.code).toBe(3);
    expect(status.stdout).toContain('Bridge "desk-bridge-3fa2c1" (Desk bridge): not running');
    expect(status.stdout).toContain(
      "  AppSecret:   kept by the desktop app (in the system's keychain) — start it there, or `cccc-dingtalk set desk-bridge-3fa2c1 --app-secret-env VAR`",
    );
    expect(status.stdout).toContain('Start it in the desktop app.');

    const refused = await world.cli(['start', '--detach', '--bridge', 'Desk bridge']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`The AppSecret of "Desk bridge" is kept by the desktop app (in the system's keychain); it cannot be read here`);
    expect(refused.stderr).toContain('`cccc-dingtalk set desk-bridge-3fa2c1 --app-secret-env VAR`');

    expect((await world.cli(['set', 'Desk bridge', '--app-secret-env', 'DINGTALK_APP_SECRET'])).code).toBe(0);
    expect((await bridges(world))[0]).toMatchObject({ name: 'Desk bridge', appKey, autoStart: true, secret: { from: 'env', name: 'DINGTALK_APP_SECRET' } });
    const start = await world.cli(['start', '--detach', '--bridge', 'Desk bridge']);
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    const running = await world.cli(['status', '--json']);
    expect(JSON.parse(running.stdout)).toMatchObject({ bridge: 'desk-bridge-3fa2c1', name: 'Desk bridge', running: true, secret: { from: 'env' } });
    expect((await world.cli(['stop'])).code).toBe(0);
  });

  it('a damaged config.json: status, set and serve refuse, naming the file and the line, and leave it as it was', async () => {
    w = await startWorld();
    const world = w;
    const file = join(world.configHome, 'config.json');
    const damaged = '{\n  "version": 2,\n  "bridges": [\n    { "id": "default", }\n  ]\n}\n';
    await writeFile(file, damaged);
    for (const args of [['status'], ['set', '--name', 'x'], ['serve', '--json']]) {
      const r = await world.cli(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain('config.json line 4: not valid JSON');
      expect(r.stderr).toContain(`Fix ${file} by hand`);
    }
    expect(await readFile(file, 'utf8')).toBe(damaged);
  });
});
