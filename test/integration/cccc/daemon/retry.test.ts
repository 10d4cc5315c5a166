import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../../../helpers/wait';
import { problemOf, rig, type Rig } from './helpers';

let r: Rig;

beforeEach(async () => {
  r = await rig();
});

afterEach(async () => {
  await r.daemon.close();
});

async function chatMessages(): Promise<number> {
  const text = await readFile(r.daemon.ledger(r.groupId).path, 'utf8');
  return text.split('\n').filter((l) => l.includes('"kind": "chat.message"') || l.includes('"kind":"chat.message"')).length;
}

describe('no blind resend after the request was written', () => {
  it('send without client_id: the daemon read it, acted, and dropped the line → one request, a clear problem', async () => {
    r.daemon.setFault({ ops: ['send'], drop: 'after-handling', times: 1 });
    const err = await problemOf(r.client.send({ group_id: r.groupId, text: 'deploy now' }));
    expect(err.toProblem()).toMatchObject({
      code: 'cccc.connection_lost',
      retryable: true,
      details: { op: 'send', written: true },
    });
    expect(err.message).toContain('may or may not have been applied');
    expect(r.daemon.requests().filter((q) => q.op === 'send')).toHaveLength(1);
    // It had been applied: a blind resend would have posted it twice.
    expect(await chatMessages()).toBe(1);
  });

  it('group_start dropped before handling is not repeated either', async () => {
    r.daemon.setFault({ ops: ['group_start'], drop: 'before-handling', times: 1 });
    expect((await problemOf(r.client.groupStart(r.groupId))).code).toBe('cccc.connection_lost');
    expect(r.daemon.requests().filter((q) => q.op === 'group_start')).toHaveLength(1);
  });

  it('IM bind dropped after handling is not repeated (a repeat would fail with invalid_key)', async () => {
    const key = await r.daemon.addPendingKey('cidA');
    r.daemon.setFault({ ops: ['im_bind_chat'], drop: 'after-handling', times: 1 });
    expect((await problemOf(r.client.imBindChat(r.groupId, key))).code).toBe('cccc.connection_lost');
    expect(r.daemon.requests().filter((q) => q.op === 'im_bind_chat')).toHaveLength(1);
    expect((await r.client.imListAuthorized(r.groupId)).authorized).toHaveLength(1);
  });
});

describe('safe retries', () => {
  it('send with a client_id is retried and answered replayed:true, posted once', async () => {
    r.daemon.setFault({ ops: ['send'], drop: 'after-handling', times: 1 });
    const res = await r.client.send({ group_id: r.groupId, text: 'deploy now', client_id: 'im:dingtalk:cid:m42' });
    expect(res.replayed).toBe(true);
    expect(r.daemon.requests().filter((q) => q.op === 'send')).toHaveLength(2);
    expect(await chatMessages()).toBe(1);
  });

  it('send with a client_id, dropped before the daemon acted, is retried and posted once', async () => {
    r.daemon.setFault({ ops: ['send'], drop: 'before-handling', times: 1 });
    const res = await r.client.send({ group_id: r.groupId, text: 'deploy now', client_id: 'im:dingtalk:cid:m43' });
    expect(res.replayed).toBe(false);
    expect(await chatMessages()).toBe(1);
  });

  it('reads are retried after a dropped answer', async () => {
    r.daemon.setFault({ ops: ['group_show'], drop: 'after-handling', times: 1 });
    expect((await r.client.groupShow(r.groupId)).group.group_id).toBe(r.groupId);
    r.daemon.setFault({ ops: ['actor_list'], drop: 'before-handling', times: 1 });
    expect((await r.client.actorList(r.groupId)).actors).toHaveLength(2);
    expect(r.daemon.requests().map((q) => q.op)).toEqual(['group_show', 'group_show', 'actor_list', 'actor_list']);
  });

  it('retries are bounded: an always-failing read gives up with the transport problem', async () => {
    r.daemon.setFault({ ops: ['groups'], drop: 'before-handling' });
    expect((await problemOf(r.client.groups())).code).toBe('cccc.connection_lost');
    expect(r.daemon.requests()).toHaveLength(3);
  });

  it('not running before anything was written is retried even for a plain send', async () => {
    await r.daemon.stopDaemon();
    const lookups = vi.spyOn(r.client, 'endpoint');
    const pending = r.client.send({ group_id: r.groupId, text: 'while CCCC restarts' }, { retries: 8 });
    // Each attempt looks the daemon up first: a second look-up is a retry while CCCC was down.
    await waitFor(() => lookups.mock.calls.length >= 2, 'a retry while CCCC is down');
    await r.daemon.restart();
    const res = await pending;
    expect(res.event.data['text']).toBe('while CCCC restarts');
    expect(r.daemon.requests().filter((q) => q.op === 'send')).toHaveLength(1);
  });

  it('still down after the retries: cccc.not_running, retryable', async () => {
    await r.daemon.stopDaemon();
    const err = await problemOf(r.client.send({ group_id: r.groupId, text: 'x' }));
    expect(err.toProblem()).toMatchObject({ code: 'cccc.not_running', retryable: true });
  });

  it('a cancelled call stops at once and is not retried', async () => {
    r.daemon.setFault({ ops: ['context_get'], delayMs: 2_000 });
    const controller = new AbortController();
    const pending = r.client.contextGet(r.groupId, { signal: controller.signal });
    await waitFor(() => r.daemon.requests().some((q) => q.op === 'context_get' && q.fault === 'delay'), 'the call in flight at the daemon');
    controller.abort();
    const err = await problemOf(pending);
    expect(err.code).toBe('cccc.aborted');
    expect(r.daemon.requests()).toHaveLength(1);
  });
});
