import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rig, type Rig } from './helpers';

let r: Rig;

beforeEach(async () => {
  r = await rig();
});

afterEach(async () => {
  await r.daemon.close();
});

async function ledgerEvents(): Promise<{ id: string; kind: string; by: string; data: Record<string, unknown> }[]> {
  const text = await readFile(r.daemon.ledger(r.groupId).path, 'utf8');
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; kind: string; by: string; data: Record<string, unknown> });
}

describe('read operations', () => {
  it('ping: version, pid, IPC version', async () => {
    const pong = await r.client.ping();
    expect(pong).toMatchObject({ version: r.daemon.version, pid: r.daemon.pid, ipc_v: 1, implementation: 'python' });
    expect(pong.capabilities).toHaveProperty('events_stream', true);
  });

  it('groups: the group picker list', async () => {
    const second = await r.daemon.createGroup({ title: 'Second' });
    const { groups } = await r.client.groups();
    expect(groups.map((g) => g.group_id)).toEqual([second, r.groupId]);
    expect(groups[1]).toMatchObject({ title: 'Demo', running: true, state: 'active' });
    expect(groups[0]).toMatchObject({ title: 'Second', running: false });
  });

  it('group_show: running is inside group, actors and unknown fields are kept', async () => {
    const { group } = await r.client.groupShow(r.groupId);
    expect(group).toMatchObject({ group_id: r.groupId, title: 'Demo', running: true, state: 'active' });
    expect(group.actors.map((a) => [a.id, a.title])).toEqual([
      ['boss', 'Boss'],
      ['helper', 'Code Helper'],
    ]);
    expect(group).toHaveProperty('automation');
  });

  it('actor_list: roles by position, running state', async () => {
    const { actors } = await r.client.actorList(r.groupId);
    expect(actors.map((a) => [a.id, a.role, a.running, a.enabled])).toEqual([
      ['boss', 'foreman', true, true],
      ['helper', 'peer', true, true],
    ]);
    expect(typeof actors[0]?.idle_seconds).toBe('number');
  });

  it('context_get: brief, tasks, attention', async () => {
    const ctx = await r.client.contextGet(r.groupId);
    expect(ctx.coordination?.brief).toMatchObject({ objective: '', current_focus: '', constraints: [] });
    expect(ctx.attention).toMatchObject({ blocked: [], waiting_user: [] });
  });
});

describe('group lifecycle', () => {
  it('group_stop then group_start, each with its ledger event', async () => {
    expect(await r.client.groupStop(r.groupId)).toMatchObject({ group_id: r.groupId, stopped: ['boss', 'helper'] });
    expect((await r.client.groupShow(r.groupId)).group).toMatchObject({ running: false, state: 'stopped' });
    expect((await r.client.actorList(r.groupId)).actors.map((a) => [a.id, a.running, a.enabled])).toEqual([
      ['boss', false, false],
      ['helper', false, false],
    ]);
    expect(await r.client.groupStart(r.groupId)).toMatchObject({ started: ['boss', 'helper'] });
    expect((await r.client.groups()).groups[0]).toMatchObject({ running: true, state: 'active' });
    const kinds = (await ledgerEvents()).map((e) => `${e.kind}:${e.by}`);
    expect(kinds.slice(-2)).toEqual(['group.stop:user', 'group.start:user']);
  });
});

describe('send', () => {
  it('writes a chat.message with every optional field the bridge sets', async () => {
    const res = await r.client.send({
      group_id: r.groupId,
      text: 'please check\n\n  line two',
      to: ['@foreman'],
      path: '',
      reply_to: 'abc',
      source_platform: 'dingtalk',
      source_user_name: 'Alice',
      source_user_id: 'staff123',
      mention_user_ids: ['staff123'],
      client_id: 'im:dingtalk:cid:msg1',
    });
    expect(res.replayed).toBe(false);
    expect(res.message_mode).toBe('send');
    expect(res.event).toMatchObject({ kind: 'chat.message', by: 'user' });
    // The last chat message: CCCC's delivery evidence follows it.
    const last = (await ledgerEvents()).filter((e) => e.kind === 'chat.message').at(-1)!;
    expect(last.id).toBe(res.event.id);
    expect(last.data).toMatchObject({
      text: 'please check\n\n  line two',
      to: ['@foreman'],
      reply_to: 'abc',
      source_platform: 'dingtalk',
      source_user_name: 'Alice',
      source_user_id: 'staff123',
      mention_user_ids: ['staff123'],
      client_id: 'im:dingtalk:cid:msg1',
      message_mode: 'send',
    });
    expect(r.daemon.requests()[0]?.args).toMatchObject({ by: 'user', message_mode: 'send', attachments: [] });
  });

  it('empty recipients go to the group default (the foreman)', async () => {
    const res = await r.client.send({ group_id: r.groupId, text: 'hi' });
    expect(res.event.data['to']).toEqual(['@foreman']);
  });

  it('resolves titles case-insensitively, ids, @user and selectors', async () => {
    const to = async (tokens: string[]): Promise<unknown> => (await r.client.send({ group_id: r.groupId, text: 'x', to: tokens })).event.data['to'];
    expect(await to(['code helper'])).toEqual(['helper']);
    expect(await to(['@Code Helper'])).toEqual(['helper']);
    expect(await to(['@boss', 'boss', '@peers'])).toEqual(['boss', '@peers']);
    expect(await to(['@user'])).toEqual(['user']);
  });

  it('a send with the same client_id is answered replayed:true without a second message', async () => {
    const first = await r.client.send({ group_id: r.groupId, text: 'once', client_id: 'im:dingtalk:c:1' });
    const again = await r.client.send({ group_id: r.groupId, text: 'once', client_id: 'im:dingtalk:c:1' });
    expect(again.replayed).toBe(true);
    expect(again.event.id).toBe(first.event.id);
    expect((await ledgerEvents()).filter((e) => e.kind === 'chat.message')).toHaveLength(1);
  });

  it('like CCCC, recognizes a repeated client_id only within the last 800 ledger lines', async () => {
    const send = () => r.client.send({ group_id: r.groupId, text: 'once', client_id: 'im:dingtalk:c:2' });
    await send();
    // The send's own delivery evidence (claimed, accepted to the foreman) counts: two lines.
    for (let i = 0; i < 796; i++) await r.daemon.speak('boss', `filler ${i}`, { group: r.groupId });
    expect((await send()).replayed).toBe(true);
    for (let i = 0; i < 800; i++) await r.daemon.speak('boss', `filler ${i}`, { group: r.groupId });
    expect((await send()).replayed).toBe(false);
    expect((await ledgerEvents()).filter((e) => e.data['client_id'] === 'im:dingtalk:c:2')).toHaveLength(2);
  });

  it('attachments must exist in the group blob store', async () => {
    const rel = 'state/blobs/0f0f_report.pdf';
    await mkdir(path.join(r.daemon.groupDir(r.groupId), 'state', 'blobs'), { recursive: true });
    await writeFile(path.join(r.daemon.groupDir(r.groupId), rel), 'pdf-bytes');
    const res = await r.client.send({
      group_id: r.groupId,
      text: '',
      attachments: [{ kind: 'file', path: rel, title: 'report.pdf', mime_type: 'application/pdf', bytes: 1, sha256: '0f0f' }],
    });
    expect(res.event.data['attachments']).toEqual([{ kind: 'file', path: rel, title: 'report.pdf', mime_type: 'application/pdf', bytes: 9, sha256: '0f0f' }]);
  });

  it('very long text is moved into a file, as CCCC does', async () => {
    const res = await r.client.send({ group_id: r.groupId, text: '字'.repeat(12_000) });
    const [att] = res.event.data['attachments'] as { kind: string; path: string; bytes: number }[];
    expect(att).toMatchObject({ kind: 'text', bytes: 36_000 });
    expect(res.event.data['text']).toBe(`[cccc] (chat text stored at ${att!.path})`);
    expect(await readFile(path.join(r.daemon.groupDir(r.groupId), att!.path), 'utf8')).toBe('字'.repeat(12_000) + '\n');
  });
});

describe('IM authorization', () => {
  it('pending → bind (authorize + subscribe, key consumed) → list → revoke', async () => {
    const key = await r.daemon.addPendingKey('cidA', { group: r.groupId });
    await r.daemon.addPendingKey('cidOld', { group: r.groupId, createdAt: Date.now() / 1000 - 3_600 });
    const { pending } = await r.client.imListPending(r.groupId);
    expect(pending).toEqual([expect.objectContaining({ key, chat_id: 'cidA', thread_id: 0, platform: 'dingtalk' })]);
    expect(pending[0]!.expires_in_seconds).toBeGreaterThan(590);

    expect(await r.client.imBindChat(r.groupId, key)).toEqual({ chat_id: 'cidA', thread_id: 0, platform: 'dingtalk' });
    const state = path.join(r.daemon.groupDir(r.groupId), 'state');
    const read = async (name: string): Promise<Record<string, Record<string, unknown>>> => JSON.parse(await readFile(path.join(state, name), 'utf8'));
    expect(await read('im_authorized_chats.json')).toEqual({
      cidA: { chat_id: 'cidA', thread_id: 0, platform: 'dingtalk', authorized_at: expect.any(Number), key_used: key, authorization_source: 'binding_key' },
    });
    expect((await read('im_subscribers.json'))['cidA']).toMatchObject({
      subscribed: true,
      verbose: false,
      paused: false,
      chat_title: '',
      thread_id: 0,
      platform: 'dingtalk',
    });
    expect(await read('im_pending_keys.json')).toEqual({});

    expect((await r.client.imListAuthorized(r.groupId)).authorized).toEqual([expect.objectContaining({ chat_id: 'cidA', key_used: key })]);
    expect(await r.client.imRevokeChat(r.groupId, 'cidA')).toEqual({ revoked: true, unsubscribed: true });
    expect(await r.client.imRevokeChat(r.groupId, 'cidA', 0)).toEqual({ revoked: false, unsubscribed: true });
    expect((await read('im_subscribers.json'))['cidA']).toMatchObject({ subscribed: false });
    expect((await r.client.imListAuthorized(r.groupId)).authorized).toEqual([]);
  });

  it('reject removes a pending key and says whether it was there', async () => {
    const key = await r.daemon.addPendingKey('cidB', { group: r.groupId });
    expect(await r.client.imRejectPending(r.groupId, key)).toEqual({ rejected: true });
    expect(await r.client.imRejectPending(r.groupId, key)).toEqual({ rejected: false });
    expect((await r.client.imListPending(r.groupId)).pending).toEqual([]);
  });

  it('thread chats are keyed chat_id:thread_id', async () => {
    const key = await r.daemon.addPendingKey('cidT', { group: r.groupId, threadId: '42' });
    expect(await r.client.imBindChat(r.groupId, key)).toEqual({ chat_id: 'cidT', thread_id: 42, platform: 'dingtalk' });
    expect(Object.keys(JSON.parse(await readFile(path.join(r.daemon.groupDir(r.groupId), 'state', 'im_authorized_chats.json'), 'utf8')))).toEqual(['cidT:42']);
    expect(await r.client.imRevokeChat(r.groupId, 'cidT', 42)).toEqual({ revoked: true, unsubscribed: true });
  });
});

describe('test controls of the fake', () => {
  it('speak, notify and stream append real-format events', async () => {
    const said = await r.daemon.speak('boss', 'done', { group: r.groupId });
    expect(said).toMatchObject({ kind: 'chat.message', by: 'boss', data: { to: ['user'], sender_title: 'Boss', sender_runtime: 'custom' } });
    const note = await r.daemon.notify('Build finished', { visibility: 'public', title: 'CI' });
    expect(note).toMatchObject({ kind: 'system.notify', by: 'system', data: { im_visibility: 'public', title: 'CI', message: 'Build finished' } });
    const start = await r.daemon.stream('helper', { text: 'typ' });
    const end = await r.daemon.stream('helper', { op: 'end', streamId: String(start.data['stream_id']), text: 'typed' });
    expect(end.data).toMatchObject({ op: 'end', stream_id: start.data['stream_id'], sender_title: 'Code Helper' });
    expect((await ledgerEvents()).slice(-4).map((e) => e.id)).toEqual([said.id, note.id, start.id, end.id]);
  });

  it('rotateLedger moves the ledger into segments, gzipped on request', async () => {
    await r.daemon.speak('boss', 'before rotation');
    const segment = await r.daemon.rotateLedger({ gzip: true });
    expect(segment).toMatch(/state\/ledger\/segments\/ledger\.\d{8}T\d{6}Z\.\d+\.jsonl\.gz$/);
    const after = await r.daemon.speak('boss', 'after rotation');
    expect((await ledgerEvents()).map((e) => e.id)).toEqual([after.id]);
  });
});
