import { mkdtemp, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { memoryLogger } from '../../../electron/core/log/logger';
import { Journal } from '../../../electron/core/util/journal';

const schema = z.object({ n: z.number() });
let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'journal-'));
  path = join(dir, 'sub', 'j.jsonl');
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const lines = async () =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('Journal', () => {
  it('gives back pending entries in order after reopening, without the done ones', async () => {
    const j = await Journal.open({ path, schema });
    await j.append([
      { id: 'a', data: { n: 1 } },
      { id: 'b', data: { n: 2 } },
    ]);
    await j.append([{ id: 'c', data: { n: 3 } }]);
    await j.markDone(['b']);
    await j.close();
    const again = await Journal.open({ path, schema });
    expect(again.pending()).toEqual([
      { id: 'a', data: { n: 1 } },
      { id: 'c', data: { n: 3 } },
    ]);
    expect(again.state('b')).toBe('done');
    await again.close();
  });

  it('skips ids already pending or done, also within one batch', async () => {
    const j = await Journal.open({ path, schema });
    await j.append([{ id: 'a', data: { n: 1 } }]);
    await j.markDone(['a']);
    const added = await j.append([
      { id: 'a', data: { n: 9 } },
      { id: 'b', data: { n: 2 } },
      { id: 'b', data: { n: 3 } },
    ]);
    expect(added).toEqual([{ id: 'b', data: { n: 2 } }]);
    expect(j.pending()).toEqual([{ id: 'b', data: { n: 2 } }]);
    await j.close();
  });

  it('refuses entries its schema rejects, before writing anything', async () => {
    const j = await Journal.open({ path, schema });
    await expect(
      j.append([
        { id: 'a', data: { n: 1 } },
        { id: 'b', data: { n: 'x' } as unknown as { n: number } },
      ]),
    ).rejects.toThrow(/b does not match/);
    expect(j.pending()).toEqual([]);
    await j.close();
  });

  it('drops a torn last line (a write cut short) and rewrites the file cleanly', async () => {
    const j = await Journal.open({ path, schema });
    await j.append([
      { id: 'a', data: { n: 1 } },
      { id: 'b', data: { n: 2 } },
    ]);
    await j.close();
    await appendFile(path, '{"op":"add","id":"c","da');
    const log = memoryLogger();
    const again = await Journal.open({ path, schema, logger: log });
    expect(again.pending().map((e) => e.id)).toEqual(['a', 'b']);
    expect(log.records.some((r) => r.msg.includes('torn'))).toBe(true);
    await again.append([{ id: 'd', data: { n: 4 } }]);
    await again.close();
    expect((await lines()).map((l) => l['id'])).toEqual(['a', 'b', 'd']);
  });

  it('keeps a complete last line that only lacks its newline', async () => {
    const flat = join(dir, 'flat.jsonl');
    await writeFile(flat, '{"op":"add","id":"a","data":{"n":1}}\n{"op":"add","id":"b","data":{"n":2}}');
    const j = await Journal.open({ path: flat, schema });
    expect(j.pending().map((e) => e.id)).toEqual(['a', 'b']);
    await j.close();
    expect(await readFile(flat, 'utf8')).toMatch(/\n$/);
  });

  it('moves lines that fail validation aside instead of losing them silently', async () => {
    const j = await Journal.open({ path, schema });
    await j.append([{ id: 'a', data: { n: 1 } }]);
    await j.close();
    await appendFile(path, '{"op":"add","id":"x","data":{"n":"not a number"}}\nnot json\n{"op":"add","id":"b","data":{"n":2}}\n');
    const again = await Journal.open({ path, schema });
    expect(again.pending().map((e) => e.id)).toEqual(['a', 'b']);
    await again.close();
    const rejected = await readFile(`${path}.rejected`, 'utf8');
    expect(rejected).toContain('not a number');
    expect(rejected).toContain('not json');
  });

  it('compacts when done entries dominate, keeping pending ones and remembering done ids', async () => {
    const j = await Journal.open({ path, schema, compactAfterLines: 50, rememberDone: 20 });
    for (let i = 0; i < 40; i++) {
      await j.append([{ id: `e${i}`, data: { n: i } }]);
      if (i < 38) await j.markDone([`e${i}`]);
    }
    const onDisk = await lines();
    // 80 lines were written; compaction left far fewer: 20 remembered done ids + live entries + lines since.
    expect(onDisk.length).toBeLessThan(60);
    expect(onDisk.filter((l) => l['op'] === 'done').length).toBeLessThanOrEqual(40);
    await j.close();
    const again = await Journal.open({ path, schema, compactAfterLines: 50, rememberDone: 20 });
    expect(again.pending().map((e) => e.id)).toEqual(['e38', 'e39']);
    expect(again.state('e37')).toBe('done');
    expect(again.state('e0')).toBeUndefined();
    await again.close();
    await expect(readFile(`${path}.compact.tmp`)).rejects.toThrow();
  });

  it('writes with fsync too, and refuses work after close', async () => {
    const j = await Journal.open({ path, schema, fsync: true, compactAfterLines: 2 });
    await j.append([{ id: 'a', data: { n: 1 } }]);
    await j.markDone(['a']);
    await j.append([{ id: 'b', data: { n: 2 } }]);
    await j.close();
    await j.close();
    await expect(j.append([{ id: 'c', data: { n: 3 } }])).rejects.toThrow(/closed/);
    const again = await Journal.open({ path, schema });
    expect(again.pending().map((e) => e.id)).toEqual(['b']);
    await again.close();
  });
});
