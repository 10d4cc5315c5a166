/**
 * What a bridge shows to its controls (dashboard, CLI `status`): plain data read from CCCC's IM
 * state and the bridge's chat directory, each source tolerated when unreadable (an empty part
 * rather than no answer). A running bridge reads its live stores; a stopped one is read from
 * the same files by the caller with `readBridgeRecords`.
 */
import type { ChatDirectory, Person } from './chat-directory';
import type { ChatReach } from './chat-reach';
import type { ImStatePort, PendingRequest, SubscriberFlags } from './ports';
import { own } from '../util/own';

export interface ChatInspection {
  chatId: string;
  /** CCCC's name for it, else the one the chat last sent. */
  title?: string;
  /** Known once the chat wrote to this bridge (its directory entry). */
  type?: 'single' | 'group';
  /** A single chat: the person's name, as they last wrote to the robot. */
  withNick?: string;
  lastMessageAt?: number;
  /** CCCC's IM state for the chat, when it has an entry (subscribed now or before). */
  subscription?: { subscribed: boolean; verbose: boolean; paused: boolean };
  /** The group whose IM state this is, when one app serves several (app-bridge.ts). */
  groupId?: string;
}

export interface BridgeRecords {
  /** Chats CCCC has an IM state entry for, and chats that wrote to the bridge. */
  chats: ChatInspection[];
  /** /subscribe requests waiting for approval. */
  pending: PendingRequest[];
  /** People who wrote to the robot, most recent first. */
  people: Person[];
  /** Subscribed chats that cannot be reached until someone writes in them (bridge/chat-reach.ts). */
  unreachable: number;
}

export async function readBridgeRecords(sources: {
  im: Pick<ImStatePort, 'subscribers' | 'listPending'>;
  chats: ChatDirectory;
  reach: Pick<ChatReach, 'addresses'>;
}): Promise<BridgeRecords> {
  const [subs, directory, pending, people] = await Promise.all([
    sources.im.subscribers().catch(() => new Map<string, SubscriberFlags>()),
    sources.chats.chats().catch(() => ({})),
    sources.im.listPending().catch(() => []),
    sources.chats.people().catch(() => []),
  ]);
  const ids = new Set([...subs.keys(), ...Object.keys(directory)]);
  const chats = [...ids].map((chatId) => {
    const sub = subs.get(chatId);
    const known = own(directory, chatId);
    const chat: ChatInspection = { chatId };
    const title = sub?.chatTitle || known?.title;
    if (title) chat.title = title;
    if (known) {
      chat.type = known.conversationType;
      chat.lastMessageAt = known.lastMessageAt;
      const nick = known.conversationType === 'single' && known.userId ? people.find((p) => p.staffId === known.userId)?.nick : undefined;
      if (nick) chat.withNick = nick;
    }
    if (sub) chat.subscription = { subscribed: sub.subscribed, verbose: sub.verbose, paused: sub.paused };
    return chat;
  });
  const subscribed = [...subs].filter(([, f]) => f.subscribed).map(([id]) => id);
  const reachable = await sources.reach.addresses(subscribed).catch(() => undefined);
  const unreachable = reachable ? subscribed.filter((id) => !reachable.has(id)).length : 0;
  return { chats, pending, people, unreachable };
}
