import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStatusFile, writeStatusFile, type StatusFile } from '../../../electron/cli/status-file';
import { mountTmpfs, tmpfsUnavailable, type Tmpfs } from '../../helpers/tmpfs';

const status = (outboxDepth: number, problem?: string): StatusFile => ({
  pid: 1,
  bridgeId: 'b',
  groupId: 'g',
  ccccHome: '/h',
  startedAt: 1,
  updatedAt: 2,
  state: problem ? 'degraded' : 'running',
  dingtalk: { status: 'connected' },
  cccc: { status: 'up' },
  outboxDepth,
  inboxDepth: 0,
  chats: [],
  pending: [],
  ...(problem ? { lastProblem: { code: 'bridge.disk_full', message: problem, retryable: true } } : {}),
});

describe.skipIf(tmpfsUnavailable !== undefined)(`status.json on a full disk${tmpfsUnavailable ? ` (skipped: ${tmpfsUnavailable})` : ''}`, () => {
  let fs: Tmpfs;
  beforeAll(async () => {
    fs = await mountTmpfs(64);
  });
  afterAll(async () => fs.unmount());

  it('still says what is going on when no temporary copy fits', async () => {
    const path = join(fs.dir, 'status.json');
    await writeStatusFile(path, status(0));
    await fs.fill();
    const full = status(10, `The disk holding ${fs.dir} is full: 10 messages are waiting`);
    await writeStatusFile(path, full);
    expect(await readStatusFile(path)).toEqual(full);
    expect((await readdir(fs.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await fs.free();
  });
});
