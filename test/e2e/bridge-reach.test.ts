/**
 * Every chat reachable, every chat answered: chats authorized before the bridge ever ran get the
 * agents' next message; a chat that is not subscribed hears once how to subscribe.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DINGTALK_SESSIONS_FILE } from '../../electron/core/cccc/im-state/dingtalk-sessions';
import { expectQuietFor, waitFor } from '../helpers/wait';
import { ALICE, startE2E, textOf, type E2E } from './harness';

let e: E2E | undefined;
afterEach(async () => {
  await e?.close();
  e = undefined;
});

/** Authorizes and subscribes a chat as `cccc im bind --key` does, with no word to this bridge. */
async function bindElsewhere(env: E2E, chatId: string): Promise<void> {
  const key = await env.cccc.addPendingKey(chatId);
  expect(await env.cccc.imFiles().bind(key)).toBeTruthy();
}

describe('chats authorized elsewhere', () => {
  it('a group chat and a single chat CCCC’s bridge met get the next agent message; a single chat of an unknown person waits', async () => {
    e = await startE2E();
    await bindElsewhere(e, 'cidBoundGroup==');
    await bindElsewhere(e, 'cidCcccSingle==');
    await bindElsewhere(e, 'cidNobody==');
    const state = join(e.cccc.groupDir(), 'state');
    await mkdir(state, { recursive: true });
    await writeFile(
      join(state, DINGTALK_SESSIONS_FILE),
      JSON.stringify({
        conversations: { 'cidCcccSingle==': { chat_type: 'p2p', user_id: 'staff-bob' }, 'cidNobody==': { chat_type: 'p2p', user_id: '$:LWCP_v1:$x' } },
      }),
    );
    await e.cccc.speak('boss', 'status: all green', { to: ['user'] });
    const group = await waitFor(() => e!.dt.sentMessages().find((m) => m.via === 'group' && m.conversationId === 'cidBoundGroup=='), 'the group send');
    expect(textOf(group)).toBe('[boss] status: all green');
    const single = await waitFor(() => e!.dt.sentMessages().find((m) => m.via === 'oto'), 'the single-chat send');
    expect(single.userIds).toEqual(['staff-bob']);
    expect(textOf(single)).toBe('[boss] status: all green');
    expect((await e.bridge.inspect()).unreachable).toBe(1);
  });
});

describe('a chat that is not subscribed', () => {
  it('is answered once, with a tappable /subscribe, and nothing reaches the agents', async () => {
    e = await startE2E();
    const chat = 'cidStranger==';
    e.say('hello?', { conversationId: chat });
    const hint = await e.reply(/subscribe/, chat);
    expect(hint.msgKey).toBe('markdown');
    expect(textOf(hint)).toContain('[/subscribe](dtmd://dingtalkclient/sendMessage?content=%2Fsubscribe)');
    e.say('anyone there?', { conversationId: chat });
    e.say('/status', { conversationId: chat });
    await expectQuietFor(500, 'no second answer', () => e!.dt.sentMessages().filter((m) => m.conversationId === chat).length === 1);
    expect(await e.fromPeople()).toEqual([]);
  });

  it('a paused chat hears that its replies are held', async () => {
    e = await startE2E();
    await e.subscribe();
    e.say('/pause');
    await e.reply(/已暂停推送/);
    e.say('still there?', ALICE);
    await e.reply(/暂存/);
    await waitFor(async () => (await e!.fromPeople()).some((m) => m.data['text'] === 'still there?'), 'the message in CCCC all the same');
  });
});
