import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockHelper } from '../../../../electron/core/cccc/im-state/lock-helper';
import { python } from '../../../helpers/python';
import { within } from '../../../helpers/wait';
import { tempGroup, type TempGroup } from '../helpers';

let g: TempGroup;
afterEach(async () => g?.cleanup());

/** The locks are CCCC's flock, which Windows lacks (msvcrt there); the wrapper below is a shell script. */
const posix = process.platform !== 'win32';

/** Handles that keep Node's event loop running, of the kinds a child process brings. */
const processHandles = (): number => process.getActiveResourcesInfo().filter((r) => r === 'ProcessWrap' || r === 'PipeWrap').length;

async function lockPath(): Promise<string> {
  g = await tempGroup();
  await mkdir(join(g.groupDir, 'state'), { recursive: true });
  return join(g.groupDir, 'state', 'im_state.lock');
}

describe.skipIf(!posix)('LockHelper: one python for a burst of requests', () => {
  it('serves successive locks and probes from one process', async () => {
    const path = await lockPath();
    const helper = new LockHelper(python(), 10_000);
    const first = await helper.request('lock', path, 1_000, 6_000);
    expect(first.answer).toBe('locked');
    await helper.release(path, first.proc);
    const second = await helper.request('lock', path, 1_000, 6_000);
    expect(second.proc).toBe(first.proc);
    await helper.release(path, second.proc);
    expect((await helper.request('probe', path, 0, 6_000)).proc).toBe(first.proc);
    first.proc.end();
  });

  it('leaves when idle, and the next request starts a fresh one', async () => {
    const path = await lockPath();
    const helper = new LockHelper(python(), 50);
    const { proc } = await helper.request('probe', path, 0, 6_000);
    await within(proc.exited, 5_000, 'the idle helper to exit');
    const next = await helper.request('probe', path, 0, 6_000);
    expect(next).toMatchObject({ answer: 'absent' });
    expect(next.proc).not.toBe(proc);
    next.proc.end();
  });

  it('keeps Node running while busy or holding a lock, and not once idle', async () => {
    const path = await lockPath();
    const before = processHandles();
    const helper = new LockHelper(python(), 10_000);
    const { proc } = await helper.request('lock', path, 1_000, 6_000);
    expect(processHandles()).toBeGreaterThan(before); // holding the lock
    await helper.release(path, proc);
    expect(processHandles()).toBe(before);
    expect(proc.alive()).toBe(true);
    const probed = helper.request('probe', path, 0, 6_000); // the idle helper again, busy at once
    expect(processHandles()).toBeGreaterThan(before);
    expect((await probed).proc).toBe(proc);
    expect(processHandles()).toBe(before);
    proc.end();
  });

  it('a lock goes with its helper: killed, or its stdin closed as when Node dies', async () => {
    const path = await lockPath();
    const other = new LockHelper(python(), 10_000);
    for (const end of [(p: { kill(): unknown }) => p.kill(), (p: { end(): unknown }) => p.end()]) {
      const helper = new LockHelper(python(), 10_000);
      const { proc } = await helper.request('lock', path, 1_000, 6_000);
      expect((await other.request('probe', path, 0, 6_000)).answer).toBe('held');
      void end(proc);
      await within(proc.exited, 5_000, 'the helper to exit');
      expect(proc.alive()).toBe(false);
      expect(proc.held.size).toBe(0);
      await helper.release(path, proc); // nothing left to release, and no new helper for it
      expect((await other.request('probe', path, 0, 6_000)).answer).toBe('free');
    }
    (await other.request('probe', path, 0, 6_000)).proc.end();
  });

  it('starts later helpers with the interpreter the first one reported, not through the launcher again', async () => {
    const path = await lockPath();
    const log = join(g.root, 'launches');
    const launcher = join(g.root, 'python-launcher');
    await writeFile(launcher, `#!/bin/sh\necho launched >> '${log}'\nexec '${python()}' "$@"\n`);
    await chmod(launcher, 0o755);
    const helper = new LockHelper(launcher, 50);
    const { proc } = await helper.request('probe', path, 0, 6_000);
    await within(proc.exited, 5_000, 'the idle helper to exit');
    expect((await helper.request('probe', path, 0, 6_000)).answer).toBe('absent');
    expect(await readFile(log, 'utf8')).toBe('launched\n');
  });
});
