/**
 * What the robot says about the conversation with the agents, in 中文 and English: an agent's
 * question waiting for the people's answer (CCCC's reply requests), and what became of a
 * person's message once it is in CCCC (its delivery to the agents). Typed like replies.ts.
 */
import type { ReplyLanguage } from './replies';

export interface ConversationTexts {
  /** The mark on an agent's question: `<who> needs your reply`. */
  needsReply(who: string): string;
  /** How to answer a request tagged `tag`. */
  howToAnswer(tag: string): string;
  /** Labels of the quick answers under a request. */
  quickYes: string;
  quickNo: string;
  /** The /context section listing open requests. */
  openRequests: string;
  /** The group is stopped: nobody will read the message until it starts. */
  groupStopped(): string;
  /** The group is paused in CCCC: the message is claimed but not handed over. */
  groupPaused(): string;
  /** Agents addressed that are turned off in CCCC and are no longer woken by a message. */
  agentsOff(names: string[]): string;
  /** CCCC could not hand the message to an agent. */
  deliveryFailed(name: string, reason: string): string;
  /** CCCC cannot tell whether an agent got it. */
  deliveryUnsure(name: string): string;
  /** Nothing picked the message up within a while, and no agent it addresses is running. */
  notPickedUp(minutes: number): string;
}

const list = (names: string[], sep: string): string => names.map((n) => `@${n}`).join(sep);

const zh: ConversationTexts = {
  needsReply: (who) => `${who} 需要你回复`,
  howToAnswer: (tag) => `引用这条消息回复，或以 ${tag} 开头回复；如果只有这一个问题在等你，直接回复即可。`,
  quickYes: '好的',
  quickNo: '不行',
  openRequests: '等你回复的问题',
  groupStopped: () => '⚠️ 消息已在 CCCC 中，但工作组已停止，没有智能体会读到它。发送 /launch 启动智能体，或请管理员处理。',
  groupPaused: () => '⏸️ 消息已在 CCCC 中，但工作组在 CCCC 里处于暂停状态，智能体暂时收不到。请在 CCCC Web UI 中恢复工作组，或发送 /launch，或请管理员处理。',
  agentsOff: (names) =>
    `⚠️ ${list(names, '、')} 在 CCCC 中已关闭，不会因为这条消息被唤醒（消息保存在 CCCC 中）。发送 /launch 启动工作组的智能体，或请管理员开启 ${list(names, '、')}。`,
  deliveryFailed: (name, reason) => `⚠️ CCCC 没能把你的消息交给 @${name}：${reason}。请再发一次；如果智能体没有运行，发送 /launch，仍然失败请联系管理员。`,
  deliveryUnsure: (name) => `⚠️ CCCC 无法确定 @${name} 是否收到了你的消息（期间 CCCC 重启过）。如果一直没有回复，请再发一次。`,
  notPickedUp: (m) => `⏳ ${m} 分钟过去了，还没有智能体接收你的消息，它要找的智能体都没有运行。发送 /status 查看智能体状态，/launch 启动它们，或请管理员处理。`,
};

const en: ConversationTexts = {
  needsReply: (who) => `${who} needs your reply`,
  howToAnswer: (tag) => `Quote this message to answer, or start your answer with ${tag}; when it is the only question waiting for you, just write.`,
  quickYes: 'OK',
  quickNo: 'No',
  openRequests: 'Questions waiting for your reply',
  groupStopped: () =>
    '⚠️ Your message is in CCCC, but the group is stopped: no agent will read it until it starts. Send /launch to start the agents, or ask an admin.',
  groupPaused: () =>
    '⏸️ Your message is in CCCC, but the group is paused there, so no agent gets it for now. Resume the group in CCCC’s Web UI, or send /launch, or ask an admin.',
  agentsOff: (names) =>
    `⚠️ ${list(names, ', ')} ${names.length === 1 ? 'is' : 'are'} turned off in CCCC and will not be woken for your message (it waits in CCCC). Send /launch to start the group’s agents, or ask an admin to turn ${names.length === 1 ? 'it' : 'them'} on.`,
  deliveryFailed: (name, reason) =>
    `⚠️ CCCC could not hand your message to @${name}: ${reason}. Send it again; if the agent is not running, send /launch, and ask an admin if it keeps failing.`,
  deliveryUnsure: (name) => `⚠️ CCCC cannot tell whether @${name} got your message (CCCC restarted meanwhile). If no answer comes, send it again.`,
  notPickedUp: (m) =>
    `⏳ No agent has picked up your message after ${m} min: none of those it is for is running. Send /status to see the agents, /launch to start them, or ask an admin.`,
};

export const CONVERSATION: Record<ReplyLanguage, ConversationTexts> = { zh, en };
