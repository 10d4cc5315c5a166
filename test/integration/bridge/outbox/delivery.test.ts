import { waitFor } from '../../../helpers/wait';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, groupChat, singleChat, textItem, contentsFor, type Harness } from './harness';
import { SessionWebhooks } from '../../../../electron/core/bridge/session-webhooks';

let h: Harness;
afterEach(async () => h.close());

const range = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

describe('outbox delivery', () => {
  it('keeps each chat in order while chats run in parallel (groups and single chats)', async () => {
    h = await startHarness({ qpsLimit: 1000 });
    h.dt.setFault({ httpDelayMs: 2 });
    const box = await h.outbox({ qpsPerApi: 500 });
    const chats = [groupChat(1), groupChat(2), groupChat(3), singleChat('staffA'), singleChat('staffB')];
    const expected = new Map(chats.map((c) => [c.conversationId, range(20, c.conversationId)]));
    // Interleaved, in several concurrent enqueue calls.
    const batches = Array.from({ length: 4 }, (_, b) =>
      chats.flatMap((c) =>
        expected
          .get(c.conversationId)!
          .slice(b * 5, b * 5 + 5)
          .map((t) => textItem(c, t)),
      ),
    );
    await Promise.all(batches.map((batch) => box.enqueue(batch)));
    expect(box.depth()).toBeGreaterThan(0);
    await box.idle();
    const sent = h.dt.sentMessages();
    for (const c of chats) expect(contentsFor(sent, c)).toEqual(expected.get(c.conversationId));
    expect(sent.filter((m) => m.via === 'oto')).toHaveLength(40);
    expect(h.failures).toEqual([]);
    expect(box.depth()).toBe(0);
    expect(box.depthByChat()).toEqual({});
  });

  it('rides out the QPS limit DingTalk enforces: retried, nothing lost, order kept', async () => {
    h = await startHarness({ qpsLimit: 10 });
    // Deliberately faster than the fake allows, so the fake answers 403 QpsLimit.
    const box = await h.outbox({ qpsPerApi: 100 });
    const chats = [groupChat('q1'), groupChat('q2'), groupChat('q3')];
    await box.enqueue(chats.flatMap((c) => range(8, c.conversationId).map((t) => textItem(c, t))));
    await box.idle();
    const throttled = h.dt.requests().filter((r) => r.api === 'groupMessages.send' && r.code === 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi');
    expect(throttled.length).toBeGreaterThan(0);
    for (const c of chats) expect(contentsFor(h.dt.sentMessages(), c)).toEqual(range(8, c.conversationId));
    expect(h.failures).toEqual([]);
  });

  it('stays under the limit by itself when its rate is set below it (no 403 at all)', async () => {
    h = await startHarness({ qpsLimit: 10 });
    // 8/s + a burst of 1 puts at most 9 calls in any second: one call of margin for scheduling jitter.
    const box = await h.outbox({ qpsPerApi: 8 });
    const chats = [groupChat('u1'), groupChat('u2')];
    await box.enqueue(chats.flatMap((c) => range(10, c.conversationId).map((t) => textItem(c, t))));
    await box.idle();
    expect(
      h.dt
        .requests()
        .filter((r) => r.api === 'groupMessages.send')
        .map((r) => r.status),
    ).toEqual(Array(20).fill(200));
    for (const c of chats) expect(contentsFor(h.dt.sentMessages(), c)).toEqual(range(10, c.conversationId));
  });

  it('uses the session webhook while valid, and the OpenAPI at once when it has expired', async () => {
    h = await startHarness({ qpsLimit: 1000 });
    const webhooks = new SessionWebhooks();
    const box = await h.outbox({ webhooks });
    const chat = groupChat('W');
    const inbound = h.dt.injectMessage({ conversationId: chat.conversationId, text: 'hi' });
    webhooks.remember(chat.conversationId, { url: inbound.sessionWebhook, expiresAt: inbound.sessionWebhookExpiredTime });
    await box.enqueue([
      textItem(chat, 'w1', { payload: { kind: 'message', message: { kind: 'text', content: 'w1' }, atUserIds: ['user001'] } }),
      textItem(chat, 'w2'),
    ]);
    await box.idle();
    h.dt.setFault({ webhookExpired: true });
    await box.enqueue([textItem(chat, 'w3'), textItem(chat, 'w4')]);
    await box.idle();
    const sent = h.dt.sentMessages();
    expect(sent.map((m) => [m.via, m.msgParam['content']])).toEqual([
      ['webhook', 'w1'],
      ['webhook', 'w2'],
      ['group', 'w3'],
      ['group', 'w4'],
    ]);
    expect(sent[0]!.webhookBody?.['at']).toEqual({ atUserIds: ['user001'] });
    // One webhook call answered 300001; after it the webhook was forgotten.
    expect(
      h.dt
        .requests()
        .filter((r) => r.api === 'webhook')
        .map((r) => r.code ?? 0),
    ).toEqual([0, 0, 300001]);
    expect(h.delivered.map((d) => d.via)).toEqual(['webhook', 'webhook', 'group', 'group']);
    expect(h.failures).toEqual([]);
  });

  it('keeps to the per-chat webhook budget, then uses the OpenAPI; a webhook near expiry is not used', async () => {
    h = await startHarness({ qpsLimit: 1000 });
    const webhooks = new SessionWebhooks();
    const box = await h.outbox({ webhooks, webhookPerChatPerMinute: 3 });
    const chat = singleChat('user001');
    const inbound = h.dt.injectMessage({ conversationType: '1', senderStaffId: 'user001', text: 'hi' });
    const live = { ...chat, conversationId: inbound.conversationId };
    webhooks.remember(live.conversationId, { url: inbound.sessionWebhook, expiresAt: inbound.sessionWebhookExpiredTime });
    await box.enqueue(range(5, 's').map((t) => textItem(live, t)));
    await box.idle();
    expect(h.dt.sentMessages().map((m) => m.via)).toEqual(['webhook', 'webhook', 'webhook', 'oto', 'oto']);

    const soon = h.dt.injectMessage({ conversationId: 'cidGroupSoon', text: 'hi', sessionWebhookExpiredTime: Date.now() + 30_000 });
    webhooks.remember('cidGroupSoon', { url: soon.sessionWebhook, expiresAt: soon.sessionWebhookExpiredTime });
    await box.enqueue([textItem(groupChat('Soon'), 'late')]);
    await box.idle();
    expect(h.dt.sentMessages().at(-1)).toMatchObject({ via: 'group', msgParam: { content: 'late' } });
  });

  it('holds messages while the app lacks a permission, says so, and delivers them once it is granted', async () => {
    h = await startHarness({ qpsLimit: 1000 });
    const box = await h.outbox();
    const chat = groupChat('P');
    h.dt.setFault({ permissionDenied: { 'groupMessages.send': ['qyapi_robot_sendmsg'] } });
    await box.enqueue([textItem(chat, 'first'), textItem(chat, 'second')]);
    await waitFor(() => h!.waiting.length >= 2, 'waiting reported');
    expect(h.waiting[0]!.problem).toMatchObject({ code: 'dingtalk.no_permission', message: 'No permission: qyapi_robot_sendmsg' });
    expect(h.failures).toEqual([]);
    h.dt.clearFaults();
    await box.idle();
    expect(contentsFor(h.dt.sentMessages(), chat)).toEqual(['first', 'second']);
  });

  it('reports a failure only this item has once, does not retry it, and the chat moves on', async () => {
    h = await startHarness({ qpsLimit: 1000 });
    const box = await h.outbox();
    const chat = groupChat('P');
    h.dt.setFault({ otoInvalidStaff: ['ghost'] });
    await box.enqueue([textItem(singleChat('ghost'), 'nobody'), textItem(chat, 'after')]);
    await box.idle();
    expect(
      h.failures.map((f) => [f.item.payload.kind === 'message' && f.item.payload.message.kind === 'text' && f.item.payload.message.content, f.problem.code]),
    ).toEqual([['nobody', 'dingtalk.invalid_user']]);
    expect(h.dt.requests().filter((r) => r.api === 'oToMessages.batchSend')).toHaveLength(1);
    expect(contentsFor(h.dt.sentMessages(), chat)).toEqual(['after']);
    // The two chats ran at once, so their records may come in either order.
    const audit = await h.audit.read({ direction: 'out' });
    expect(audit).toHaveLength(2);
    expect(audit.find((r) => r.chatType === 'single')).toMatchObject({
      recipients: ['ghost'],
      kind: 'text',
      chars: 6,
      result: { ok: false, code: 'dingtalk.invalid_user' },
    });
    expect(audit.filter((r) => r.result?.ok)).toEqual([expect.objectContaining({ chatId: chat.conversationId, result: { ok: true, via: 'group' } })]);
    expect(audit.every((r) => r.content === undefined)).toBe(true);
  });

  it('retries network errors and flow control without losing or reordering, and gives up on items too old', async () => {
    h = await startHarness({ qpsLimit: 1000 });
    const box = await h.outbox({ maxAttemptAgeMs: 60_000 });
    const chat = groupChat('N');
    h.dt.setFault({ networkErrorNext: 2 });
    await box.enqueue(range(4, 'n').map((t) => textItem(chat, t)));
    await box.idle();
    expect(contentsFor(h.dt.sentMessages(), chat)).toEqual(range(4, 'n'));

    h.dt.setFault({ otoFlowControlled: ['busy'] });
    const busy = singleChat('busy');
    await box.enqueue([textItem(busy, 'b0')]);
    await waitFor(() => h.dt.requests().filter((r) => r.api === 'oToMessages.batchSend').length >= 2, 'a send retried after flow control');
    h.dt.clearFaults();
    await box.idle();
    expect(contentsFor(h.dt.sentMessages(), busy)).toEqual(['b0']);

    await box.enqueue([textItem(chat, 'stale', { createdAt: Date.now() - 120_000 })]);
    await box.idle();
    expect(h.failures.map((f) => f.problem.code)).toEqual(['outbox.expired']);
    expect(contentsFor(h.dt.sentMessages(), chat)).not.toContain('stale');
  });

  it('takes each id once: enqueueing it again (a replay after a crash) sends nothing more', async () => {
    h = await startHarness({ qpsLimit: 1000 });
    const box = await h.outbox();
    const item = textItem(groupChat('D'), 'once');
    await box.enqueue([item, item]);
    await box.idle();
    await box.enqueue([item]);
    await box.idle();
    expect(h.dt.sentMessages()).toHaveLength(1);
  });
});
