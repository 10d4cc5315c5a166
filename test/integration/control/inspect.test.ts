/**
 * inspectBridge() on a bridge that is not running here: the view the dashboard and `status` share,
 * read from CCCC's IM files and the bridge's chat directory.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PendingNotice } from '../../../electron/core/bridge/bridge';
import { ChatDirectory } from '../../../electron/core/bridge/chat-directory';
import { ImState } from '../../../electron/core/cccc/im-state/im-state';
import { inspectBridge } from '../../../electron/core/control/inspect';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function world() {
  dir = await mkdtemp(join(tmpdir(), 'inspect-'));
  const ccccHome = join(dir, 'cccc');
  const stateDir = join(dir, 'bridge-state');
  const im = new ImState({ groupDir: join(ccccHome, 'groups', 'g_1') });
  const directory = new ChatDirectory(stateDir);
  return { target: { groupId: 'g_1', ccccHome, stateDir }, im, directory };
}

describe('inspectBridge', () => {
  it("joins CCCC's subscriptions with the chats the bridge has met: subscribed first, then the most recent", async () => {
    const { target, im, directory } = await world();
    await im.updateSubscriber('cidOps', { subscribed: true, chatTitle: 'Ops room' });
    await directory.saw({
      conversationId: 'cidOps',
      conversationType: 'group',
      title: 'Ops',
      sender: { staffId: 's1', nick: 'Ann', isAdmin: true },
      at: 1_000,
    });
    await directory.saw({ conversationId: 'cidAnn', conversationType: 'single', sender: { staffId: 's1', nick: 'Ann', isAdmin: true }, at: 5_000 });
    await im.updateSubscriber('cidOld', { subscribed: false });

    const seen = await inspectBridge(target);
    expect(seen.chats).toEqual([
      { chatId: 'cidOps', title: 'Ops room', type: 'group', subscribed: true, verbose: false, paused: false, heldCount: 0, lastMessageAt: 1_000 },
      // A single chat is named after the person in it.
      { chatId: 'cidAnn', type: 'single', withNick: 'Ann', subscribed: false, verbose: false, paused: false, heldCount: 0, lastMessageAt: 5_000 },
      { chatId: 'cidOld', type: 'group', subscribed: false, verbose: false, paused: false, heldCount: 0 },
    ]);
    expect(seen.people).toEqual([{ staffId: 's1', nick: 'Ann', isAdmin: true, lastSeen: 5_000 }]);
    // Not asked for the CCCC group: no actors, no title.
    expect(seen.actors).toEqual([]);
    expect(seen.groupTitle).toBeUndefined();

    // `status` lists only the chats CCCC has a record for.
    const records = await inspectBridge({ ...target, chats: 'subscribers' });
    expect(records.chats.map((c) => c.chatId)).toEqual(['cidOps', 'cidOld']);
  });

  it('names a request by what the bridge was told, else by the chat directory', async () => {
    const { target, im, directory } = await world();
    await directory.saw({
      conversationId: 'cidOps',
      conversationType: 'group',
      title: 'Ops',
      sender: { staffId: 's1', nick: 'Ann', isAdmin: false },
      at: 1_000,
    });
    const told = await im.createPendingKey('cidNew');
    const known = await im.createPendingKey('cidOps');
    const notices = new Map<string, PendingNotice>([[told.key, { ...told, senderNick: 'Bob', chatTitle: 'New room' }]]);

    const seen = await inspectBridge({ ...target, notice: (key) => notices.get(key) });
    expect(seen.pending).toEqual(
      expect.arrayContaining([
        { key: told.key, chatId: 'cidNew', createdAt: told.createdAt, expiresAt: told.expiresAt, chatTitle: 'New room', senderNick: 'Bob' },
        // The chat directory also knows what kind of chat asked.
        { key: known.key, chatId: 'cidOps', createdAt: known.createdAt, expiresAt: known.expiresAt, chatTitle: 'Ops', chatType: 'group' },
      ]),
    );
    expect(seen.pending).toHaveLength(2);
  });

  it('shows an empty view of a bridge that never ran, rather than failing', async () => {
    const { target } = await world();
    expect(await inspectBridge(target)).toEqual({
      actors: [],
      chats: [],
      pending: [],
      people: [],
      unreachableChats: 0,
      apiUsage: expect.objectContaining({ calls: 0, forecast: 0, byApi: [], allowance: 'full' }),
    });
  });
});
