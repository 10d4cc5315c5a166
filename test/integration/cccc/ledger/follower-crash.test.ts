import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor as waitForOutput } from '../../../helpers/wait';
import { chat, ids, tempGroup, type TempGroup } from '../helpers';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'follower-child.ts');

let g: TempGroup;
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await g?.cleanup();
});

/** Starts the follower child and resolves once it printed `ready`; `waitFor(text)` awaits later output. */
async function child(
  outFile: string,
  mode: 'commit' | 'hang',
): Promise<{ proc: ChildProcess; waitFor: (text: string) => Promise<void>; killed: () => Promise<void> }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', FIXTURE, g.groupDir, g.cursorPath, outFile, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(proc);
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const waitFor = (text: string): Promise<void> =>
    waitForOutput(() => out.includes(text), `the child to print "${text}"`, 8_000).then(
      () => undefined,
      (e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}; stdout=${out} stderr=${err}`);
      },
    );
  const killed = (): Promise<void> =>
    new Promise((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
  await waitFor('ready');
  return { proc, waitFor, killed };
}

async function handedOn(outFile: string): Promise<string[]> {
  return (await readFile(outFile, 'utf8').catch(() => '')).split('\n').filter(Boolean);
}

describe('LedgerFollower under kill -9', () => {
  it('re-delivers what was handed on but not committed, and nothing that was committed', async () => {
    g = await tempGroup();
    const outFile = join(g.root, 'handed-on.txt');

    const first = await child(outFile, 'hang');
    const batch1 = [chat('任务一'), chat('任务二'), chat('任务三')];
    await g.writer.append(...batch1);
    await first.waitFor('delivered 3');
    await first.killed(); // between hand-on and commit
    expect(await handedOn(outFile)).toEqual(ids(batch1));

    const second = await child(outFile, 'commit');
    await second.waitFor('committed');
    await second.killed(); // after commit
    expect(await handedOn(outFile)).toEqual([...ids(batch1), ...ids(batch1)]);

    const third = await child(outFile, 'commit');
    const batch2 = [chat('after the second crash')];
    await g.writer.append(...batch2);
    await third.waitFor('committed');
    await third.killed();
    expect(await handedOn(outFile)).toEqual([...ids(batch1), ...ids(batch1), ...ids(batch2)]);
  });
});
