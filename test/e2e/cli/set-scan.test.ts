/**
 * `cccc-dingtalk set --scan` as a process against the fake DingTalk in this test process (always
 * an async child: the fake must keep answering): the QR code in the terminal, the secret printed
 * once for its variable and then usable, the profile written; a refusal, an expiry and Ctrl-C
 * change nothing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait';
import { spawnCli, startWorld, type RunningCli, type World } from './helpers';

let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** The CLI running, its output readable while it runs. */
const start = (world: World, args: string[], env: NodeJS.ProcessEnv = {}): RunningCli => spawnCli(args, { ...world.env, ...env }, 30_000);

const configFile = (world: World): Promise<string> => readFile(join(world.configHome, 'config.json'), 'utf8').catch(() => '');

describe('cccc-dingtalk set --scan', () => {
  it('prints the QR code, then the new app’s secret once as export lines, and writes the profile', async () => {
    w = await startWorld({ dingtalk: { registration: { intervalSeconds: 1 } } });
    const world = w;
    // A shell without the usual variables: the scan is what fills them.
    const run = start(world, ['set', '--scan', '--group', world.groupId, '--app-secret-env', 'TEAM_DT_SECRET'], {
      DINGTALK_APP_KEY: '',
      DINGTALK_APP_SECRET: '',
      LANG: 'en_US.UTF-8',
    });
    const url = (await waitFor(() => /https?:\/\/\S+\/registration\/verify\?user_code=\S+/.exec(run.stdout())?.[0], 'the address to scan', 10_000)) as string;
    // The QR code: block characters, in the terminal.
    expect(run.stdout()).toMatch(/[▀▄█]{6}/);
    expect(run.stdout()).toContain('Scan this QR code with DingTalk');
    // The admin scans it and approves, on DingTalk's page.
    const page = await fetch(url);
    expect(await page.text()).toContain('CCCC_DINGTALK');
    const code = new URL(url).searchParams.get('user_code')!;
    await fetch(new URL('/registration/scan', world.dt.apiBase), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user_code: code, action: 'approve' }).toString(),
    });
    const result = await run.done;
    expect(result.code).toBe(0);
    const app = world.dt.apps.find((a) => a.appKey === world.dt.registrations()[0]?.appKey)!;
    expect(result.stdout).toContain(`DingTalk created the app ${app.appKey}`);
    expect(result.stdout).toContain(`  export DINGTALK_APP_KEY=${app.appKey}\n`);
    expect(result.stdout).toContain(`  export TEAM_DT_SECRET=${app.appSecret}\n`);
    // Once: nowhere else in what it printed.
    expect(result.stdout.split(app.appSecret)).toHaveLength(2);
    expect(result.stderr).not.toContain(app.appSecret);
    expect(result.stdout).toContain('--app-key-env DINGTALK_APP_KEY --app-secret-env TEAM_DT_SECRET');
    expect(result.stdout).toContain(`Configured bridge "default"`);

    const config = await configFile(world);
    expect(config).not.toContain(app.appSecret);
    expect(JSON.parse(config)).toMatchObject({
      bridges: [{ id: 'default', groupId: world.groupId, appKeyEnv: 'DINGTALK_APP_KEY', secret: { from: 'env', name: 'TEAM_DT_SECRET' } }],
    });
    // Exported as printed, the credentials work.
    const doctor = await world.cli(['doctor', '--json'], { env: { DINGTALK_APP_KEY: app.appKey, TEAM_DT_SECRET: app.appSecret } });
    const checks = (JSON.parse(doctor.stdout) as { checks: { id: string; status: string }[] }).checks;
    expect(checks.find((c) => c.id === 'credentials')?.status).toBe('ok');
    expect(checks.find((c) => c.id === 'stream')?.status).toBe('ok');
  }, 60_000);

  it('refused (in Chinese): says so, names the manual way, and writes nothing', async () => {
    w = await startWorld({ dingtalk: { registration: { refuse: { errcode: 400104, errmsg: '该来源暂不支持应用注册' } } } });
    const result = await w.cli(['set', '--scan', '--group', w.groupId], { env: { LANG: 'zh_CN.UTF-8' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('钉钉在这里不支持扫码创建应用。');
    expect(result.stderr).toContain('errcode 400104');
    expect(result.stderr).toContain('手动创建应用');
    expect(await configFile(w)).toBe('');
  }, 30_000);

  it('expired: says so and how to get a new code; Ctrl-C cancels; neither writes anything', async () => {
    w = await startWorld({ dingtalk: { registration: { intervalSeconds: 1 } } });
    const world = w;
    const expired = start(world, ['set', '--scan', '--group', world.groupId], { LANG: 'en_US.UTF-8' });
    await waitFor(() => world.dt.registrations()[0], 'a code', 10_000);
    world.dt.expireRegistration();
    const result = await expired.done;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('The QR code expired before it was scanned.');
    expect(result.stderr).toContain('cccc-dingtalk set --scan` again');

    const interrupted = start(world, ['set', '--scan', '--group', world.groupId], { LANG: 'en_US.UTF-8' });
    await waitFor(() => interrupted.stdout().includes('Ctrl-C cancels'), 'the wait', 10_000);
    interrupted.child.kill('SIGINT');
    const cancelled = await interrupted.done;
    expect(cancelled.code).toBe(130);
    expect(cancelled.stderr).toContain('Scan cancelled');
    expect(await configFile(world)).toBe('');
  }, 30_000);

  it('a new bridge still needs its group: asked before any scan', async () => {
    w = await startWorld();
    const result = await w.cli(['set', '--scan']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('A new bridge needs --group');
    expect(w.dt.registrations()).toEqual([]);
  });
});
