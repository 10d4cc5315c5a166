/**
 * `npm run demo` leaves nothing behind: Ctrl-C (SIGINT) stops every process it started and
 * removes its temporary folder; a crashed control UI ends the demo; a killed demo does not
 * orphan its control UI. And with a CCCC daemon already running, the demo uses it.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeCcccDaemon } from '../../../electron/sandbox/cccc/daemon';
import { waitFor } from '../../helpers/wait';
import { alive, descendants, runDemo, type RunningDemo } from './demo-process';

let home: string | undefined;
let demo: RunningDemo | undefined;
let daemon: FakeCcccDaemon | undefined;

afterEach(async () => {
  // A failed test must not leave its demo running either.
  if (demo?.child.exitCode === null) demo.child.kill('SIGKILL');
  if (demo?.info.servePid && alive(demo.info.servePid)) process.kill(demo.info.servePid, 'SIGKILL');
  demo = undefined;
  await daemon?.close();
  daemon = undefined;
  if (home) await rm(home, { recursive: true, force: true });
  home = undefined;
});

async function cleanEnv(): Promise<NodeJS.ProcessEnv> {
  home = await mkdtemp(join(tmpdir(), 'demo-exit-'));
  return { ...process.env, HOME: home, CCCC_HOME: join(home, 'cccc'), XDG_CONFIG_HOME: join(home, 'config'), PATH: '/usr/bin:/bin' };
}

const gone = async (path: string): Promise<boolean> =>
  stat(path).then(
    () => false,
    () => true,
  );

describe('npm run demo: lifecycle', () => {
  it('Ctrl-C stops the sandbox, the control UI and the bridge, and removes its folder', async () => {
    demo = await runDemo(['--cccc', 'demo'], await cleanEnv());
    const { info } = demo;
    expect(info.connected).toBe(true);
    const children = await descendants(demo.child.pid!);
    expect(children).toContain(info.servePid);
    expect((await fetch(info.chatUrl)).status).toBe(200);

    expect(await demo.interrupt()).toBe(0);
    expect(demo.stderr()).toContain('正在停止');
    await waitFor(() => children.every((pid) => !alive(pid)), 'every child of the demo to exit', 5_000);
    expect(await gone(info.workDir)).toBe(true);
    await expect(fetch(info.chatUrl)).rejects.toThrow();
  }, 50_000);

  it('uses a CCCC daemon that is already running, and leaves its home alone', async () => {
    const env = await cleanEnv();
    daemon = await FakeCcccDaemon.start({ home: env['CCCC_HOME'] });
    const groupId = await daemon.createGroup({ title: 'My project', actors: ['lead', 'helper'] });
    demo = await runDemo([], env);
    expect(demo.info.cccc).toMatchObject({ kind: 'real', groupId, groupTitle: 'My project', home: env['CCCC_HOME'] });
    expect(demo.info.connected).toBe(true);
    expect(await demo.interrupt()).toBe(0);
    expect(await gone(join(daemon.home, 'groups', groupId, 'group.yaml'))).toBe(false);
  }, 50_000);

  it('ends when its control UI process dies, and a killed demo does not orphan the control UI', async () => {
    const env = await cleanEnv();
    demo = await runDemo(['--cccc', 'demo'], env);
    process.kill(demo.info.servePid, 'SIGKILL');
    const crashed = demo.child;
    await waitFor(() => crashed.exitCode !== null, 'the demo to end by itself', 20_000);
    expect(crashed.exitCode).toBe(1);
    expect(demo.stderr()).toContain('exited unexpectedly');
    expect(await gone(demo.info.workDir)).toBe(true);

    demo = await runDemo(['--cccc', 'demo'], env);
    const servePid = demo.info.servePid;
    demo.child.kill('SIGKILL');
    await waitFor(() => !alive(servePid), 'the orphaned control UI to stop itself', 20_000);
    await rm(demo.info.workDir, { recursive: true, force: true });
  }, 55_000);
});
