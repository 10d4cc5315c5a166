import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { killAfter } from '../../../helpers/wait';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'leftovers.ts');

describe('no leftover timers or sockets', () => {
  it('a process that used client, monitor and fake exits on its own right after closing them', async () => {
    // Runs in a child so that "exits on its own" can be observed; the child talks only to its own fake.
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let doneAt = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!doneAt && out.includes('DONE')) doneAt = Date.now();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const cancelKill = killAfter(child, 8_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    cancelKill();
    expect(err).toBe('');
    expect(out).toContain('DONE');
    expect(code).toBe(0);
    // Everything above waits 30 s or more if left running; a clean exit takes a few ms.
    expect(Date.now() - doneAt).toBeLessThan(2_000);
  });
});
