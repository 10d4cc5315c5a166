import { join } from 'node:path';
import { expect, it } from 'vitest';
import { HeldMessages, type Released } from '../../../../electron/core/bridge/outbound/held';
import type { OutboxItem } from '../../../../electron/core/bridge/outbox';
import { describeOnTmpfs } from '../../../helpers/tmpfs';

const item = (n: number): OutboxItem => ({
  id: `ev${n}:cidA:0`,
  chat: { conversationId: 'cidA', conversationType: 'group' },
  payload: { kind: 'message', message: { kind: 'text', content: `held ${n}` } },
  createdAt: n,
});

describeOnTmpfs('held messages on a full disk', 64, (tmpfs) => {
  it('a release that cannot be queued loses nothing, and letting go needs no new space', async () => {
    const dir = join(tmpfs().dir, 'state');
    const held = await HeldMessages.open(dir);
    await held.hold('cidA', [item(1), item(2), item(3)]);
    await tmpfs().fill();
    const noSpace = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    // The outbox cannot queue them: still held for the next try.
    await expect(held.release('cidA', () => Promise.reject(noSpace))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await held.count('cidA')).toBe(3);
    // It can: letting go of them is written in place (the journal's done marks need no new blocks).
    const queued: string[][] = [];
    await held.release('cidA', async (h: Released) => void queued.push(h.items.map((i) => i.id)));
    expect(queued).toEqual([[item(1).id, item(2).id, item(3).id]]);
    expect(await held.count('cidA')).toBe(0);
    await held.close();
    await tmpfs().free();
    const reopened = await HeldMessages.open(dir);
    expect(await reopened.count('cidA')).toBe(0);
    await reopened.close();
  });
});
