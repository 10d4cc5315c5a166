/** Retried sends to CCCC look into the ledger first only when the failed try may have reached it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupDelivery } from '../../../../electron/core/bridge/inbound/group-delivery';
import type { GroupPort, SendToGroup } from '../../../../electron/core/bridge/ports';
import { BridgeError } from '../../../../electron/core/errors';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'delivery-retry-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const message: SendToGroup = {
  msgId: 'm1',
  text: 'hello',
  to: ['@foreman'],
  attachments: [],
  clientId: 'im:dingtalk:cidA:m1',
  sourceUserName: 'Alice',
  sourceUserId: 'staff-alice',
  mentionUserIds: [],
};
const failure = (code: string): BridgeError => new BridgeError({ code, message: code, retryable: true });

async function deliverAfter(firstFailure: BridgeError): Promise<{ lookups: number; sends: number }> {
  let sends = 0;
  let lookups = 0;
  const group = {
    groupId: 'g',
    send: async () => {
      sends += 1;
      if (sends === 1) throw firstFailure;
      return { eventId: 'ev1', replayed: false };
    },
  } as unknown as GroupPort;
  const delivery = await GroupDelivery.open({
    stateDir: dir,
    group,
    findInLedger: async () => {
      lookups += 1;
      return new Map();
    },
    backoff: { baseMs: 1, capMs: 5, jitterMs: 0 },
  });
  await delivery.deliver(message, { conversationId: 'cidA', conversationType: 'group' });
  await delivery.idle();
  await delivery.close();
  return { lookups, sends };
}

describe('delivery to CCCC, retried', () => {
  it('does not read the ledger when the daemon was not running (the message never reached it)', async () => {
    expect(await deliverAfter(failure('cccc.not_running'))).toEqual({ lookups: 0, sends: 2 });
  });

  it('looks for the message in the ledger once when the answer was lost (it may be there)', async () => {
    expect(await deliverAfter(failure('cccc.connection_lost'))).toEqual({ lookups: 1, sends: 2 });
  });
});
