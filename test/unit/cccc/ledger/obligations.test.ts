import { describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../../electron/core/cccc/ledger/event';
import { readObligationFact } from '../../../../electron/core/cccc/ledger/obligations';

const ev = (kind: string, by: string, data: Record<string, unknown>): LedgerEvent => ({
  v: 1,
  id: 'e1',
  ts: '2026-01-01T00:00:00Z',
  kind,
  group_id: 'g',
  by,
  data,
});

describe('readObligationFact', () => {
  it('reads reply requests to the user, the user’s answers and cancellations', () => {
    expect(readObligationFact(ev('chat.message', 'boss', { text: 'Go?', to: ['@user'], message_mode: 'request_reply' }))).toEqual({
      kind: 'request',
      eventId: 'e1',
      by: 'boss',
      text: 'Go?',
    });
    expect(readObligationFact(ev('chat.message', 'boss', { text: 'Go?', to: ['helper'], message_mode: 'request_reply' }))).toBeUndefined();
    expect(readObligationFact(ev('chat.message', 'boss', { text: 'Go?', to: ['user'], message_mode: 'send' }))).toBeUndefined();
    expect(readObligationFact(ev('chat.message', 'user', { text: 'yes', reply_to: 'e0' }))).toEqual({ kind: 'answered', sourceEventId: 'e0' });
    expect(readObligationFact(ev('chat.message', 'user', { text: 'hi', reply_to: null }))).toBeUndefined();
    expect(readObligationFact(ev('chat.reply_request.cancelled', 'boss', { source_event_id: 'e0' }))).toEqual({ kind: 'cancelled', sourceEventId: 'e0' });
  });

  it('reads delivery evidence only when the daemon wrote it', () => {
    const data = { actor_id: 'boss', source_event_id: 'e0', delivery_id: 'd', state: 'failed', transport: 'pty', reason: 'runtime rejected payload' };
    expect(readObligationFact(ev('runtime.delivery', 'system', data))).toEqual({
      kind: 'delivery',
      sourceEventId: 'e0',
      actorId: 'boss',
      state: 'failed',
      reason: 'runtime rejected payload',
    });
    expect(readObligationFact(ev('runtime.delivery', 'boss', data))).toBeUndefined();
    expect(readObligationFact(ev('runtime.delivery', 'system', { ...data, state: 'delivered' }))).toBeUndefined();
  });
});
