import { describe, expect, it } from 'vitest';
import type { ChatDirectory, ChatRecord, Person } from '../../../electron/core/bridge/chat-directory';
import type { ChatReach } from '../../../electron/core/bridge/chat-reach';
import { readBridgeRecords } from '../../../electron/core/bridge/inspection';
import type { PendingRequest, SubscriberFlags } from '../../../electron/core/bridge/ports';

const flags = (over: Partial<SubscriberFlags> = {}): SubscriberFlags => ({ subscribed: true, verbose: false, paused: false, ...over });

function directory(chats: Record<string, ChatRecord>, people: Person[] = []): ChatDirectory {
  return { chats: async () => chats, people: async () => people } as unknown as ChatDirectory;
}

/** Reaches every chat but those named. */
const reachAllBut = (...unreachable: string[]): Pick<ChatReach, 'addresses'> => ({
  addresses: async (ids) =>
    new Map([...ids].filter((id) => !unreachable.includes(id)).map((id) => [id, { conversationId: id, conversationType: 'group' as const }])),
});

describe('readBridgeRecords', () => {
  it("merges CCCC's IM state with the chats that wrote to the bridge; CCCC's title wins", async () => {
    const pending: PendingRequest[] = [{ key: 'K', chatId: 'cidNew', createdAt: 1, expiresAt: 2 }];
    const view = await readBridgeRecords({
      im: {
        subscribers: async () =>
          new Map([
            ['cidA', flags({ chatTitle: 'Team A (CCCC)', paused: true })],
            ['cidGone', flags({ subscribed: false })],
          ]),
        listPending: async () => pending,
      },
      chats: directory(
        { cidA: { conversationType: 'group', title: 'Team A', lastMessageAt: 5 }, cidNew: { conversationType: 'single', title: 'Bob', lastMessageAt: 7 } },
        [{ staffId: 's1', nick: 'Bob', isAdmin: false, lastSeen: 7 }],
      ),
      reach: reachAllBut(),
    });
    expect(view.chats).toEqual([
      { chatId: 'cidA', title: 'Team A (CCCC)', type: 'group', lastMessageAt: 5, subscription: { subscribed: true, verbose: false, paused: true } },
      { chatId: 'cidGone', subscription: { subscribed: false, verbose: false, paused: false } },
      { chatId: 'cidNew', title: 'Bob', type: 'single', lastMessageAt: 7 },
    ]);
    expect(view.pending).toEqual(pending);
    expect(view.people).toEqual([{ staffId: 's1', nick: 'Bob', isAdmin: false, lastSeen: 7 }]);
  });

  it('an unreadable source is an empty part, not a failure', async () => {
    const broken = () => Promise.reject(new Error('EACCES'));
    const view = await readBridgeRecords({
      im: { subscribers: broken, listPending: broken },
      chats: { chats: broken, people: broken } as unknown as ChatDirectory,
      reach: { addresses: broken },
    });
    expect(view).toEqual({ chats: [], pending: [], people: [], unreachable: 0 });
  });

  it('counts the subscribed chats that cannot be reached, and only those', async () => {
    const view = await readBridgeRecords({
      im: {
        subscribers: async () =>
          new Map([
            ['cidA', flags()],
            ['cidB', flags()],
            ['cidC', flags()],
            ['cidOff', flags({ subscribed: false })],
          ]),
        listPending: async () => [],
      },
      chats: directory({}),
      reach: reachAllBut('cidB', 'cidC', 'cidOff'),
    });
    expect(view.unreachable).toBe(2);
  });
});
