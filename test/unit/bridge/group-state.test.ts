/** The files a bridge keeps for its CCCC group are put aside when it serves another group, and come back with it. */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bindStateToGroup, GROUP_FILES, parkedDir } from '../../../electron/core/bridge/group-state';
import { silentLogger } from '../../../electron/core/log/logger';

let state: string;
const A = { groupId: 'g_aaa', ccccHome: '/home/u/.cccc' };
const B = { groupId: 'g_bbb', ccccHome: '/home/u/.cccc' };

async function write(files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) await writeFile(join(state, name), text);
}

async function contents(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(state, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name)) {
    if (name !== 'group.json') out[name] = await readFile(join(state, name), 'utf8');
  }
  return out;
}

beforeEach(async () => {
  state = await mkdtemp(join(tmpdir(), 'group-state-'));
});
afterEach(async () => rm(state, { recursive: true, force: true }));

describe('bindStateToGroup', () => {
  it('takes the files of a first start (or of an older version) as the group they were written for', async () => {
    await write({ 'ledger-cursor.json': 'A-cursor', 'chats.json': 'chats' });
    expect(await bindStateToGroup(state, A, silentLogger)).toBeUndefined();
    expect(await contents()).toEqual({ 'ledger-cursor.json': 'A-cursor', 'chats.json': 'chats' });
    expect(await bindStateToGroup(state, A, silentLogger)).toBeUndefined();
    expect(await contents()).toEqual({ 'ledger-cursor.json': 'A-cursor', 'chats.json': 'chats' });
  });

  it("puts the old group's files aside on a switch, keeps the bridge's own, and brings them back when it returns", async () => {
    await bindStateToGroup(state, A, silentLogger);
    const groupA = Object.fromEntries(GROUP_FILES.map((f) => [f, `A:${f}`]));
    await write({ ...groupA, 'chats.json': 'chats', 'outbox.jsonl': 'outbox' });

    expect(await bindStateToGroup(state, B, silentLogger)).toEqual(expect.objectContaining({ groupId: 'g_aaa' }));
    // The new group starts from nothing of the old one: no cursor into another ledger, no messages for its agents.
    expect(await contents()).toEqual({ 'chats.json': 'chats', 'outbox.jsonl': 'outbox' });
    await write({ 'ledger-cursor.json': 'B-cursor' });

    await bindStateToGroup(state, A, silentLogger);
    expect(await contents()).toEqual({ ...groupA, 'chats.json': 'chats', 'outbox.jsonl': 'outbox' });
    expect(await readFile(join(parkedDir(state, B), 'ledger-cursor.json'), 'utf8')).toBe('B-cursor');
    await expect(readdir(parkedDir(state, A))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('finishes a switch interrupted after the new group was recorded', async () => {
    await bindStateToGroup(state, B, silentLogger);
    await mkdir(parkedDir(state, B), { recursive: true });
    await writeFile(join(parkedDir(state, B), 'ledger-cursor.json'), 'B-cursor');
    await bindStateToGroup(state, B, silentLogger);
    expect(await contents()).toEqual({ 'ledger-cursor.json': 'B-cursor' });
  });

  it('tells apart one group id in two CCCC homes', async () => {
    await bindStateToGroup(state, A, silentLogger);
    await write({ 'ledger-cursor.json': 'home-1' });
    expect(await bindStateToGroup(state, { ...A, ccccHome: '/srv/other-cccc' }, silentLogger)).toBeDefined();
    expect(await contents()).toEqual({});
  });
});
