import { describe, expect, it } from 'vitest';
import { readAgentEvent, wantsEvent, type AgentEvent } from '../../../../electron/core/bridge/outbound/agent-event';
import type { LedgerEvent } from '../../../../electron/core/cccc/ledger/event';

function ev(kind: string, by: string, data: Record<string, unknown>): LedgerEvent {
  return { v: 1, id: `e-${Math.random()}`, ts: '2026-01-01T00:00:00.000000Z', kind, group_id: 'g', scope_key: '', by, data };
}

const msg = (by: string, text: string, to: string[] = [], extra: Record<string, unknown> = {}) =>
  readAgentEvent(ev('chat.message', by, { text, to, ...extra })) as Extract<AgentEvent, { kind: 'message' }>;

describe('which events reach a chat', () => {
  it('never echoes the user, and ignores kinds that are not for people', () => {
    expect(readAgentEvent(ev('chat.message', 'user', { text: 'mine', to: ['@foreman'] }))).toBeUndefined();
    expect(readAgentEvent(ev('actor.start', 'system', {}))).toBeUndefined();
    expect(readAgentEvent(ev('chat.stream', 'boss', { op: 'update' }))).toBeUndefined();
  });

  it('reads a stream (a chat.stream without a stream id is not one), and the stream a message completes', () => {
    const stream = readAgentEvent(
      ev('chat.stream', 'boss', { stream_id: 's1', op: 'update', text: 'so far', to: ['helper'], sender_title: 'Boss', mode: 'delta' }),
    );
    expect(stream).toMatchObject({ kind: 'stream', streamId: 's1', op: 'update', text: 'so far', delta: true, senderTitle: 'Boss', userFacing: false });
    expect(stream?.kind === 'stream' && stream.at).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(wantsEvent(stream!, { verbose: false })).toBe(false);
    expect(wantsEvent(stream!, { verbose: true })).toBe(true);
    expect(msg('boss', 'done', ['user'], { stream_id: 's1' }).streamId).toBe('s1');
  });

  it('treats user and @user (and an empty to, from older ledgers) as user-facing; @all is the agents', () => {
    for (const to of [[], ['user'], ['@user'], [' user '], ['helper', 'user']]) expect(msg('boss', 'x', to).userFacing).toBe(true);
    for (const to of [['helper'], ['@peers'], ['@foreman'], ['@all'], ['@all', 'helper']]) expect(msg('boss', 'x', to).userFacing).toBe(false);
  });

  it('gives a non-verbose chat no message to @all, a verbose one all of them', () => {
    expect(wantsEvent(msg('boss', 'x', ['@all']), { verbose: false })).toBe(false);
    expect(wantsEvent(msg('boss', 'x', ['@all']), { verbose: true })).toBe(true);
  });

  it('forwards a notice as CCCC’s bridge does: public, aimed at no single actor, to the user or everyone', () => {
    const notice = (data: Record<string, unknown>) => readAgentEvent(ev('system.notify', 'system', { message: 'm', ...data }))!;
    const forwarded = (data: Record<string, unknown>) => wantsEvent(notice(data), { verbose: true });
    expect(forwarded({ im_visibility: 'public' })).toBe(true);
    expect(forwarded({ im_visibility: ' Public ' })).toBe(true);
    expect(forwarded({ im_visibility: 'public', to: [] })).toBe(true);
    expect(forwarded({ im_visibility: 'public', to: ['user'] })).toBe(true);
    expect(forwarded({ im_visibility: 'public', to: ['@all'] })).toBe(true);
    expect(forwarded({ im_visibility: 'public', target_actor_id: null })).toBe(true);
    expect(forwarded({ im_visibility: 'public', target_actor_id: '  ' })).toBe(true);
    // Aimed at one agent: stays inside CCCC even when marked public.
    expect(forwarded({ im_visibility: 'public', target_actor_id: 'helper' })).toBe(false);
    expect(forwarded({ im_visibility: 'public', actor_id: 'helper', to: ['helper'] })).toBe(false);
    expect(forwarded({ im_visibility: 'public', to: ['helper'] })).toBe(false);
    expect(forwarded({ im_visibility: 'public', to: ['@foreman'] })).toBe(false);
    // Not marked public: internal.
    expect(forwarded({})).toBe(false);
    expect(forwarded({ im_visibility: 'internal' })).toBe(false);
    expect(forwarded({ im_visibility: 'loud' })).toBe(false);
  });

  it('gives non-verbose chats only user-facing messages, verbose chats everything, notices only when public', () => {
    expect(wantsEvent(msg('boss', 'x', ['helper']), { verbose: false })).toBe(false);
    expect(wantsEvent(msg('boss', 'x', ['helper']), { verbose: true })).toBe(true);
    expect(wantsEvent(msg('boss', 'x', ['user']), { verbose: false })).toBe(true);
    const pub = readAgentEvent(ev('system.notify', 'system', { message: 'm', im_visibility: 'public' }))!;
    const internal = readAgentEvent(ev('system.notify', 'system', { message: 'm', im_visibility: 'internal' }))!;
    expect(wantsEvent(pub, { verbose: false })).toBe(true);
    expect(wantsEvent(internal, { verbose: true })).toBe(false);
  });
});
