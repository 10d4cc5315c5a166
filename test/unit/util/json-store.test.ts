import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { memoryLogger } from '../../../electron/core/log/logger';
import { JsonFileStore } from '../../../electron/core/util/json-store';

const schema = z.object({ names: z.array(z.string()) });
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'json-store-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('JsonFileStore', () => {
  it("a user's file (strict) that is damaged refuses with the file and the line", async () => {
    const path = join(dir, 'app-profiles.json');
    const store = new JsonFileStore(path, schema, () => ({ names: [] }), { onInvalid: 'error' });
    await writeFile(path, '{\n  "names": [\n    "a",,\n  ]\n}\n');
    await expect(store.get()).rejects.toMatchObject({ code: 'config.invalid', message: expect.stringMatching(/^app-profiles\.json line 3: not valid JSON/) });
    await writeFile(path, '{\n  "names": [\n    "a",\n    7\n  ]\n}\n');
    await expect(store.get()).rejects.toMatchObject({
      code: 'config.invalid',
      message: 'app-profiles.json line 4: names[1]: Invalid input: expected string, received number',
    });
    // Nothing was moved or rewritten: the person fixes the file they know.
    expect(await readdir(dir)).toEqual(['app-profiles.json']);
  });

  it('bridge state (reset) that is damaged is moved aside, named in the log, and rebuilt once for concurrent readers', async () => {
    const path = join(dir, 'state.json');
    await writeFile(path, '{"names": ["a"');
    const log = memoryLogger();
    let rebuilds = 0;
    const store = new JsonFileStore(
      path,
      schema,
      () => ({ names: [] }),
      { log },
      () => {
        rebuilds += 1;
        return Promise.resolve({ names: ['rebuilt'] });
      },
    );
    const [a, b] = await Promise.all([store.get(), store.get()]);
    expect([a, b]).toEqual([{ names: ['rebuilt'] }, { names: ['rebuilt'] }]);
    expect(rebuilds).toBe(1);
    const aside = (await readdir(dir)).filter((f) => f.startsWith('state.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(dir, aside[0]!), 'utf8')).toBe('{"names": ["a"');
    expect(log.records.find((r) => r.level === 'warn')?.fields).toMatchObject({ aside: join(dir, aside[0]!) });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ names: ['rebuilt'] });
  });
});
