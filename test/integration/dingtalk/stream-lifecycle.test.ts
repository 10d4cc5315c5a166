import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamClient } from '../../../electron/core/dingtalk/stream-client';
import type { InboundMessage } from '../../../electron/core/dingtalk/inbound-message';
import { memoryLogger } from '../../../electron/core/log/logger';
import { robotFrame, startRawGateway } from '../../helpers/raw-gateway';
import { expectQuietFor, killAfter, waitFor } from '../../helpers/wait';

const script = fileURLToPath(new URL('./exit-after-stop.script.ts', import.meta.url));

describe('StreamClient lifecycle', () => {
  it('leaves nothing behind after stop(): the process exits on its own', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const cancelKill = killAfter(child, 15_000);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    cancelKill();
    expect(out).toContain('stopped received=1');
    expect(code).toBe(0);
  });
});

describe('StreamClient with hostile frames', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => cleanup?.());

  it('logs and skips malformed frames, never throws, and keeps delivering', async () => {
    const gw = await startRawGateway();
    const messages: InboundMessage[] = [];
    const log = memoryLogger();
    const client = new StreamClient({
      credentials: { appKey: 'k', appSecret: 'secret-value-123' },
      endpoints: { apiBase: gw.base, oapiBase: gw.base },
      keep: (m) => {
        messages.push(m);
        if (m.msgId === 'good-1') throw new Error('handler bug');
      },
      onOther: () => Promise.reject(new Error('async handler bug')),
      eventTopics: ['*'],
      maxFrameBytes: 10_000,
      logger: log,
    });
    cleanup = async () => {
      await client.stop();
      await gw.close();
    };
    client.start();
    const ws = await waitFor(() => gw.sockets[0], 'socket');
    const acks: unknown[] = [];
    ws.on('message', (d) => acks.push(JSON.parse(d.toString())));
    const frame = (type: string, topic: string, data: unknown, messageId = `m-${Math.random()}`) =>
      JSON.stringify({ specVersion: '1.0', type, headers: { messageId, topic, contentType: 'application/json' }, data });
    const bad = [
      'not json',
      '{"unterminated": ',
      'null',
      '[]',
      '42',
      JSON.stringify({ type: 'CALLBACK' }),
      JSON.stringify({ type: 'CALLBACK', headers: {} }),
      JSON.stringify({ type: 'CALLBACK', headers: { messageId: 5 } }),
      frame('CALLBACK', '/v1.0/im/bot/messages/get', '{not json'),
      frame('CALLBACK', '/v1.0/im/bot/messages/get', JSON.stringify({ hello: 'world' })),
      frame('CALLBACK', '/v1.0/im/bot/messages/get', JSON.stringify(null)),
      robotFrame('bad-type', { conversationType: 7 }),
      frame('MYSTERY', 'x', '{}'),
      frame('SYSTEM', 'KEEPALIVE', '{}'),
      frame('EVENT', 'chat_update', 'not json either'),
      frame('CALLBACK', '/v1.0/unknown/topic', '{}'),
      robotFrame('huge', { text: { content: 'x'.repeat(20_000) }, senderStaffId: 'staff-huge' }),
    ];
    for (const b of bad) ws.send(b);
    ws.send(Buffer.from([1, 2, 3]), { binary: true });
    ws.send(robotFrame('good-1'));
    ws.send(robotFrame('good-2', { msgtype: 'sticker', text: undefined }));
    await waitFor(() => messages.length === 2, 'good messages');
    expect(messages.map((m) => m.msgId)).toEqual(['good-1', 'good-2']);
    expect(messages[1]!.content).toEqual({ type: 'unsupported', msgtype: 'sticker' });
    expect(client.state.status).toBe('connected');
    expect(log.records.filter((r) => r.msg === 'Skipped a malformed frame').length).toBeGreaterThanOrEqual(8);
    // Who, and why: what an admin needs to find the person.
    expect(log.records.find((r) => r.msg === 'Refused a robot message' && r.fields?.['reason'] === 'too_large')?.fields).toMatchObject({
      chat: 'cid1',
      sender: 'staff-huge',
    });
    expect(log.records.some((r) => r.msg === 'Could not keep a message; DingTalk will deliver it again' && r.fields?.['msgId'] === 'good-1')).toBe(true);
    await waitFor(() => log.records.some((r) => r.msg === 'The frame handler failed'), 'async handler failure logged');
    // Every parsable CALLBACK/EVENT was ACKed even when its data was unusable or too large
    // (7 bad + good-2); good-1, whose keeping threw, stays un-ACKed for DingTalk to push again.
    await waitFor(() => acks.length >= 8, 'acks');
    await expectQuietFor(200, 'no ACK for good-1', () => acks.length === 8);
    expect(acks).toHaveLength(8);
  });
});
