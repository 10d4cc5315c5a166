import { spawn, type ChildProcess } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../helpers/wait';
import { BIN, livePidsInLocks, ROOT, startWorld, type World } from './helpers';

let w: World | undefined;
/** Every process this file starts, so that a failing test still leaves none behind. */
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      await gone;
    }
  }
  await w?.close();
  w = undefined;
});

/** `start` in the foreground, as a person in a terminal would run it. */
function foreground(world: World, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: ROOT, env: { ...world.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('cccc-dingtalk start in the foreground', () => {
  it('stops cleanly on Ctrl-C in the foreground, and takes over the lock a killed instance left', async () => {
    w = await startWorld();
    const world = w;
    expect((await world.configure()).code).toBe(0);

    const first = foreground(world);
    await waitFor(() => first.stderr().includes('Stream connected'), 'foreground bridge connected', 10_000);
    expect(first.stderr()).toMatch(/INFO +cli\.bridge\.stream +Stream connected/);
    // `logs -f` follows the file while the bridge writes to it.
    const follow = spawn(process.execPath, [BIN, 'logs', '-f', '-n', '50'], { cwd: ROOT, env: world.env, stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(follow);
    let followed = '';
    follow.stdout.on('data', (d: Buffer) => (followed += d.toString()));
    const followExit = new Promise<number | null>((resolve) => follow.once('exit', (code) => resolve(code)));
    // Ready once it has shown the lines already there (its start-up takes a while on a busy machine).
    await waitFor(() => followed.includes('Stream connected'), 'logs -f following', 15_000);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    await waitFor(() => followed.includes('Stopping (SIGINT)') && followed.includes('Stopped'), 'logs -f to show the stop', 5_000);
    follow.kill('SIGINT');
    expect(await followExit).toBe(0);
    expect(first.stderr()).toContain('Stopped');
    expect(await livePidsInLocks(world.cccc.home)).toEqual([]);

    const crashed = foreground(world);
    await waitFor(() => crashed.stderr().includes('Stream connected'), 'second bridge connected', 10_000);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    // Its lock files still name it; a new start sees the pid is dead and takes over.
    const locks = await readdir(join(world.cccc.home, 'locks', 'cccc-dingtalk'));
    expect(locks).toHaveLength(2);
    const restarted = await world.cli(['start', '--detach']);
    expect(restarted.stderr).toBe('');
    expect(restarted.code).toBe(0);
    expect((await world.cli(['stop'])).code).toBe(0);
    expect(await livePidsInLocks(world.cccc.home)).toEqual([]);
  }, 40_000);
});
