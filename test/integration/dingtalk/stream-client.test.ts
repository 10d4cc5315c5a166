import { afterEach, describe, expect, it } from 'vitest';
import { BOT_MESSAGE_TOPIC } from '../../../electron/core/dingtalk/endpoints';
import type { Refusal } from '../../../electron/core/dingtalk/stream-client';
import { expectQuietFor, waitFor } from '../../helpers/wait';
import { startHarness, type Harness } from './stream-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const connected = (x: Harness) => waitFor(() => x.client.state.status === 'connected', 'connected');

describe('StreamClient against the fake DingTalk', () => {
  it('opens with only the robot topic, connects, ACKs each callback and delivers normalized messages', async () => {
    h = await startHarness();
    h.client.start();
    await connected(h);
    const [open] = h.dt.openRequests();
    expect(open).toMatchObject({ outcome: 'ok', acceptJson: true, subscriptions: [{ type: 'CALLBACK', topic: BOT_MESSAGE_TOPIC }] });
    expect(open!.ua).toMatch(/^cccc-dingtalk\//);
    expect(h.states.map((s) => s.status)).toEqual(['connecting', 'connected']);

    const sent = h.dt.injectMessage({ text: 'hello\n  world', conversationType: '2' });
    await waitFor(() => h!.messages.length === 1, 'message');
    expect(h.messages[0]).toMatchObject({ msgId: sent.msgId, conversationType: 'group', content: { type: 'text', text: ' hello\n  world' } });
    const ack = await waitFor(() => h!.dt.acked().find((a) => a.msgId === sent.msgId), 'ack');
    expect(JSON.parse(ack.data)).toEqual({ response: null });
    expect(ack.code).toBe(200);
    expect(h.dt.protocolErrors()).toEqual([]);
  });

  it('answers SYSTEM pings by echoing their data and ignores hello frames', async () => {
    h = await startHarness({ helloFrames: true });
    h.client.start();
    await connected(h);
    h.dt.sendSystemPing();
    await waitFor(() => h!.dt.acked().some((a) => a.frameType === 'SYSTEM' && a.topic === 'ping'), 'ping ack');
    expect(h.dt.protocolErrors()).toEqual([]);
    expect(h.dt.acked().filter((a) => a.topic === 'CONNECTED' || a.topic === 'REGISTERED')).toEqual([]);
  });

  it('processes a redelivered message once (same msgId, new messageId)', async () => {
    h = await startHarness({ redeliveryDelayMs: 50, maxRedeliveries: 3 });
    h.client.start();
    await connected(h);
    h.dt.setFault({ dropAcks: true });
    const sent = h.dt.injectMessage({ text: 'once' });
    await waitFor(() => h!.dt.deliveries().filter((d) => d.msgId === sent.msgId).length >= 4, 'redeliveries');
    const ids = new Set(
      h.dt
        .deliveries()
        .filter((d) => d.msgId === sent.msgId)
        .map((d) => d.messageId),
    );
    expect(ids.size).toBeGreaterThan(1);
    // The client ACKs a delivery in the same step that hands it on (or drops it as a duplicate).
    await waitFor(() => h!.dt.acked().filter((a) => a.msgId === sent.msgId).length >= 4, 'every delivery ACKed');
    expect(h.messages.filter((m) => m.msgId === sent.msgId)).toHaveLength(1);
    // Every delivery was ACKed, duplicates included, so DingTalk would stop retrying.
    expect(h.dt.acked().filter((a) => a.msgId === sent.msgId).length).toBe(4);
  });

  it('on a server disconnect opens the new connection first: nothing lost or doubled', async () => {
    h = await startHarness({ disconnectCloseDelayMs: 300 });
    h.client.start();
    await connected(h);
    const first = h.dt.connections()[0]!.id;
    const ids: string[] = [];
    const inject = (i: number): number => ids.push(h!.dt.injectMessage({ text: `m${i}` }).msgId);
    const oneByOne = async (from: number, to: number, where: string): Promise<void> => {
      for (let i = from; i < to; i++) {
        inject(i);
        await waitFor(() => h!.messages.length === i + 1, `m${i} ${where}`);
      }
    };
    await oneByOne(0, 20, 'on the old connection');
    h.dt.disconnect(first);
    // Sent during the handover: DingTalk keeps them for the new connection.
    for (let i = 20; i < 40; i++) inject(i);
    await waitFor(() => h!.dt.connections().some((c) => c.id !== first && !c.draining), 'new connection');
    await oneByOne(40, 60, 'on the new connection');
    // The client closed the old socket itself (before the server's 300 ms), and only after the new one was live.
    await waitFor(() => h!.dt.connections().length === 1, 'old connection closed', 250);
    const events = h.log.records.map((r) => `${r.msg}|${String(r.fields?.['why'] ?? r.fields?.['handover'] ?? '')}`);
    expect(events.indexOf('Stream connected|true')).toBeGreaterThan(-1);
    expect(events.indexOf('Stream connected|true')).toBeLessThan(events.indexOf('Closing stream socket|replaced'));
    await waitFor(() => h!.messages.length === ids.length, 'all messages');
    expect(h.messages.map((m) => m.msgId)).toEqual(ids);
    expect(h.states.filter((s) => s.status === 'reconnecting')).toEqual([]);
    expect(h.dt.queuedCount()).toBe(0);
  });

  it('reports bad credentials once and does not retry', async () => {
    h = await startHarness();
    h.dt.setFault({ openAuthFail: true });
    h.client.start();
    await waitFor(() => h!.client.state.status === 'error', 'error state');
    await expectQuietFor(300, 'no second connections/open', () => h!.dt.openRequests().length === 1);
    expect(h.dt.openRequests()).toHaveLength(1);
    const state = h.client.state;
    expect(state.status === 'error' && state.problem).toMatchObject({
      code: 'dingtalk.invalid_credentials',
      message: 'Invalid AppKey/AppSecret',
      retryable: false,
    });
    expect(h.states.filter((s) => s.status === 'error')).toHaveLength(1);
    expect(JSON.stringify(h.log.records)).not.toContain(h.dt.apps[0]!.appSecret);
  });

  it('retries a temporary gateway error with growing delays, then connects', async () => {
    h = await startHarness({}, { backoff: { baseMs: 20, capMs: 1000, jitterMs: 0 } });
    h.dt.setFault({ openSystemError: 3 });
    h.client.start();
    await connected(h);
    const delays = h.states.flatMap((s) => (s.status === 'reconnecting' ? [s.delayMs] : []));
    expect(delays).toEqual([20, 40, 80]);
    expect(h.dt.openRequests().map((r) => r.outcome)).toEqual(['systemError', 'systemError', 'systemError', 'ok']);
  });

  it('bounds reconnect delays by the cap when the gateway keeps refusing', async () => {
    h = await startHarness({}, { backoff: { baseMs: 10, capMs: 80, jitterMs: 5 } });
    h.dt.setFault({ wsRefuse: true });
    h.client.start();
    await waitFor(() => h!.states.filter((s) => s.status === 'reconnecting').length >= 7, 'several attempts', 5_000);
    const delays = h.states.flatMap((s) => (s.status === 'reconnecting' ? [s.delayMs] : []));
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(Math.min(delays[i - 1]! - 5, 75));
    expect(Math.max(...delays)).toBeLessThanOrEqual(80);
    expect(delays.at(-1)).toBeGreaterThanOrEqual(75);
    const reconnecting = h.states.find((s) => s.status === 'reconnecting');
    expect(reconnecting?.status === 'reconnecting' && reconnecting.problem.code).toBe('dingtalk.stream_rejected');
    // Never a tight loop: attempts are at least the base delay apart.
    const opens = h.dt.openRequests().map((r) => r.at);
    for (let i = 1; i < opens.length; i++) expect(opens[i]! - opens[i - 1]!).toBeGreaterThanOrEqual(9);
  });

  it('replaces a socket that stopped answering pings', async () => {
    h = await startHarness({}, { pingIntervalMs: 30, deadAfterMs: 150 });
    h.client.start();
    await connected(h);
    const first = h.dt.connections()[0]!.id;
    h.dt.setConnectionFault(first, { noPong: true });
    await waitFor(() => h!.dt.connections().some((c) => c.id !== first), 'replacement', 3_000);
    await connected(h);
    const sent = h.dt.injectMessage({ text: 'after' });
    await waitFor(() => h!.messages.some((m) => m.msgId === sent.msgId), 'message after replacement');
  });

  it('warmly replaces a zombie socket that pongs but delivers nothing', async () => {
    h = await startHarness({}, { pingIntervalMs: 30, deadAfterMs: 10_000, serverSilenceMs: 200 });
    h.client.start();
    await connected(h);
    const first = h.dt.connections()[0]!.id;
    h.dt.setConnectionFault(first, { silent: true });
    await waitFor(() => h!.dt.connections().some((c) => c.id !== first), 'replacement', 3_000);
    expect(h.states.filter((s) => s.status === 'reconnecting')).toEqual([]);
  });

  it('reconnect() on resume opens a fresh connection before dropping the old one', async () => {
    h = await startHarness();
    h.client.start();
    await connected(h);
    const first = h.dt.connections()[0]!.id;
    h.client.reconnect('resume');
    await waitFor(() => h!.dt.connections().length === 1 && h!.dt.connections()[0]!.id !== first, 'fresh connection');
    expect(h.client.state.status).toBe('connected');
  });

  it('a reconnect() asked for while a connection is still opening is not lost: it opens once more after', async () => {
    h = await startHarness();
    h.client.start();
    await connected(h);
    const first = h.dt.connections()[0]!.id;
    h.client.reconnect('resume');
    // The network changes while the resume's connection is still being opened (it may use the old network).
    h.client.reconnect('network change');
    await waitFor(() => h!.dt.openRequests().length === 3, 'a third connection opened for the network change');
    await waitFor(() => h!.dt.connections().length === 1 && h!.dt.connections()[0]!.id !== first, 'one fresh connection left');
    await connected(h);
    expect(h.states.filter((s) => s.status === 'reconnecting')).toEqual([]);
  });

  it('reconnects after the socket is killed, and stop() leaves no socket behind', async () => {
    h = await startHarness();
    h.client.start();
    await connected(h);
    h.dt.killConnection();
    await waitFor(() => h!.states.some((s) => s.status === 'reconnecting'), 'reconnecting');
    await connected(h);
    await h.client.stop();
    expect(h.client.socketCount).toBe(0);
    await waitFor(() => h!.dt.connections().length === 0, 'server sees no connection');
    expect(h.client.state.status).toBe('stopped');
    const opens = h.dt.openRequests().length;
    await expectQuietFor(300, 'no connections/open after stop()', () => h!.dt.openRequests().length === opens);
    expect(h.dt.openRequests().length).toBe(opens);
  });

  it('stop() during a pending reconnect cancels it', async () => {
    h = await startHarness({}, { backoff: { baseMs: 200, capMs: 200, jitterMs: 0 } });
    h.dt.setFault({ wsRefuse: true });
    h.client.start();
    await waitFor(() => h!.client.state.status === 'reconnecting', 'reconnecting');
    await h.client.stop();
    const opens = h.dt.openRequests().length;
    await expectQuietFor(400, 'the cancelled reconnect never opening', () => h!.dt.openRequests().length === opens);
    expect(h.dt.openRequests().length).toBe(opens);
  });

  it('keeps secrets out of every log record', async () => {
    h = await startHarness();
    h.client.start();
    await connected(h);
    h.dt.killConnection();
    await connected(h);
    const text = JSON.stringify(h.log.records);
    expect(text).not.toContain(h.dt.apps[0]!.appSecret);
    expect(text).not.toMatch(/ticket=[^*]/);
  });
});

describe('StreamClient keeping messages before the ACK', () => {
  it('ACKs only after the message is durable, and not at all when keeping it failed (DingTalk redelivers)', async () => {
    let fail = true;
    const kept: string[] = [];
    h = await startHarness(
      { redeliveryDelayMs: 100, maxRedeliveries: 3 },
      {
        keep: async (m) => {
          if (fail) {
            fail = false;
            throw new Error('disk full');
          }
          kept.push(m.msgId);
        },
      },
    );
    h.client.start();
    await connected(h);
    const sent = h.dt.injectMessage({ text: 'keep me' });
    await waitFor(() => h!.messages.length === 1, 'delivered after the redelivery');
    expect(kept).toEqual([sent.msgId]);
    const deliveries = h.dt.deliveries().filter((d) => d.msgId === sent.msgId);
    expect(deliveries.length).toBe(2);
    // The first push was never ACKed; the redelivery was, after it was kept.
    await waitFor(() => h!.dt.acked().filter((a) => a.msgId === sent.msgId).length === 1, 'one ACK');
    expect(h.dt.acked().find((a) => a.msgId === sent.msgId)?.messageId).toBe(deliveries[1]!.messageId);
  });

  it('gives up a poison message after maxDeliveries: ACKed once, refused once, never pushed again', async () => {
    const refusals: Refusal[] = [];
    h = await startHarness(
      { redeliveryDelayMs: 50, maxRedeliveries: 20 },
      {
        maxDeliveries: 3,
        keep: () => Promise.reject(new TypeError('Journal entry does not match its schema')),
        onRefused: async (r) => void refusals.push(r),
      },
    );
    h.client.start();
    await connected(h);
    const sent = h.dt.injectMessage({ text: 'poison', conversationType: '2', senderStaffId: 'staff-1' });
    await waitFor(() => h!.dt.acked().some((a) => a.msgId === sent.msgId), 'ACK after the bound');
    const ofSent = (list: { msgId?: string | undefined }[]): number => list.filter((x) => x.msgId === sent.msgId).length;
    await expectQuietFor(
      300,
      'no push, ACK or refusal after the ACK',
      () => ofSent(h!.dt.deliveries()) === 3 && ofSent(h!.dt.acked()) === 1 && refusals.length === 1,
    );
    expect(h.dt.deliveries().filter((d) => d.msgId === sent.msgId)).toHaveLength(3);
    expect(h.dt.acked().filter((a) => a.msgId === sent.msgId)).toHaveLength(1);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({
      reason: 'failed',
      deliveries: 3,
      chat: { conversationId: sent.conversationId, conversationType: 'group', msgId: sent.msgId, senderStaffId: 'staff-1' },
    });
    expect(h.messages).toEqual([]);
  });

  it('never gives up a message for a local failure (full disk): it stays un-ACKed until it can be kept', async () => {
    let full = true;
    const refusals: Refusal[] = [];
    h = await startHarness(
      { redeliveryDelayMs: 50, maxRedeliveries: 20 },
      {
        maxDeliveries: 2,
        keep: async () => {
          if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        },
        onRefused: async (r) => void refusals.push(r),
      },
    );
    h.client.start();
    await connected(h);
    const sent = h.dt.injectMessage({ text: 'keep me' });
    await waitFor(() => h!.dt.deliveries().filter((d) => d.msgId === sent.msgId).length >= 5, 'redelivered past the bound');
    expect(h.dt.acked().filter((a) => a.msgId === sent.msgId)).toHaveLength(0);
    full = false;
    await waitFor(() => h!.messages.length === 1, 'kept once space returned');
    expect(refusals).toEqual([]);
    await waitFor(() => h!.dt.acked().filter((a) => a.msgId === sent.msgId).length === 1, 'one ACK');
  });

  it('refuses a frame over maxFrameBytes with what it can read of the chat, and ACKs it once answered', async () => {
    const refusals: Refusal[] = [];
    let release!: () => void;
    const answered = new Promise<void>((r) => (release = r));
    h = await startHarness(
      { redeliveryDelayMs: 5_000 },
      { maxFrameBytes: 10_000, keep: async () => undefined, onRefused: async (r) => (refusals.push(r), answered) },
    );
    h.client.start();
    await connected(h);
    const sent = h.dt.injectMessage({ text: '字'.repeat(20_000), conversationType: '1', senderStaffId: 'staff-2' });
    await waitFor(() => refusals.length === 1, 'refusal');
    expect(refusals[0]).toMatchObject({
      reason: 'too_large',
      chat: { conversationId: sent.conversationId, conversationType: 'single', msgId: sent.msgId, senderStaffId: 'staff-2', chars: 20_000 },
    });
    expect(h.dt.acked().filter((a) => a.msgId === sent.msgId)).toHaveLength(0);
    release();
    await waitFor(() => h!.dt.acked().filter((a) => a.msgId === sent.msgId).length === 1, 'ACK once answered');
    expect(h.messages).toEqual([]);
  });
});
