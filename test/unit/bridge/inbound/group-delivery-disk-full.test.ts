import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupDelivery } from '../../../../electron/core/bridge/inbound/group-delivery';
import type { GroupPort, SendToGroup } from '../../../../electron/core/bridge/ports';
import { Journal } from '../../../../electron/core/util/journal';

const noSpace = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'delivery-full-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const send = (n: number): SendToGroup => ({
  msgId: `m${n}`,
  text: `hello ${n}`,
  to: ['@foreman'],
  attachments: [],
  clientId: `im:dingtalk:cidA:m${n}`,
  sourceUserName: 'Alice',
  sourceUserId: 'staff-alice',
  mentionUserIds: [],
});

describe('delivery to CCCC when the done mark cannot be written', () => {
  it('sends each message once, records it once there is room, and reports the local failure', async () => {
    const sent: string[] = [];
    const group = {
      groupId: 'g',
      send: async (s: SendToGroup) => (sent.push(s.clientId), { eventId: `ev-${s.msgId}`, replayed: false }),
    } as unknown as GroupPort;
    const failures: unknown[] = [];
    const delivered: string[] = [];
    const delivery = await GroupDelivery.open({
      stateDir: dir,
      group,
      findInLedger: () => Promise.resolve(new Map()),
      backoff: { baseMs: 5, capMs: 20, jitterMs: 0 },
      onLocalFailure: (err) => failures.push(err),
      onDelivered: (s) => delivered.push(s.msgId),
    });
    const real = Journal.prototype.markDone;
    let left = 3;
    vi.spyOn(Journal.prototype, 'markDone').mockImplementation(function (this: Journal<unknown>, ids) {
      return left-- > 0 ? Promise.reject(noSpace()) : real.call(this, ids);
    });
    await delivery.deliver(send(1), { conversationId: 'cidA', conversationType: 'group' });
    await delivery.deliver(send(2), { conversationId: 'cidA', conversationType: 'group' });
    await delivery.idle();
    expect(sent).toEqual([send(1).clientId, send(2).clientId]);
    expect(delivered).toEqual(['m1', 'm2']);
    expect(failures).toHaveLength(3);
    expect(delivery.depth).toBe(0);
    await delivery.close();
  });
});
