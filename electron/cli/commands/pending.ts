/**
 * `pending`, `approve KEY`, `reject KEY`: the Pending Requests of CCCC's Web UI for CLI users.
 * Requests are read from CCCC's IM files; approving and rejecting go through the CCCC daemon
 * (`im_bind_chat`, `im_reject_pending`), like `cccc im bind --key`. A running bridge sees the
 * approval and confirms it in the chat.
 */
import { DaemonClient } from '../../core/cccc/daemon';
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

export async function pendingCommand(o: PendingOptions): Promise<number> {
  const ctx = await loadBridge(o.bridge);
  const requests = await new ImState({ groupDir: ctx.groupDir }).listPending();
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
    out(`${p.key}  ${requestLine(p, o.verbose)}, expires in ${duration(p.expiresAt - now)}`);
  }
  out('Approve with `cccc-dingtalk approve KEY`, reject with `cccc-dingtalk reject KEY`.');
  return 0;
}

export async function approveCommand(key: string, o: { bridge?: string }): Promise<number> {
  const ctx = await loadBridge(o.bridge);
  const bound = await new DaemonClient({ home: ctx.ccccHome }).imBindChat(ctx.profile.groupId, key);
  out(`Approved: chat ${bound.chat_id} is now authorized and subscribed to group ${ctx.profile.groupId}.`);
  return 0;
}

export async function rejectCommand(key: string, o: { bridge?: string }): Promise<number> {
  const ctx = await loadBridge(o.bridge);
  const { rejected } = await new DaemonClient({ home: ctx.ccccHome }).imRejectPending(ctx.profile.groupId, key);
  out(rejected ? `Rejected request ${key}.` : `No pending request ${key} (it may have expired or been handled already).`);
  return 0;
}
