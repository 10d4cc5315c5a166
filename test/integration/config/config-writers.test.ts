/**
 * Two processes writing config.json at once (the desktop app and the CLI open together): every
 * change is kept, a writer that died holding the lock does not block the next one, and a writer
 * that holds it too long is named.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bridgeProfileSchema } from '../../../electron/core/config/profile';
import { ConfigStore } from '../../../electron/core/config/store';
import { killAfter, waitFor } from '../../helpers/wait';

const WRITER = fileURLToPath(new URL('./fixtures/config-writer.ts', import.meta.url));

let dir: string;
const children: ChildProcess[] = [];

function writer(...args: string[]): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const cancel = killAfter(child, 30_000);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => (cancel(), resolve(code))));
  return { child, output: () => output, exit };
}

const add = (store: ConfigStore, id: string) =>
  store.update((c) => void c.bridges.push(bridgeProfileSchema.parse({ id, name: id, groupId: 'g_1', appKey: 'dingabc', secret: { from: 'keychain' } })));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cfg-writers-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('config.json with two processes writing', () => {
  it('keeps every change of two other processes and this one, writing at the same time', async () => {
    const store = new ConfigStore(dir, { host: 'app' });
    const a = writer('add', '15', 'cli-a');
    const b = writer('add', '15', 'cli-b');
    await waitFor(() => a.output().includes('ready') && b.output().includes('ready'), 'both writers ready', 20_000);
    await writeFile(join(dir, 'go'), '');
    for (let i = 0; i < 15; i++) await add(store, `app-${i}`);
    expect(await a.exit).toBe(0);
    expect(await b.exit).toBe(0);
    const ids = (await store.read()).bridges.map((x) => x.id);
    expect(ids).toHaveLength(45);
    for (const prefix of ['cli-a', 'cli-b', 'app']) for (let i = 0; i < 15; i++) expect(ids).toContain(`${prefix}-${i}`);
    expect(JSON.parse(await readFile(store.file, 'utf8'))).toMatchObject({ version: 2 });
  }, 60_000);

  it('waits for a writer that holds the lock, names it when it holds on too long, and takes over once it died', async () => {
    const holder = writer('hold');
    await waitFor(() => holder.output().includes('locked'), 'the other process holds the lock', 20_000);
    const store = new ConfigStore(dir, { timeoutMs: 300 });
    await expect(store.update(() => undefined)).rejects.toMatchObject({
      code: 'config.locked',
      details: { pid: holder.child.pid },
    });
    holder.child.kill('SIGKILL');
    await holder.exit;
    await add(store, 'after');
    expect((await store.read()).bridges.map((x) => x.id)).toEqual(['after']);
  }, 60_000);
});
