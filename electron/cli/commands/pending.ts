/**
 * `pending`, `approve KEY`, `reject KEY`: the Pending Requests of CCCC's Web UI for CLI users.
 * Requests are read from CCCC's IM files; approving and rejecting go through the CCCC daemon
 * (`im_bind_chat`, `im_reject_pending`), like `cccc im bind --key`. A running bridge sees the
 * approval and confirms it in the chat.
 */
import { join } from 'node:path';
import type { PendingRequest } from '../../core/bridge/ports';
import { resolveGroups } from '../../core/bridge/served-groups';
import { DaemonClient } from '../../core/cccc/daemon';
import { servedGroups, servesSeveral } from '../../core/config/profile';
import { ImState } from '../../core/cccc/im-state/im-state';
import { loadBridge } from '../context';
import { requestLine } from '../chat-names';
import { duration, out, printJson } from '../output';
import { readStatusFile } from '../status-file';

export interface PendingOptions {
  bridge?: string;
  json?: boolean;
  /** Chat ids next to their names. */
  verbose?: boolean;
}

type Ctx = Awaited<ReturnType<typeof loadBridge>>;

/** The requests of every group the bridge serves (one app may serve several), with their group. */
async function requestsOf(ctx: Ctx): Promise<Array<PendingRequest & { groupId: string }>> {
  const groups = await resolveGroups(ctx.ccccHome, servedGroups(ctx.profile));
  const lists = await Promise.all(
    groups.map(async (groupId) => (await new ImState({ groupDir: join(ctx.ccccHome, 'groups', groupId) }).listPending()).map((r) => ({ ...r, groupId }))),
  );
  return lists.flat();
}

/** The group whose request `key` is (the first group when none has it: CCCC then says so). */
async function groupOfKey(ctx: Ctx, key: string): Promise<string> {
  return (await requestsOf(ctx)).find((r) => r.key === key)?.groupId ?? ctx.profile.groupId;
}

export async function pendingCommand(o: PendingOptions): Promise<number> {
  const ctx = await loadBridge(o.bridge);
  const several = servesSeveral(ctx.profile);
  const requests = await requestsOf(ctx);
  // Who asked and from which chat is known only to the bridge that received the /subscribe.
  const known = new Map((await readStatusFile(ctx.paths.status))?.pending.map((p) => [p.key, p]) ?? []);
  const list = requests.map((r) => {
    const k = known.get(r.key);
    return {
      key: r.key,
      chatId: r.chatId,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      ...(k?.chatTitle ? { chatTitle: k.chatTitle } : {}),
      ...(k?.chatType ? { chatType: k.chatType } : {}),
      ...(k?.senderNick ? { senderNick: k.senderNick } : {}),
      ...(several ? { groupId: r.groupId } : {}),
    };
  });
  if (o.json) {
    printJson(list);
    return 0;
  }
  if (list.length === 0) {
    out('No pending subscription requests. (Someone sends /subscribe to the robot in DingTalk to ask.)');
    return 0;
  }
  const now = Date.now();
  for (const p of list) {
    out(`${p.key}  ${requestLine(p, o.verbose)}${p.groupId ? ` for group ${p.groupId}` : ''}, expires in ${duration(p.expiresAt - now)}`);
  }
  out('Approve with `cccc-dingtalk approve KEY`, reject with `cccc-dingtalk reject KEY`.');
  return 0;
}

export async function approveCommand(key: string, o: { bridge?: string }): Promise<number> {
  const ctx = await loadBridge(o.bridge);
  const groupId = await groupOfKey(ctx, key);
  const bound = await new DaemonClient({ home: ctx.ccccHome }).imBindChat(groupId, key);
  out(`Approved: chat ${bound.chat_id} is now authorized and subscribed to group ${groupId}.`);
  return 0;
}

export async function rejectCommand(key: string, o: { bridge?: string }): Promise<number> {
  const ctx = await loadBridge(o.bridge);
  const { rejected } = await new DaemonClient({ home: ctx.ccccHome }).imRejectPending(await groupOfKey(ctx, key), key);
  out(rejected ? `Rejected request ${key}.` : `No pending request ${key} (it may have expired or been handled already).`);
  return 0;
}
