import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerEvent } from '../../../electron/core/cccc/ledger/event';
import { REPLY_REQUESTS_FILE, ReplyRequests, requestTag } from '../../../electron/core/bridge/reply-requests';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reply-requests-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
const id = (prefix: string): string => `${prefix}${String(++n).padStart(32 - prefix.length, '0')}`;
const ev = (kind: string, by: string, data: Record<string, unknown>, eventId = id('e')): LedgerEvent => ({
  v: 1,
  id: eventId,
  ts: '2026-01-01T00:00:00Z',
  kind,
  group_id: 'g',
  by,
  data,
});
const ask = (by: string, text: string, eventId: string): LedgerEvent => ev('chat.message', by, { text, to: ['user'], message_mode: 'request_reply' }, eventId);
const everywhere = (): string[] => [];

describe('ReplyRequests', () => {
  it('opens a request per agent question to the user; the user’s reply_to or a cancellation closes it', async () => {
    const r = await ReplyRequests.open(dir);
    const a = id('a1');
    const b = id('b2');
    await r.observe(
      [
        ask('boss', 'Deploy?', a),
        ask('helper', 'Rename?', b),
        // Not requests to the user: an ordinary message, a request to an agent, one relayed to another group.
        ev('chat.message', 'boss', { text: 'fyi', to: ['user'], message_mode: 'send' }),
        ev('chat.message', 'boss', { text: 'review?', to: ['helper'], message_mode: 'request_reply' }),
        ev('chat.message', 'boss', { text: 'x', to: ['user'], message_mode: 'request_reply', dst_group_id: 'g_other' }),
      ],
      everywhere,
    );
    expect((await r.openIn('cidA')).map((q) => [q.tag, q.by, q.text])).toEqual([
      [requestTag(a), 'boss', 'Deploy?'],
      [requestTag(b), 'helper', 'Rename?'],
    ]);
    // An agent's reply does not close the user's obligation; the user's does.
    await r.observe([ev('chat.message', 'helper', { text: 'me too', reply_to: a })], everywhere);
    expect(await r.isOpen(a)).toBe(true);
    await r.observe(
      [ev('chat.message', 'user', { text: 'yes', reply_to: a }), ev('chat.reply_request.cancelled', 'helper', { source_event_id: b })],
      everywhere,
    );
    expect(await r.openIn('cidA')).toEqual([]);
    // Kept on disk for the next run.
    await r.observe([ask('boss', 'Again?', id('c3'))], everywhere);
    const again = await ReplyRequests.open(dir);
    expect((await again.openIn('cidA')).map((q) => q.text)).toEqual(['Again?']);
    expect(JSON.parse(await readFile(join(dir, REPLY_REQUESTS_FILE), 'utf8'))).toHaveProperty('open');
  });

  it('finds what a message answers: a quote, a leading tag, or the only request open in that chat', async () => {
    const r = await ReplyRequests.open(dir);
    const a = id('aa');
    const b = id('bb');
    await r.observe([ask('boss', 'Which database should we use for the new service?', a)], () => ['cidA', 'cidB']);
    expect(await r.answerIn('cidA', 'Postgres')).toMatchObject({ request: { eventId: a }, text: 'Postgres' });
    // Not shown in that chat: no implicit answer.
    expect(await r.answerIn('cidC', 'Postgres')).toBeUndefined();
    await r.observe([ask('helper', 'Rename it?', b)], () => ['cidA']);
    // Two open: plain text answers neither…
    expect(await r.answerIn('cidA', 'hm')).toBeUndefined();
    // …a leading tag says which (and is removed)…
    expect(await r.answerIn('cidA', ` ${requestTag(b).toUpperCase()}  yes`)).toMatchObject({ request: { eventId: b }, text: 'yes' });
    // …and so does a quote: by its tag, or by the beginning of the question's text.
    expect(await r.answerIn('cidA', 'ok', { text: `**❓ helper needs your reply** ${requestTag(b)}` })).toMatchObject({ request: { eventId: b } });
    expect(await r.answerIn('cidA', 'ok', { text: '[boss] Which  database should we use\nfor the new service?' })).toMatchObject({ request: { eventId: a } });
    // A quote of anything else is no answer, even with one open in the chat.
    expect(await r.answerIn('cidB', 'ok', { text: 'something else entirely' })).toBeUndefined();
    // A tag of no open request is text like any other.
    expect(await r.answerIn('cidB', '#ffff fine')).toMatchObject({ request: { eventId: a }, text: '#ffff fine' });
  });

  it('keeps at most 100 open requests, the oldest going first', async () => {
    const r = await ReplyRequests.open(dir);
    const ids = Array.from({ length: 101 }, (_, i) => id(`r${i}`));
    await r.observe(
      ids.map((eventId, i) => ask('boss', `q${i}`, eventId)),
      everywhere,
    );
    expect(await r.isOpen(ids[0]!)).toBe(false);
    expect(await r.isOpen(ids[100]!)).toBe(true);
    expect(await r.openIn('cidA')).toHaveLength(100);
  });
});
