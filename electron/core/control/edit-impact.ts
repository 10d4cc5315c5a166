/**
 * What a change of group or DingTalk app does to a bridge's subscriptions, said before it is
 * saved — by the settings page (bridgeEditImpact) and by `cccc-dingtalk set`.
 *
 * Subscriptions are the group's: CCCC keeps them in the group's IM state, by chat
 * (docs/cccc-contract.md §5). A bridge moved to another group serves the chats subscribed THERE;
 * its chats of the old group keep their subscriptions in it (they work again if it moves back),
 * and must /subscribe again in the new group unless they are subscribed there already. A bridge
 * given another app keeps the group's subscriptions, but sends through the new robot, which can
 * write only in group chats it was added to and to people of its own organization
 * (docs/dingtalk-protocol.md §4): until then those sends fail and are reported.
 */
import { join, resolve } from 'node:path';
import type { EditImpactView } from '../../shared/api';
import { readGroupConfig } from '../cccc/group/group-config';
import { ImState, type Subscriber } from '../cccc/im-state/im-state';

/** A bridge's group and app, as far as the impact goes. */
export interface EditSide {
  groupId: string;
  /** Resolved (the profile's, else CCCC_HOME). */
  ccccHome: string;
  appKey?: string | undefined;
  appKeyEnv?: string | undefined;
}

async function subscribedChats(ccccHome: string, groupId: string): Promise<Set<string>> {
  const subs = await new ImState({ groupDir: join(ccccHome, 'groups', groupId) }).subscribers().catch(() => new Map<string, Subscriber>());
  return new Set([...subs.values()].filter((s) => s.subscribed).map((s) => s.chatId));
}

async function titleOf(ccccHome: string, groupId: string): Promise<string | undefined> {
  return (await readGroupConfig(join(ccccHome, 'groups', groupId)).catch(() => undefined))?.title || undefined;
}

function sameGroup(a: EditSide, b: EditSide): boolean {
  return a.groupId === b.groupId && resolve(a.ccccHome) === resolve(b.ccccHome);
}

/** Same app: the same Client ID when both are known, else the same value or variable named. */
export function sameApp(a: Pick<EditSide, 'appKey' | 'appKeyEnv'>, b: Pick<EditSide, 'appKey' | 'appKeyEnv'>): boolean {
  return a.appKey !== undefined && b.appKey !== undefined ? a.appKey === b.appKey : a.appKey === b.appKey && a.appKeyEnv === b.appKeyEnv;
}

export async function editImpact(before: EditSide, after: EditSide, running: boolean): Promise<EditImpactView> {
  const groupChanges = !sameGroup(before, after);
  const appChanges = !sameApp(before, after);
  const view: EditImpactView = { restarts: running && (groupChanges || appChanges) };
  if (!groupChanges && !appChanges) return view;
  const now = await subscribedChats(before.ccccHome, before.groupId);
  if (groupChanges) {
    const [there, fromTitle, toTitle] = await Promise.all([
      subscribedChats(after.ccccHome, after.groupId),
      titleOf(before.ccccHome, before.groupId),
      titleOf(after.ccccHome, after.groupId),
    ]);
    view.group = {
      from: before.groupId,
      to: after.groupId,
      ...(fromTitle ? { fromTitle } : {}),
      ...(toTitle ? { toTitle } : {}),
      subscribed: now.size,
      stay: [...now].filter((chat) => there.has(chat)).length,
    };
  }
  // With the group, the chats the new robot must reach are the new group's.
  if (appChanges) view.app = { subscribed: groupChanges ? (await subscribedChats(after.ccccHome, after.groupId)).size : now.size };
  return view;
}
