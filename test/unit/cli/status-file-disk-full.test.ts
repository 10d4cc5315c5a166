import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readStatusFile, writeStatusFile, type StatusFile } from '../../../electron/cli/status-file';
import { describeOnTmpfs } from '../../helpers/tmpfs';

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

describeOnTmpfs('status.json on a full disk', 64, (tmpfs) => {
  it('still says what is going on when no temporary copy fits', async () => {
    const path = join(tmpfs().dir, 'status.json');
    await writeStatusFile(path, status(0));
    await tmpfs().fill();
    const full = status(10, `The disk holding ${tmpfs().dir} is full: 10 messages are waiting`);
    await writeStatusFile(path, full);
    expect(await readStatusFile(path)).toEqual(full);
    expect((await readdir(tmpfs().dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await tmpfs().free();
  });
});
