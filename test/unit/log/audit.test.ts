import { mkdtemp, readdir, readFile, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from '../../../electron/core/log/audit';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'audit-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const entry = (n: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  direction: n % 2 === 0 ? 'out' : 'in',
  chatId: n % 3 === 0 ? 'cidA' : 'cidB',
  chatType: 'group',
  kind: 'text',
  chars: 5,
  ref: `r${n}`,
  content: `message ${n}`,
  ...over,
});

describe('AuditLog', () => {
  it('leaves content out unless includeContent is on, and masks secrets either way', async () => {
    const secret = 'super-secret-app-value';
    const plain = new AuditLog({ dir, secrets: () => [secret] });
    plain.record(entry(1, { sender: { id: 'u1', nick: 'Ann' }, result: { ok: true } }));
    await plain.close();
    const [record] = await plain.read();
    expect(record).toMatchObject({ direction: 'in', chatId: 'cidB', sender: { id: 'u1', nick: 'Ann' }, ref: 'r1', result: { ok: true } });
    expect(record).not.toHaveProperty('content');
    expect(await readFile(join(dir, 'audit.jsonl'), 'utf8')).not.toContain('message 1');

    const withContent = new AuditLog({ dir: join(dir, 'c'), includeContent: true, secrets: () => [secret] });
    withContent.record(entry(2, { content: `my key is ${secret}`, recipients: ['staff1'], result: { ok: false, code: 'dingtalk.no_permission' } }));
    const [full] = await withContent.read();
    expect(full).toMatchObject({ content: 'my key is ***', recipients: ['staff1'], result: { ok: false, code: 'dingtalk.no_permission' } });
    await withContent.close();
  });

  it('rotates by size, keeping N files, and reads the newest records across them', async () => {
    const log = new AuditLog({ dir, maxBytes: 1_000, keep: 3 });
    for (let n = 0; n < 60; n++) log.record(entry(n));
    await log.flush();
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['audit.1.jsonl', 'audit.2.jsonl', 'audit.jsonl']);
    for (const f of files) expect((await readFile(join(dir, f))).length).toBeLessThanOrEqual(1_000);
    const last = await log.read({ limit: 5 });
    expect(last.map((r) => r.ref)).toEqual(['r55', 'r56', 'r57', 'r58', 'r59']);
    const all = await log.read({ limit: 1_000 });
    // The oldest records rotated away; what is left is contiguous and ends with the newest.
    expect(all.length).toBeLessThan(60);
    expect(all.map((r) => r.ref)).toEqual(Array.from({ length: all.length }, (_, i) => `r${60 - all.length + i}`));
    await log.close();
  });

  it('filters by chat and direction, skips damaged lines, and exports everything oldest first', async () => {
    const log = new AuditLog({ dir, maxBytes: 600, keep: 10 });
    for (let n = 0; n < 12; n++) log.record(entry(n));
    await log.flush();
    await appendFile(join(dir, 'audit.jsonl'), 'garbage\n{"ts":"x"}\n');
    const outA = await log.read({ chat: 'cidA', direction: 'out' });
    expect(outA.map((r) => r.ref)).toEqual(['r0', 'r6']);
    const target = join(dir, 'export.jsonl');
    expect(await log.exportTo(target)).toBe(12);
    const exported = (await readFile(target, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ref: string });
    expect(exported.map((r) => r.ref)).toEqual(Array.from({ length: 12 }, (_, i) => `r${i}`));
    await log.close();
    log.record(entry(99));
    expect((await log.read({ limit: 100 })).map((r) => r.ref)).toEqual(exported.map((r) => r.ref));
  });
});
