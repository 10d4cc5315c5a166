import type * as FsPromises from 'node:fs/promises';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { Journal } from '../../../electron/core/util/journal';
import { describeOnTmpfs } from '../../helpers/tmpfs';

/** Faults the mocked open() applies to every FileHandle it gives the journal. */
const fault = vi.hoisted(() => ({ shortThenFull: false, shortOnce: false, fullOnAppend: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  const noSpace = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  return {
    ...real,
    open: async (...args: Parameters<typeof real.open>) => {
      const handle = await real.open(...args);
      const appending = args[1] === 'a';
      const write = handle.write.bind(handle) as (...a: unknown[]) => Promise<{ bytesWritten: number }>;
      (handle as unknown as { write: unknown }).write = async (buffer: Buffer, offset: number, length: number, position: number | null) => {
        if (appending && fault.fullOnAppend) throw noSpace();
        if (appending && fault.shortOnce) {
          fault.shortOnce = false;
          return write(buffer, offset, Math.max(1, Math.floor(length / 2)), position);
        }
        if (appending && fault.shortThenFull) {
          // What a filling disk does: the first call takes part of the bytes, the next one fails.
          fault.shortThenFull = false;
          fault.fullOnAppend = true;
          return write(buffer, offset, Math.max(1, Math.floor(length / 2)), position);
        }
        return write(buffer, offset, length, position);
      };
      return handle;
    },
  };
});

const schema = z.object({ n: z.number() });
let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journal-full-'));
  path = join(dir, 'j.jsonl');
});
afterEach(async () => {
  fault.shortThenFull = fault.shortOnce = fault.fullOnAppend = false;
  await rm(dir, { recursive: true, force: true });
});

describe('Journal on a full disk (injected short writes)', () => {
  it('fails an append whose write was cut short and leaves the file as it was', async () => {
    const j = await Journal.open({ path, schema });
    await j.append([{ id: 'a', data: { n: 1 } }]);
    const before = await readFile(path, 'utf8');
    fault.shortThenFull = true;
    await expect(j.append([{ id: 'b', data: { n: 2 } }])).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readFile(path, 'utf8')).toBe(before);
    expect(j.state('b')).toBeUndefined();
    // Space is back: the next append is a clean line, not glued onto a fragment.
    fault.fullOnAppend = false;
    await j.append([{ id: 'c', data: { n: 3 } }]);
    await j.close();
    const again = await Journal.open({ path, schema });
    expect(again.pending()).toEqual([
      { id: 'a', data: { n: 1 } },
      { id: 'c', data: { n: 3 } },
    ]);
    await again.close();
  });

  it('finishes a write that the system took in several pieces', async () => {
    const j = await Journal.open({ path, schema });
    fault.shortOnce = true;
    await j.append([{ id: 'a', data: { n: 1 } }]);
    await j.append([{ id: 'b', data: { n: 2 } }]);
    await j.close();
    expect(
      (await readFile(path, 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { id: string }).id),
    ).toEqual(['a', 'b']);
  });

  it('marks entries done in place when no done line can be appended, and that survives a reopen', async () => {
    const j = await Journal.open({ path, schema });
    await j.append([
      { id: 'a', data: { n: 1 } },
      { id: 'b', data: { n: 2 } },
    ]);
    await j.append([{ id: 'c', data: { n: 3 } }]);
    const size = (await readFile(path)).length;
    fault.fullOnAppend = true;
    await j.markDone(['b', 'c']);
    expect((await readFile(path)).length).toBe(size);
    expect(j.pending().map((e) => e.id)).toEqual(['a']);
    await j.close();
    fault.fullOnAppend = false;
    const again = await Journal.open({ path, schema });
    expect(again.pending().map((e) => e.id)).toEqual(['a']);
    expect(again.state('b')).toBe('done');
    expect(again.state('c')).toBe('done');
    await again.close();
  });
});

describeOnTmpfs('Journal on a real full tmpfs', 256, (tmpfs) => {
  it('never reports a partial line as written; done marks still land; reopening sees exactly what was promised', async () => {
    const p = join(tmpfs().dir, 'j.jsonl');
    const j = await Journal.open({ path: p, schema: z.object({ text: z.string() }) });
    await j.append([{ id: 'first', data: { text: 'x' } }]);
    await tmpfs().fill();
    const promised: string[] = ['first'];
    for (let i = 0; i < 20; i++) {
      const added = await j.append([{ id: `m${i}`, data: { text: 'y'.repeat(300) } }]).catch(() => []);
      promised.push(...added.map((e) => e.id));
    }
    await j.markDone(['first']);
    await j.close();
    const again = await Journal.open({ path: p, schema: z.object({ text: z.string() }) });
    expect(again.pending().map((e) => e.id)).toEqual(promised.slice(1));
    expect(again.state('first')).toBe('done');
    await again.close();
    await tmpfs().free();
    await rm(p);
  });
});
