/**
 * An audit record as the Info line an admin reads in the log: which chat, who sent it or to
 * whom, how big, what became of it, why it was refused — searchable and filterable by chat like
 * every other line (the `chat` field). Message content only when the audit setting keeps it.
 */
import type { LogFields } from './logger';
import type { AuditEntry } from './audit';

/** The kind of a card button press (`card.approve`, `card.pause`, …; bridge/cards/card-presses.ts). */
export const CARD_PRESS = 'card.';

export function auditLine(entry: AuditEntry, includeContent: boolean): { msg: string; fields: LogFields } {
  const msg = entry.kind.startsWith(CARD_PRESS)
    ? entry.refusal
      ? 'Refused a card button press'
      : entry.result && !entry.result.ok
        ? 'Card button press failed'
        : 'Card button pressed'
    : entry.direction === 'in'
      ? entry.refusal
        ? 'Refused a message'
        : 'Message in'
      : entry.result && !entry.result.ok
        ? 'Message out failed'
        : 'Message out';
  const fields: LogFields = {
    chat: entry.chatId,
    chatType: entry.chatType,
    kind: entry.kind,
    ...(entry.sender ? { sender: entry.sender.id, ...(entry.sender.nick !== undefined ? { nick: entry.sender.nick } : {}) } : {}),
    ...(entry.recipients?.length ? { to: entry.recipients.join(',') } : {}),
    ...(entry.chars !== undefined ? { chars: entry.chars } : {}),
    ...(entry.bytes !== undefined ? { bytes: entry.bytes } : {}),
    ...(entry.result ? (entry.result.ok ? (entry.result.via ? { via: entry.result.via } : {}) : { code: entry.result.code }) : {}),
    ...(entry.refusal ? { why: entry.refusal.code, ...(entry.refusal.reason ? { reason: entry.refusal.reason } : {}) } : {}),
    ...(entry.ref ? { ref: entry.ref } : {}),
    ...(includeContent && entry.content !== undefined ? { content: entry.content } : {}),
  };
  return { msg, fields };
}
