import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeldMessages } from '../../../electron/core/bridge/outbound/held';
import type { OutboxItem } from '../../../electron/core/bridge/outbox';
import { mountTmpfs, tmpfsUnavailable, type Tmpfs } from '../../helpers/tmpfs';

const item = (n: number): OutboxItem => ({
  id: `ev${n}:cidA:0`,
  chat: { conversationId: 'cidA', conversationType: 'group' },
  payload: { kind: 'message', message: { kind: 'text', content: `held ${n}` } },
  createdAt: n,
});

describe.skipIf(tmpfsUnavailable !== undefined)(`held messages on a full disk${tmpfsUnavailable ? ` (skipped: ${tmpfsUnavailable})` : ''}`, () => {
  let fs: Tmpfs;
  beforeAll(async () => {
    fs = await mountTmpfs(64);
  });
  afterAll(async () => fs.unmount());

  it('a release that cannot be queued or saved loses nothing: the items are still there for the next try', async () => {
    const dir = join(fs.dir, 'state');
    const held = new HeldMessages(dir);
    await held.hold('cidA', [item(1), item(2), item(3)]);
    await fs.fill();
    const noSpace = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    // The outbox cannot queue them…
    await expect(held.release('cidA', () => Promise.reject(noSpace))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await held.count('cidA')).toBe(3);
    // …or it can, but letting go of them cannot be saved.
    const queued: string[][] = [];
    await expect(held.release('cidA', async (h) => void queued.push(h.items.map((i) => i.id)))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await held.count('cidA')).toBe(3);
    await fs.free();
    await held.release('cidA', async (h) => void queued.push(h.items.map((i) => i.id)));
    // Queued twice is harmless: the outbox skips ids it has seen.
    expect(queued).toEqual([0, 1].map(() => [item(1).id, item(2).id, item(3).id]));
    expect(await new HeldMessages(dir).count('cidA')).toBe(0);
  });
});
