import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstanceLock, lockHolder } from '../../../electron/core/config/instance-lock';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ilock-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const owner = (bridgeId: string) => ({ bridgeId, groupId: 'g_1', configHome: '/cfg', startedAt: 1 });

describe('InstanceLock', () => {
  it('is exclusive while the owner lives, and free again once it is released', async () => {
    const alive = new Set([101, 102]);
    const opts = (pid: number) => ({ pid, isAlive: (p: number) => alive.has(p) });
    const first = await InstanceLock.acquire(dir, owner('a'), opts(101));
    expect(first.ok).toBe(true);
    const second = await InstanceLock.acquire(dir, owner('b'), opts(102));
    expect(second).toEqual({ ok: false, holder: expect.objectContaining({ pid: 101, bridgeId: 'a' }) });
    expect(await lockHolder(dir, opts(999))).toMatchObject({ pid: 101 });
    if (first.ok) await first.lock.release();
    expect(await lockHolder(dir, opts(999))).toBeUndefined();
    const third = await InstanceLock.acquire(dir, owner('b'), opts(102));
    expect(third.ok).toBe(true);
    // Numbers only grow; older files are cleaned up.
    expect(await readdir(dir)).toEqual(['2.lock']);
  });

  it('takes over the lock of a dead pid, and treats its own pid in an old file as stale', async () => {
    await writeFile(join(dir, '7.lock'), JSON.stringify({ pid: 4242, ...owner('old') }));
    const taken = await InstanceLock.acquire(dir, owner('new'), { pid: 5, isAlive: () => false });
    expect(taken.ok).toBe(true);
    expect(JSON.parse(await readFile(join(dir, '8.lock'), 'utf8'))).toMatchObject({ pid: 5, bridgeId: 'new' });
    // A recycled pid: the file names the acquirer itself, which cannot already hold it.
    await writeFile(join(dir, '9.lock'), JSON.stringify({ pid: 6, ...owner('me-before-reboot') }));
    expect((await InstanceLock.acquire(dir, owner('me'), { pid: 6, isAlive: () => true })).ok).toBe(true);
  });

  it('a damaged lock file proves nobody and is taken over', async () => {
    await writeFile(join(dir, '3.lock'), 'not json');
    expect((await InstanceLock.acquire(dir, owner('x'), { pid: 9, isAlive: () => true })).ok).toBe(true);
  });

  it('gives a stale lock to exactly one of many racing instances', async () => {
    await writeFile(join(dir, '1.lock'), JSON.stringify({ pid: 1, ...owner('dead') }));
    const racers = Array.from({ length: 12 }, (_, i) => 200 + i);
    const alive = (p: number): boolean => racers.includes(p);
    const results = await Promise.all(racers.map((pid) => InstanceLock.acquire(dir, owner(`r${pid}`), { pid, isAlive: alive })));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.ok ? winners[0]!.lock.owner.pid : -1;
    for (const r of results) if (!r.ok) expect(r.holder.pid).toBe(winner);
    expect(await lockHolder(dir, { pid: 1, isAlive: alive })).toMatchObject({ pid: winner });
  });

  it('is taken over after its real owner process was killed with SIGKILL', async () => {
    const script = `
      const { InstanceLock } = await import(${JSON.stringify(new URL('../../../electron/core/config/instance-lock.ts', import.meta.url).pathname)});
      const r = await InstanceLock.acquire(${JSON.stringify(dir)}, { bridgeId: 'child', groupId: 'g', configHome: '/c', startedAt: 1 });
      console.log(r.ok ? 'locked' : 'refused');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => (d.toString().includes('locked') ? resolve() : reject(new Error(d.toString()))));
        child.once('exit', () => reject(new Error('child exited early')));
      });
      const blocked = await InstanceLock.acquire(dir, owner('parent'));
      expect(blocked).toMatchObject({ ok: false, holder: { pid: child.pid, bridgeId: 'child' } });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    const after = await InstanceLock.acquire(dir, owner('parent'));
    expect(after.ok).toBe(true);
    if (after.ok) await after.lock.release();
  });
});
