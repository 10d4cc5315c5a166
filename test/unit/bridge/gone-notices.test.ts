import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GONE_NOTICES_FILE, GoneNotices } from '../../../electron/core/bridge/gone-notices';
import { memoryLogger } from '../../../electron/core/log/logger';
import { describeOnTmpfs } from '../../helpers/tmpfs';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gone-notices-'));
  dirs.push(dir);
  return dir;
}

describe('GoneNotices', () => {
  it('remembers across restarts which chats were told, and forgets a group served again', async () => {
    const dir = await stateDir();
    const notices = new GoneNotices(dir, memoryLogger('t'));
    await notices.remember('g_beta', 'cidA');
    await notices.remember('g_beta', 'cidB');
    await notices.remember('g_gamma', 'cidA');
    const again = new GoneNotices(dir, memoryLogger('t'));
    expect([await again.told('g_beta', 'cidA'), await again.told('g_beta', 'cidB'), await again.told('g_gamma', 'cidA')]).toEqual([true, true, true]);
    expect(await again.told('g_alpha', 'cidA')).toBe(false);
    await again.forget('g_beta');
    expect(await new GoneNotices(dir, memoryLogger('t')).told('g_beta', 'cidA')).toBe(false);
    expect(JSON.parse(await readFile(join(dir, GONE_NOTICES_FILE), 'utf8'))).toEqual({ told: { g_gamma: ['cidA'] } });
  });

  it('a damaged file is moved aside and the record starts again', async () => {
    const dir = await stateDir();
    await writeFile(join(dir, GONE_NOTICES_FILE), '{"told": [nonsense');
    const log = memoryLogger('t');
    const notices = new GoneNotices(dir, log);
    expect(await notices.told('g_beta', 'cidA')).toBe(false);
    expect((await readdir(dir)).some((f) => f.startsWith(`${GONE_NOTICES_FILE}.corrupt-`))).toBe(true);
    await notices.remember('g_beta', 'cidA');
    expect(await new GoneNotices(dir, log).told('g_beta', 'cidA')).toBe(true);
  });
});

describeOnTmpfs('GoneNotices on a full disk', 64, (tmpfs) => {
  it('logs, keeps the pair in memory for this run, and saves it with the next write that succeeds', async () => {
    const dir = join(tmpfs().dir, 'state');
    const log = memoryLogger('t');
    const notices = new GoneNotices(dir, log);
    await notices.remember('g_beta', 'cidA');
    await tmpfs().fill();
    await notices.remember('g_beta', 'cidB');
    expect(log.records.some((r) => r.level === 'warn' && r.msg.includes('kept in memory'))).toBe(true);
    expect(await notices.told('g_beta', 'cidB')).toBe(true);
    expect(await new GoneNotices(dir, log).told('g_beta', 'cidB')).toBe(false);
    await tmpfs().free();
    await notices.remember('g_beta', 'cidC');
    const after = new GoneNotices(dir, log);
    expect([await after.told('g_beta', 'cidA'), await after.told('g_beta', 'cidB'), await after.told('g_beta', 'cidC')]).toEqual([true, true, true]);
  });
});
