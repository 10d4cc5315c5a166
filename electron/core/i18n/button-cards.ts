/**
 * What button cards say (docs/dingtalk-protocol.md, "Cards with buttons"): button labels and
 * the line under a card that tells what the last press did, 中文 and English. The cards' bodies
 * are the robot's ordinary replies (replies.ts).
 */
import type { ReplyLanguage } from './replies';

export interface ButtonCardTexts {
  buttons: { approve: string; reject: string; pause: string; resume: string; verboseOn: string; verboseOff: string; refresh: string };
  /** Under a /subscribe card with buttons: who may press them. */
  approversHint: string;
  approvedBy(nick: string): string;
  rejectedBy(nick: string): string;
  /** A second press on a request already settled (here or elsewhere). */
  alreadySettled(approved: boolean, nick: string): string;
  notApprover(nick: string): string;
  /** Approving or rejecting failed; the card keeps its buttons. */
  actionFailed(message: string): string;
  pausedBy(nick: string): string;
  alreadyPaused(nick: string): string;
  resumedBy(nick: string, held: number): string;
  verboseBy(nick: string, on: boolean): string;
  refreshedBy(nick: string): string;
  /** A press on a state the card no longer shows: nothing was done, the card shows the state now. */
  stale(nick: string): string;
  /** The person may not command the agents in this chat (the access policy). */
  notAllowed(nick: string): string;
  /** The chat is no longer subscribed: the status card's buttons do nothing. */
  notSubscribed(): string;
  /** A press on a card the bridge no longer knows (its record was lost). */
  expired(): string;
}

const zh: ButtonCardTexts = {
  buttons: { approve: '批准', reject: '拒绝', pause: '暂停推送', resume: '恢复推送', verboseOn: '详细模式：开', verboseOff: '详细模式：关', refresh: '刷新' },
  approversHint: '桥接设置中指定的审批人可直接点击下方按钮。',
  approvedBy: (nick) => `✅ ${nick} 已批准。`,
  rejectedBy: (nick) => `⛔ ${nick} 已拒绝。`,
  alreadySettled: (approved, nick) => (approved ? `✅ 已由 ${nick} 批准，无需再点。` : `⛔ 已由 ${nick} 拒绝，无需再点。`),
  notApprover: (nick) => `🔒 ${nick} 不是审批人：只有桥接设置中指定的审批人可以批准或拒绝。`,
  actionFailed: (message) => `⚠️ 没有完成：${message}。可以稍后再点一次。`,
  pausedBy: (nick) => `⏸ ${nick} 暂停了推送，消息会暂存。`,
  alreadyPaused: (nick) => `⏸ 推送已经是暂停状态（${nick}）。`,
  resumedBy: (nick, held) => `▶️ ${nick} 恢复了推送${held > 0 ? `，暂存的 ${held} 条消息随后补发` : ''}。`,
  verboseBy: (nick, on) => `🔎 ${nick} ${on ? '打开' : '关闭'}了详细模式。`,
  refreshedBy: (nick) => `🔄 ${nick} 刷新了状态。`,
  stale: (nick) => `🔄 卡片已过期，没有执行（${nick}）；这是当前状态，请再点一次。`,
  notAllowed: (nick) => `🔒 ${nick} 没有权限操作本会话（桥接的访问策略）。`,
  notSubscribed: () => '📭 本会话已不再订阅，按钮不再生效。发送 /subscribe 重新订阅。',
  expired: () => '⌛ 这张卡片已失效。请重新发送命令。',
};

const en: ButtonCardTexts = {
  buttons: { approve: 'Approve', reject: 'Reject', pause: 'Pause', resume: 'Resume', verboseOn: 'Verbose on', verboseOff: 'Verbose off', refresh: 'Refresh' },
  approversHint: 'The approvers named in the bridge settings can press the buttons below.',
  approvedBy: (nick) => `✅ Approved by ${nick}.`,
  rejectedBy: (nick) => `⛔ Rejected by ${nick}.`,
  alreadySettled: (approved, nick) => (approved ? `✅ Already approved by ${nick}.` : `⛔ Already rejected by ${nick}.`),
  notApprover: (nick) => `🔒 ${nick} is not an approver: only the approvers named in the bridge settings can approve or reject.`,
  actionFailed: (message) => `⚠️ Not done: ${message}. You can press again later.`,
  pausedBy: (nick) => `⏸ Paused by ${nick}; messages are kept.`,
  alreadyPaused: (nick) => `⏸ Already paused (${nick}).`,
  resumedBy: (nick, held) => `▶️ Resumed by ${nick}${held > 0 ? `; ${held} held ${held === 1 ? 'message follows' : 'messages follow'}` : ''}.`,
  verboseBy: (nick, on) => `🔎 Verbose turned ${on ? 'on' : 'off'} by ${nick}.`,
  refreshedBy: (nick) => `🔄 Refreshed by ${nick}.`,
  stale: (nick) => `🔄 The card was out of date, nothing was done (${nick}); this is the state now — press again.`,
  notAllowed: (nick) => `🔒 ${nick} may not command the agents in this chat (the bridge's access policy).`,
  notSubscribed: () => '📭 This chat is no longer subscribed; the buttons do nothing. Send /subscribe to subscribe again.',
  expired: () => '⌛ This card is no longer valid. Send the command again.',
};

export const BUTTON_CARD_TEXTS: Record<ReplyLanguage, ButtonCardTexts> = { zh, en };
