/**
 * What one bridge looks like from outside — its chats, the subscription requests waiting for an
 * answer, the people it has seen and, when asked, its CCCC group's title and actors. The one view
 * behind both the dashboard's bridge detail (getBridge) and `cccc-dingtalk status` (which keeps
 * it in status.json while the bridge runs, and reads it here itself when it does not).
 *
 * A bridge running in this process is read live (Bridge.inspect()); otherwise the files it and
 * CCCC keep are read (read-only, bridge/inspection.ts). The only place in control/ and cli/ that does.
 */
import { join } from 'node:path';
import type { ApiUsageView, BridgeInspectionView, ChatView, PendingView, ServedGroupView } from '../../shared/api';
import { DaemonGroup } from '../bridge/adapters/daemon-group';
import { readUsageView } from '../bridge/api-usage/api-usage';
import type { PendingNotice } from '../bridge/bridge';
import type { BridgeEngine } from '../bridge/served-groups';
import { ChatDirectory } from '../bridge/chat-directory';
import { ChatReach } from '../bridge/chat-reach';
import { readBridgeRecords } from '../bridge/inspection';
import { readHeldCounts } from '../bridge/outbound/held';
import type { DaemonClient } from '../cccc/daemon';
import { readGroupConfig } from '../cccc/group/group-config';
import { ImState } from '../cccc/im-state/im-state';

export interface InspectTarget {
  groupId: string;
  ccccHome: string;
  /** The bridge's state folder (bridgePaths(…).state): its chat directory, held messages and API call counts. */
  stateDir: string;
  /** The bridge's monthly API budget setting, for a bridge not running here (absent: none). */
  apiBudget?: number | null;
  /** The bridge, when it runs in this process. */
  running?: BridgeEngine | undefined;
  /** What the bridge was told with a request: who asked, from which chat (claims, not facts). */
  notice?: (key: string) => PendingNotice | undefined;
  /** Asks this CCCC daemon for the group's title and actors; absent: not asked (they stay empty). */
  daemon?: DaemonClient;
  /**
   * Which chats: every one the bridge or CCCC knows (default), or only those CCCC has a
   * subscription record for (subscribed or not), as `status` lists them.
   */
  chats?: 'all' | 'subscribers';
}

export type BridgeInspection = BridgeInspectionView;

/** A bridge that does not run in this process, from the files it and CCCC keep (read-only). */
async function readStoppedBridge(t: InspectTarget, groupDir: string): Promise<Awaited<ReturnType<typeof readBridgeRecords>> & { apiUsage: ApiUsageView }> {
  const chats = new ChatDirectory(t.stateDir, { readOnly: true });
  const [records, apiUsage] = await Promise.all([
    readBridgeRecords({ im: new ImState({ groupDir }), chats, reach: new ChatReach(chats, groupDir) }),
    readUsageView(t.stateDir, t.apiBudget ?? null),
  ]);
  return { ...records, apiUsage };
}

/** Every read is best effort: a part that cannot be read shows as empty, never fails the view. */
export async function inspectBridge(t: InspectTarget): Promise<BridgeInspection> {
  const groupDir = join(t.ccccHome, 'groups', t.groupId);
  const records: Promise<Awaited<ReturnType<typeof readStoppedBridge>> & { groups?: ServedGroupView[] }> = t.running
    ? t.running.inspect()
    : readStoppedBridge(t, groupDir);
  const group = t.daemon ? new DaemonGroup(t.daemon, t.groupId) : undefined;
  const [actors, info, yaml, { chats, pending, people, unreachable, apiUsage, groups }, held] = await Promise.all([
    group ? group.actors().catch(() => []) : [],
    group?.info().catch(() => undefined),
    group ? readGroupConfig(groupDir).catch(() => undefined) : undefined,
    records,
    readHeldCounts(t.stateDir).catch(() => new Map<string, number>()),
  ]);
  const chatViews = chats
    .filter((c) => t.chats !== 'subscribers' || c.subscription)
    .map((c): ChatView => {
      const view: ChatView = {
        chatId: c.chatId,
        type: c.type ?? 'group',
        subscribed: c.subscription?.subscribed ?? false,
        verbose: c.subscription?.verbose ?? false,
        paused: c.subscription?.paused ?? false,
        heldCount: held.get(c.chatId) ?? 0,
      };
      if (c.title) view.title = c.title;
      if (c.withNick) view.withNick = c.withNick;
      if (c.lastMessageAt !== undefined) view.lastMessageAt = c.lastMessageAt;
      if (c.groupId) view.groupId = c.groupId;
      return view;
    });
  chatViews.sort((a, b) => Number(b.subscribed) - Number(a.subscribed) || (b.lastMessageAt ?? 0) - (a.lastMessageAt ?? 0));
  const groupTitle = info?.title || yaml?.title;
  return {
    ...(groupTitle ? { groupTitle } : {}),
    ...(groups ? { groups } : {}),
    actors: actors.map((a) => ({ id: a.id, title: a.title, role: a.role, running: a.running, ...(a.runtime ? { runtime: a.runtime } : {}) })),
    chats: chatViews,
    pending: pending.map((r) => {
      const notice = t.notice?.(r.key);
      const view: PendingView = { key: r.key, chatId: r.chatId, createdAt: r.createdAt, expiresAt: r.expiresAt };
      const chat = chats.find((c) => c.chatId === r.chatId);
      const chatTitle = notice?.chatTitle || chat?.title;
      if (chatTitle) view.chatTitle = chatTitle;
      if (chat?.type) view.chatType = chat.type;
      if (notice?.senderNick) view.senderNick = notice.senderNick;
      return view;
    }),
    people: people.map((x) => ({ staffId: x.staffId, nick: x.nick, isAdmin: x.isAdmin, lastSeen: x.lastSeen })),
    unreachableChats: unreachable,
    apiUsage,
  };
}
