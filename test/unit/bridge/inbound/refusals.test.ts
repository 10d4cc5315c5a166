import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REFUSED_FILE, Refusals } from '../../../../electron/core/bridge/inbound/refusals';
import type { ChatAddress } from '../../../../electron/core/bridge/chat-address';
import type { InboundMessage } from '../../../../electron/core/dingtalk/inbound-message';
import type { Problem } from '../../../../electron/core/errors';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'refusals-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

function make(authorized: string[]) {
  const replies: { chat: ChatAddress; text: string; mention?: string[] }[] = [];
  const problems: Problem[] = [];
  const refusals = new Refusals({
    stateDir: dir,
    im: { isAuthorized: async (id) => authorized.includes(id) },
    settings: () => ({ lang: 'en', maxMessageChars: 20_000 }),
    reply: async (chat, text, mention) => void replies.push({ chat, text, ...(mention ? { mention } : {}) }),
    webhooks: { remember: () => undefined },
    problem: (p) => void problems.push(p),
  });
  return { refusals, replies, problems };
}

const message: InboundMessage = {
  msgId: 'm1',
  conversationId: 'cidSingle',
  conversationType: 'single',
  sender: { nick: 'Ann', id: 'u1', staffId: 'staff-ann', isAdmin: false },
  createAt: 1,
  isInAtList: false,
  atUsers: [],
  content: { type: 'text', text: 'hi' },
};

describe('Refusals', () => {
  it('answers a too long text in an authorized chat, with the count and the limit, mentioning the sender in groups', async () => {
    const { refusals, replies } = make(['cidGroup']);
    await refusals.answer({ reason: 'too_large', chat: { conversationId: 'cidGroup', conversationType: 'group', senderStaffId: 'staff-ann', chars: 25_000 } });
    expect(replies).toEqual([
      {
        chat: { conversationId: 'cidGroup', conversationType: 'group' },
        text: expect.stringContaining('Message too long: 25000 characters, the limit is 20000'),
        mention: ['staff-ann'],
      },
    ]);
  });

  it('stays silent in a chat that is not authorized (only /subscribe answers there)', async () => {
    const { refusals, replies } = make([]);
    await refusals.answer({ reason: 'too_large', chat: { conversationId: 'cidStranger', conversationType: 'group', chars: 25_000 } });
    expect(replies).toEqual([]);
  });

  it('sets a poison message aside, raises a problem and answers the person', async () => {
    const { refusals, replies, problems } = make(['cidSingle']);
    const problem = { code: 'internal', message: 'Journal entry m1 does not match its schema', retryable: true };
    await refusals.answer({
      reason: 'failed',
      chat: { conversationId: 'cidSingle', conversationType: 'single', senderStaffId: 'staff-ann', msgId: 'm1' },
      message,
      problem,
      deliveries: 3,
    });
    expect(replies).toEqual([
      { chat: { conversationId: 'cidSingle', conversationType: 'single', userId: 'staff-ann' }, text: expect.stringContaining('could not read this message') },
    ]);
    expect(problems).toEqual([expect.objectContaining({ code: 'bridge.message_refused', message: expect.stringContaining('does not match its schema') })]);
    const aside = JSON.parse((await readFile(join(dir, REFUSED_FILE), 'utf8')).trim()) as { reason: string; message: InboundMessage };
    expect(aside).toMatchObject({ reason: 'failed', message: { msgId: 'm1' } });
  });

  it('raises a problem when the chat cannot be read at all', async () => {
    const { refusals, replies, problems } = make(['x']);
    await refusals.answer({ reason: 'too_large', bytes: 12_000_000 });
    expect(replies).toEqual([]);
    expect(problems[0]).toMatchObject({ code: 'dingtalk.message_unanswerable', message: expect.stringContaining('12000000 bytes') });
  });
});
