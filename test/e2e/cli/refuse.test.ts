import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait';
import { isAlive, livePidsInLocks, startWorld, type World } from './helpers';

let w: World | undefined;
const extraHomes: string[] = [];
afterEach(async () => {
  await w?.close();
  w = undefined;
  for (const h of extraHomes.splice(0)) await rm(h, { recursive: true, force: true });
});

describe('cccc-dingtalk start refuses to run beside another bridge', () => {
  it('refuses a second instance for the same group or the same app, from any config folder', async () => {
    w = await startWorld();
    const world = w;
    expect((await world.configure()).code).toBe(0);
    const started = await world.cli(['start', '--detach']);
    expect(started.code).toBe(0);
    const pid = Number(/pid (\d+)/.exec(started.stdout)?.[1]);

    // The same bridge again.
    const again = await world.cli(['start', '--detach']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`Error: Bridge "default" is already running (pid ${pid})`);

    // Another config folder (another user setup, or the desktop app) for the same group.
    const other = await mkdtemp(join(tmpdir(), 'cli-other-'));
    extraHomes.push(other);
    const env = { CCCC_DINGTALK_HOME: other };
    expect(
      (await world.cli(['set', '--group', world.groupId, '--app-key-env', 'DINGTALK_APP_KEY', '--app-secret-env', 'DINGTALK_APP_SECRET'], { env })).code,
    ).toBe(0);
    const sameGroup = await world.cli(['start'], { env });
    expect(sameGroup.code).toBe(1);
    expect(sameGroup.stderr).toContain(
      `Error: Another cccc-dingtalk bridge ("default", pid ${pid}, user ${userInfo().username}; config home ${world.configHome}, CCCC home ${world.cccc.home}) already uses CCCC group ${world.groupId}`,
    );
    expect(sameGroup.stderr).toContain(`Stop it with \`CCCC_DINGTALK_HOME=${world.configHome} cccc-dingtalk stop --bridge default\``);

    // Same DingTalk app, another group.
    const group2 = await world.cccc.createGroup({ title: 'Second', actors: ['lead'] });
    expect((await world.cli(['set', '--group', group2], { env })).code).toBe(0);
    const sameApp = await world.cli(['start'], { env });
    expect(sameApp.code).toBe(1);
    expect(sameApp.stderr).toContain(`already uses this DingTalk app (it serves group ${world.groupId})`);

    const doctor = await world.cli(['doctor', '--json'], { env });
    expect(doctor.code).toBe(1);
    const instance = (JSON.parse(doctor.stdout) as { checks: { id: string; status: string; code?: string }[] }).checks.find((c) => c.id === 'instance');
    expect(instance).toMatchObject({ status: 'fail', code: 'bridge.other_instance_app' });

    // None of the refused attempts wrote into the running bridge's files, and it still runs.
    expect(isAlive(pid)).toBe(true);
    expect(await livePidsInLocks(world.cccc.home)).toEqual([pid]);
    expect((await world.cli(['stop'])).code).toBe(0);
  }, 40_000);

  it("refuses beside CCCC's own bridge for the group, saying how to stop it", async () => {
    w = await startWorld({
      cccc: { im: { platform: 'dingtalk', enabled: true, dingtalk_app_key_env: 'DINGTALK_APP_KEY', dingtalk_app_secret_env: 'DINGTALK_APP_SECRET' } },
    });
    expect((await w.configure()).code).toBe(0);
    const res = await w.cli(['start', '--detach']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Error: CCCC is set to start its own DingTalk bridge for this group (im.enabled is true in group.yaml).');
    expect(res.stderr).toContain(`cccc im stop --group ${w.groupId}`);
    expect(await livePidsInLocks(w.cccc.home)).toEqual([]);
  }, 30_000);

  it('names the missing environment variable, and reports rejected credentials from the detached child', async () => {
    w = await startWorld();
    expect((await w.configure()).code).toBe(0);
    const res = await w.cli(['start'], { env: { DINGTALK_APP_SECRET: '' } });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('Error: DINGTALK_APP_SECRET is not set — export it before `cccc-dingtalk start`');

    const bad = await w.cli(['start', '--detach'], { env: { DINGTALK_APP_SECRET: 'not-the-right-secret' } });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Error: Invalid AppKey/AppSecret');
    expect(bad.stderr).toContain('2. Check the environment variables are set correctly: DINGTALK_APP_KEY and DINGTALK_APP_SECRET');
    expect(bad.stderr).not.toContain('not-the-right-secret');
    // The child gave up and left nothing running or locked.
    await waitFor(async () => (await livePidsInLocks(w!.cccc.home)).length === 0, 'the refused child to exit', 5_000);
  }, 30_000);
});
