import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatDirectory, ChatRecord } from '../../../electron/core/bridge/chat-directory';
import { addressOf, ChatReach } from '../../../electron/core/bridge/chat-reach';
import { DINGTALK_SESSIONS_FILE, readCcccDingTalkChats } from '../../../electron/core/cccc/im-state/dingtalk-sessions';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A group folder whose CCCC bridge recorded these chats (state/im_dingtalk_sessions.json). */
async function groupWithCcccChats(conversations: unknown): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'reach-'));
  await mkdir(join(dir, 'state'));
  await writeFile(join(dir, 'state', DINGTALK_SESSIONS_FILE), JSON.stringify({ conversations }));
  return dir;
}

const directory = (chats: Record<string, ChatRecord>): Pick<ChatDirectory, 'chats'> => ({ chats: async () => chats });

describe('addressOf', () => {
  it('addresses a chat the bridge met as it met it', () => {
    expect(addressOf('cidG', { conversationType: 'group' }, undefined)).toEqual({ conversationId: 'cidG', conversationType: 'group' });
    expect(addressOf('cidS', { conversationType: 'single', userId: 'staff1' }, undefined)).toEqual({
      conversationId: 'cidS',
      conversationType: 'single',
      userId: 'staff1',
    });
  });

  it("falls back to CCCC's bridge's record, then takes an unknown chat for a group", () => {
    expect(addressOf('cidS', undefined, { type: 'single', staffId: 'staff2' })).toEqual({
      conversationId: 'cidS',
      conversationType: 'single',
      userId: 'staff2',
    });
    expect(addressOf('cidG', undefined, { type: 'group' })).toEqual({ conversationId: 'cidG', conversationType: 'group' });
    expect(addressOf('cidX', undefined, undefined)).toEqual({ conversationId: 'cidX', conversationType: 'group' });
    // The person of a single chat the bridge met without a staff id may be known to CCCC's bridge.
    expect(addressOf('cidS', { conversationType: 'single' }, { staffId: 'staff3' })).toMatchObject({ userId: 'staff3' });
  });

  it('cannot reach a single chat whose person has no known staff id', () => {
    expect(addressOf('cidS', { conversationType: 'single' }, undefined)).toBeUndefined();
    expect(addressOf('cidS', undefined, { type: 'single' })).toBeUndefined();
  });
});

describe("CCCC's bridge's record of chats", () => {
  it('reads chat types and staff ids, never a DingTalk-internal id', async () => {
    const groupDir = await groupWithCcccChats({
      cidG: { chat_type: 'group', session_webhook: 'https://x' },
      cidS: { chat_type: 'p2p', user_id: 'staff9' },
      cidExternal: { chat_type: 'p2p', user_id: '$:LWCP_v1:$abc' },
      cidOdd: 'not an object',
    });
    expect(await readCcccDingTalkChats(groupDir)).toEqual(
      new Map([
        ['cidG', { type: 'group' }],
        ['cidS', { type: 'single', staffId: 'staff9' }],
        ['cidExternal', { type: 'single' }],
        ['cidOdd', {}],
      ]),
    );
  });

  it('is empty when CCCC’s bridge never ran here or its file is damaged', async () => {
    dir = await mkdtemp(join(tmpdir(), 'reach-'));
    expect(await readCcccDingTalkChats(dir)).toEqual(new Map());
    await mkdir(join(dir, 'state'));
    await writeFile(join(dir, 'state', DINGTALK_SESSIONS_FILE), '{"conversations": [');
    expect(await readCcccDingTalkChats(dir)).toEqual(new Map());
  });
});

describe('ChatReach', () => {
  it('reaches chats authorized before the bridge ran, except a single chat with no known person', async () => {
    const groupDir = await groupWithCcccChats({ cidCcccSingle: { chat_type: 'p2p', user_id: 'staff9' }, cidCcccNobody: { chat_type: 'p2p' } });
    const reach = new ChatReach(directory({ cidMet: { conversationType: 'single', userId: 'staff1', lastMessageAt: 1 } }), groupDir);
    const addresses = await reach.addresses(['cidMet', 'cidCcccSingle', 'cidCcccNobody', 'cidBoundElsewhere']);
    expect(Object.fromEntries(addresses)).toEqual({
      cidMet: { conversationId: 'cidMet', conversationType: 'single', userId: 'staff1' },
      cidCcccSingle: { conversationId: 'cidCcccSingle', conversationType: 'single', userId: 'staff9' },
      cidBoundElsewhere: { conversationId: 'cidBoundElsewhere', conversationType: 'group' },
    });
    expect(await reach.address('cidCcccNobody')).toBeUndefined();
  });
});
