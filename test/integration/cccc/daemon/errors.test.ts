import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../../../electron/core/cccc/daemon/client';
import { exchange } from '../../../../electron/core/cccc/daemon/transport';
import { problemOf, rig, type Rig } from './helpers';

let r: Rig;

beforeEach(async () => {
  r = await rig();
});

afterEach(async () => {
  await r.daemon.close();
});

describe('daemon error codes → problems', () => {
  it('unknown recipient: names it and says how to address someone', async () => {
    const err = await problemOf(r.client.send({ group_id: r.groupId, text: 'x', to: ['@nobody'] }));
    expect(err.toProblem()).toMatchObject({
      code: 'cccc.invalid_recipient',
      message: 'Unknown recipient "nobody"',
      retryable: false,
      details: { op: 'send', daemonCode: 'invalid_recipient', daemonMessage: 'unknown recipient: nobody' },
    });
    expect(err.hint).toMatch(/@all.*@foreman.*user/);
  });

  it('ambiguous title', async () => {
    const g = await r.daemon.createGroup({
      actors: [
        { id: 'a1', title: 'Twin' },
        { id: 'a2', title: 'twin' },
      ],
    });
    const err = await problemOf(r.client.send({ group_id: g, text: 'x', to: ['TWIN'] }));
    expect(err.code).toBe('cccc.invalid_recipient');
    expect(err.message).toBe('Recipient "TWIN" matches more than one actor');
  });

  it.each([
    ['mixed user and agents', { to: ['user', '@foreman'] }, 'cccc.mixed_recipient_kinds'],
    ['blank text', { text: '  \n ' }, 'cccc.empty_message'],
    ['missing attachment', { attachments: [{ kind: 'file', path: 'state/blobs/nope.bin' }] }, 'cccc.invalid_attachments'],
    ['attachment outside the blob store', { attachments: [{ kind: 'file', path: '../../etc/passwd' }] }, 'cccc.invalid_attachments'],
    ['unknown group', { group_id: 'g_000000000000' }, 'cccc.group_not_found'],
    ['no group', { group_id: '' }, 'cccc.missing_group_id'],
  ])('send: %s', async (_name, patch, code) => {
    const err = await problemOf(r.client.send({ group_id: r.groupId, text: 'hello', ...patch }));
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(false);
    expect(err.message).not.toMatch(/^\s*$/);
  });

  it('invalid attachment keeps the daemon text in the message', async () => {
    const err = await problemOf(r.client.send({ group_id: r.groupId, text: 'x', attachments: [{ kind: 'file', path: 'state/blobs/nope.bin' }] }));
    expect(err.message).toContain('attachment not found: state/blobs/nope.bin');
  });

  it('a group without agents: no_enabled_recipients', async () => {
    const empty = await r.daemon.createGroup({ title: 'Empty' });
    const err = await problemOf(r.client.send({ group_id: empty, text: 'anyone?' }));
    expect(err.code).toBe('cccc.no_enabled_recipients');
    expect(err.hint).toContain('cccc actor add');
  });

  it('group_not_found names the group', async () => {
    const err = await problemOf(r.client.groupShow('g_123456789abc'));
    expect(err.message).toBe('CCCC group g_123456789abc does not exist');
    expect(err.hint).toContain('cccc groups');
  });

  it('IM: invalid_key and missing_key', async () => {
    const bad = await problemOf(r.client.imBindChat(r.groupId, 'nope'));
    expect(bad.toProblem()).toMatchObject({ code: 'cccc.invalid_key', message: 'That key is unknown or has expired', retryable: false });
    expect(bad.hint).toContain('/subscribe');
    expect((await problemOf(r.client.imBindChat(r.groupId, ' '))).code).toBe('cccc.missing_key');
    expect((await problemOf(r.client.imRevokeChat(r.groupId, ''))).code).toBe('cccc.missing_chat_id');
  });

  it('group_start without a project folder', async () => {
    const bare = await r.daemon.createGroup({ scope: false });
    const err = await problemOf(r.client.groupStart(bare));
    expect(err.code).toBe('cccc.missing_project_root');
    expect(err.hint).toContain(`cccc attach <path> --group ${bare}`);
  });

  it('unknown_op: this CCCC is too old', async () => {
    r.daemon.setFault({ ops: ['im_list_pending'], error: { code: 'unknown_op', message: 'unknown op: im_list_pending' } });
    const err = await problemOf(r.client.imListPending(r.groupId));
    expect(err.toProblem()).toMatchObject({ code: 'cccc.unknown_op', message: 'This CCCC version is too old for `im_list_pending`', retryable: false });
    expect(err.hint).toContain('pip install -U cccc-pair');
    expect((await problemOf(r.client.request('no_such_op', {}, { idempotent: true, timeoutMs: 1_000 }))).code).toBe('cccc.unknown_op');
  });

  it('internal_error is retryable; an unknown code is passed through as daemon_error', async () => {
    r.daemon.setFault({ error: { code: 'internal_error', message: 'internal error: KeyError' }, times: 1 });
    expect((await problemOf(r.client.groups())).toProblem()).toMatchObject({ code: 'cccc.internal_error', retryable: true });
    r.daemon.setFault({ error: { code: 'brand_new_code', message: 'something new', details: { a: 1 } }, times: 1 });
    expect((await problemOf(r.client.groups())).toProblem()).toMatchObject({
      code: 'cccc.daemon_error',
      message: 'CCCC refused `groups`: something new',
      retryable: false,
      details: { daemonCode: 'brand_new_code', daemonDetails: { a: 1 } },
    });
  });

  it('the fake is as strict as CCCC about the envelope', async () => {
    const endpoint = await r.client.endpoint();
    const answer = JSON.parse(
      await exchange(endpoint, JSON.stringify({ v: 1, op: 'ping', args: {}, id: 7 }), { timeoutMs: 1_000, connectTimeoutMs: 1_000, maxResponseBytes: 10_000 }),
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid_request', message: 'invalid request' } });
    expect(answer.error.details.error).toContain('Extra inputs are not permitted');
  });
});

describe('timeouts', () => {
  it('an answer that does not come in time: cccc.timeout, and a timed-out read is not repeated', async () => {
    r.daemon.setFault({ ops: ['group_show'], delayMs: 1_000 });
    const started = Date.now();
    const err = await problemOf(r.client.groupShow(r.groupId, { timeoutMs: 150 }));
    expect(Date.now() - started).toBeLessThan(900);
    expect(err.toProblem()).toMatchObject({ code: 'cccc.timeout', retryable: true, details: { op: 'group_show', written: true } });
    expect(err.message).toBe('CCCC did not answer `group_show` within 0.2 s');
    expect(r.daemon.requests().filter((q) => q.op === 'group_show')).toHaveLength(1);
  });

  it('per-operation timeouts can be configured', async () => {
    r.daemon.setFault({ ops: ['ping'], delayMs: 1_000 });
    const client = new DaemonClient({ home: r.daemon.home, timeouts: { ping: 100 } });
    const err = await problemOf(client.ping());
    expect(err.message).toBe('CCCC did not answer `ping` within 0.1 s');
  });
});

describe('malformed answers', () => {
  it.each([
    ['not-json', 'not JSON'],
    ['bad-envelope', 'not a v1 response envelope'],
    ['bad-result', 'unexpected result'],
    ['truncated', 'not JSON'],
  ] as const)('%s → cccc.bad_answer', async (malformed, why) => {
    r.daemon.setFault({ malformed });
    const err = await problemOf(r.client.groups());
    expect(err.code).toBe('cccc.bad_answer');
    expect(err.message).toContain(why);
    expect(err.retryable).toBe(false);
  });

  it('an answer over the size bound is cut off', async () => {
    r.daemon.setFault({ malformed: 'oversize' });
    const err = await problemOf(r.client.groups());
    expect(err.code).toBe('cccc.bad_answer');
    expect(err.message).toContain('larger than the bridge accepts');
  });

  it('a request over the daemon line limit is refused before connecting', async () => {
    const err = await problemOf(r.client.send({ group_id: r.groupId, text: 'x'.repeat(2_000_000) }));
    expect(err.code).toBe('cccc.request_too_large');
    expect(r.daemon.requests()).toEqual([]);
  });
});
