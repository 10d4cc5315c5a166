import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatDirectory } from '../../../../electron/core/bridge/chat-directory';
import { InboundHandler } from '../../../../electron/core/bridge/inbound/handler';
import { InboundQueue } from '../../../../electron/core/bridge/inbound/inbound-queue';
import type { BlobPort, GroupPort, ImStatePort, SendToGroup } from '../../../../electron/core/bridge/ports';
import { normalizeRobotMessage, type InboundMessage } from '../../../../electron/core/dingtalk/inbound-message';
import { waitFor } from '../../../helpers/wait';

const noSpace = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

function message(n: number): InboundMessage {
  return normalizeRobotMessage({
    msgId: `msg${n}`,
    msgtype: 'text',
    text: { content: `hello ${n}` },
    conversationId: 'cidA',
    conversationType: '2',
    senderNick: 'Alice',
    senderId: 'alice',
    senderStaffId: 'staff-alice',
    createAt: 1,
  })!;
}

/** A handler whose local writes fail while `full.value` is true. */
function handlerWith(full: { value: boolean }, sent: SendToGroup[], replies: string[]): InboundHandler {
  const chats = { saw: async () => (full.value ? Promise.reject(noSpace()) : undefined), chat: async () => undefined } as unknown as ChatDirectory;
  const im = { isAuthorized: async () => true } as unknown as ImStatePort;
  return new InboundHandler({
    group: { groupId: 'g', actors: async () => [] } as unknown as GroupPort,
    im,
    blobs: {} as BlobPort,
    chats,
    settings: () => ({ lang: 'en', access: { mode: 'everyone' }, maxFileBytes: 1 }) as never,
    download: () => Promise.reject(new Error('no files here')),
    reply: async (_chat, m) => {
      if (full.value) throw noSpace();
      replies.push(m.kind === 'text' ? m.content : m.kind);
    },
    deliver: async (send) => {
      if (full.value) throw noSpace();
      sent.push(send);
    },
    heldCount: async () => 0,
    releaseHeld: async () => undefined,
  });
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inbound-full-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('inbound on a full disk', () => {
  it('the handler rejects (no raw error reply) when a local write fails for lack of space', async () => {
    const replies: string[] = [];
    const handler = handlerWith({ value: true }, [], replies);
    await expect(handler.handle(message(1))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(replies).toEqual([]);
  });

  it('keeps such a message pending and handles it again, in order, once there is room', async () => {
    const full = { value: true };
    const sent: SendToGroup[] = [];
    const stuck: string[] = [];
    const handler = handlerWith(full, sent, []);
    const queue = await InboundQueue.open({ stateDir: dir, handle: (m) => handler.handle(m), onStuck: (_err, m) => stuck.push(m.msgId) });
    await queue.accept(message(1));
    await queue.accept(message(2));
    await waitFor(() => stuck.length > 0, 'the first failure');
    expect(queue.depth).toBe(2);
    full.value = false;
    queue.retryNow();
    await queue.idle();
    expect(sent.map((s) => s.text)).toEqual(['hello 1', 'hello 2']);
    expect(queue.depth).toBe(0);
    await queue.close();
  });
});
