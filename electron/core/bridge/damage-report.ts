/**
 * What the state files damaged while the bridge was stopped cost, in words: one problem for the
 * dashboard, and per chat how many messages it lost each way (the chat is told once). The
 * damaged lines are kept aside by their owners; this only reads what they found.
 */
import { basename } from 'node:path';
import type { CursorRebuild } from '../cccc/ledger/follower';
import type { Problem } from '../errors';
import type { DirectoryRebuild } from './chat-directory';

export interface DamageFound {
  stateDir: string;
  cursor: CursorRebuild | undefined;
  chats: DirectoryRebuild | undefined;
  /** Held messages damaged on disk (their chats are told on /resume). */
  heldLost: number;
  /** Each journal's damaged lines; `fromPeople` says which way its messages went. */
  journals: { file: string; lines: readonly string[]; fromPeople: boolean }[];
}

export interface DamageReport {
  problem: Problem | undefined;
  /** Chat id → messages lost from the chat's people and for them. */
  perChat: Map<string, { fromYou: number; forYou: number }>;
}

export function reportDamage(found: DamageFound): DamageReport {
  const parts: string[] = [];
  const { cursor, chats } = found;
  if (cursor)
    parts.push(
      `ledger-cursor.json ${cursor.why} (kept as ${basename(cursor.aside)}): agent messages since ${cursor.since} are read again; none is sent twice.`,
    );
  if (chats) {
    const lost = chats.unreachable.map((c) => c.title ?? c.chatId);
    parts.push(
      `chats.json ${chats.why} (kept as ${basename(chats.aside)}): ${chats.restored} chat${chats.restored === 1 ? '' : 's'} restored` +
        (lost.length ? `; cannot reach ${lost.join(', ')} until ${lost.length === 1 ? 'it writes' : 'they write'} to the robot again.` : '.'),
    );
  }
  if (found.heldLost > 0) parts.push(`Held messages: ${found.heldLost} damaged on disk, kept aside in held.jsonl.rejected; the chats are told on /resume.`);
  const perChat = new Map<string, { fromYou: number; forYou: number }>();
  for (const { file, lines, fromPeople } of found.journals) {
    // A damaged `done` line only lets a finished entry come back; no message is lost with it.
    const lost = lines.filter((l) => !/"op":"done"/.test(l));
    if (lost.length === 0) continue;
    parts.push(`${file}: ${lost.length} damaged line${lost.length === 1 ? '' : 's'} kept aside in ${file}.rejected.`);
    for (const line of lost) {
      const chatId = /"conversationId":"([^"]+)"/.exec(line)?.[1];
      if (!chatId) continue;
      const counts = perChat.get(chatId) ?? { fromYou: 0, forYou: 0 };
      if (fromPeople) counts.fromYou += 1;
      else counts.forYou += 1;
      perChat.set(chatId, counts);
    }
  }
  const problem: Problem | undefined =
    parts.length === 0
      ? undefined
      : {
          code: 'state.damaged',
          message: `Some of the bridge's state files were damaged while it was stopped. ${parts.join(' ')}`,
          hint: 'Nothing else is needed; the damaged files are kept beside the originals for inspection.',
          retryable: false,
          details: { stateDir: found.stateDir },
        };
  return { problem, perChat };
}
