/**
 * The chat commands that exist only when one DingTalk app serves several CCCC groups: `/groups`,
 * and the group a `/subscribe` names (docs/architecture.md §1). They are read before a message
 * reaches a group, because they choose the group; everything else is the group's own command.
 */
import type { InboundMessage } from '../dingtalk/inbound-message';
import type { GroupLine } from '../i18n/groups';
import { parseCommand } from './commands';

export type GroupCommand = { name: 'groups' } | { name: 'subscribe'; group?: string };

/** A text message that is `/groups` or `/subscribe [group]`, read as commands.ts reads commands. */
export function readGroupCommand(m: InboundMessage): GroupCommand | undefined {
  if (m.content.type !== 'text' && m.content.type !== 'richText') return undefined;
  const text = m.content.text;
  const command = parseCommand(text);
  if (command.name === 'unknown') return command.word.toLowerCase() === '/groups' ? { name: 'groups' } : undefined;
  if (command.name !== 'subscribe') return undefined;
  const group = /\/sub(?:scribe)?(?=\s|$)([\s\S]*)$/i.exec(text)?.[1]?.trim();
  return group ? { name: 'subscribe', group } : { name: 'subscribe' };
}

export interface ServedGroup {
  id: string;
  title: string;
}

/** The group a person named: its id, or its title (case and surrounding quotes aside). */
export function findGroup<G extends ServedGroup>(groups: readonly G[], asked: string): G | undefined {
  const name = asked.replace(/^["'“「]|["'”」]$/g, '').trim();
  return groups.find((g) => g.id === name) ?? groups.find((g) => g.title.toLowerCase() === name.toLowerCase());
}

/** Tapping it in DingTalk sends `/subscribe <group id>` to the robot (docs/dingtalk-protocol.md §4). */
export function subscribeLink(groupId: string): string {
  return `dtmd://dingtalkclient/sendMessage?content=${encodeURIComponent(`/subscribe ${groupId}`)}`;
}

export function groupLines(groups: readonly ServedGroup[], own: string | undefined): GroupLine[] {
  return groups.map((g) => ({ id: g.id, title: g.title, link: subscribeLink(g.id), own: g.id === own }));
}

/** The same message, now saying plain `/subscribe` for the group it chose. */
export function asPlainSubscribe(m: InboundMessage): InboundMessage {
  return { ...m, content: { type: 'text', text: '/subscribe' } };
}
