/**
 * The machine-wide app lock: seen by every instance whatever its CCCC home, config folder or
 * OS user; safe in a folder every user can write.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireInstanceLocks, appHolder, type GuardTarget } from '../../../electron/core/config/guards';
import { groupLockDir, InstanceLock, lockHolder, machineAppLockDir } from '../../../electron/core/config/instance-lock';

const posix = process.platform !== 'win32';
const API = 'https://api.dingtalk.com';
let root: string;
let homes: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mlock-'));
  homes = await mkdtemp(join(tmpdir(), 'mlock-homes-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(homes, { recursive: true, force: true });
});

const target = (name: string): GuardTarget => ({
  bridgeId: 'default',
  groupId: `g_${name}`,
  ccccHome: join(homes, `cccc-${name}`),
  configHome: join(homes, `cfg-${name}`),
  apiBase: API,
  machineLocks: join(root, 'locks'),
});

describe('machine-wide app lock', () => {
  it('refuses a bridge from another CCCC home and config folder, naming the pid, user and homes of the holder', async () => {
    // Our parent process plays a bridge another user started from other homes.
    const held = await InstanceLock.acquire(
      machineAppLockDir(join(root, 'locks'), API, 'appkey-1'),
      { bridgeId: 'default', groupId: 'g_b', configHome: '/home/bob/.cccc-dingtalk', ccccHome: '/home/bob/.cccc', user: 'bob-other-user', startedAt: 1 },
      { pid: process.ppid, shared: true },
    );
    expect(held.ok).toBe(true);
    const me = target('a');
    const taken = await acquireInstanceLocks(me, 'appkey-1');
    expect(taken.ok).toBe(false);
    if (taken.ok) return;
    expect(taken.problem.code).toBe('bridge.other_instance_app');
    expect(taken.problem.message).toContain(`pid ${process.ppid}, user bob-other-user; config home /home/bob/.cccc-dingtalk, CCCC home /home/bob/.cccc`);
    expect(taken.problem.hint).toContain('Ask bob-other-user to stop it');
    // Nothing stays taken on refusal.
    expect(await lockHolder(groupLockDir(me.ccccHome, me.groupId))).toBeUndefined();
    expect(await appHolder(me, 'appkey-1')).toMatchObject({ pid: process.ppid });
    // Another app, or the same AppKey on another DingTalk (a private deployment), is free.
    expect((await acquireInstanceLocks(me, 'appkey-2')).ok).toBe(true);
    expect((await acquireInstanceLocks({ ...target('c'), apiBase: 'https://dingtalk.example.com' }, 'appkey-1')).ok).toBe(true);
  });

  it('is taken over from a dead process, and released on stop', async () => {
    const dead = await InstanceLock.acquire(
      machineAppLockDir(join(root, 'locks'), API, 'k'),
      { bridgeId: 'x', groupId: 'g', configHome: '/c', startedAt: 1 },
      { pid: 999_999_999, isAlive: () => false, shared: true },
    );
    expect(dead.ok).toBe(true);
    const taken = await acquireInstanceLocks(target('a'), 'k');
    expect(taken.ok).toBe(true);
    if (!taken.ok) return;
    expect(taken.warning).toBeUndefined();
    await taken.locks.release();
    expect(await appHolder(target('b'), 'k')).toBeUndefined();
  });

  it.skipIf(!posix)('keeps its folders like /tmp (1777) and refuses one planted as a symlink', async () => {
    const taken = await acquireInstanceLocks(target('a'), 'k');
    expect(taken.ok).toBe(true);
    const dir = machineAppLockDir(join(root, 'locks'), API, 'k');
    expect((await lstat(join(root, 'locks'))).mode & 0o7777).toBe(0o1777);
    expect((await lstat(dir)).mode & 0o7777).toBe(0o1777);

    // Someone replaced an app's folder by a link to theirs: no lock there, a warning instead.
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    const planted = machineAppLockDir(join(root, 'locks'), API, 'planted');
    await symlink(elsewhere, planted);
    const warned = await acquireInstanceLocks(target('b'), 'planted');
    expect(warned.ok).toBe(true);
    if (warned.ok) expect(warned.warning).toMatchObject({ code: 'bridge.machine_lock_unusable', message: expect.stringContaining('not a folder') });
  });

  it.skipIf(!posix)('does not hang on a FIFO planted as a lock file, nor follow a symlink', async () => {
    const dir = machineAppLockDir(join(root, 'locks'), API, 'k');
    await mkdir(dir, { recursive: true });
    await promisify(execFile)('mkfifo', [join(dir, '1.lock')]);
    const target2 = join(root, 'owner.json');
    await writeFile(target2, JSON.stringify({ pid: process.ppid, bridgeId: 'fake', groupId: 'g', configHome: '/c', startedAt: 1 }));
    await symlink(target2, join(dir, '2.lock'));
    expect(await lockHolder(dir)).toBeUndefined();
    const taken = await acquireInstanceLocks(target('a'), 'k');
    expect(taken.ok).toBe(true);
  });
});
