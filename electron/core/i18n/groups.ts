/**
 * What the robot says about the CCCC groups it serves, when one DingTalk app serves several
 * (docs/architecture.md §1): the choice `/subscribe` offers, `/groups`, and a group gone.
 */
import type { ReplyLanguage } from './replies';

/** A group as a chat sees it; `link` sends `/subscribe <group>` when tapped. */
export interface GroupLine {
  id: string;
  title: string;
  link: string;
  /** The chat's own group. */
  own: boolean;
}

export interface GroupReplies {
  title: string;
  /** `/subscribe` without a group, when the robot serves several. */
  choose(groups: GroupLine[]): string;
  /** `/subscribe <x>` where x is no group this robot serves. */
  unknown(asked: string, groups: GroupLine[]): string;
  /** `/groups`. */
  list(groups: GroupLine[]): string;
  /** The chat's group is gone or cannot be followed; said once. */
  gone(title: string): string;
}

const line = (g: GroupLine, ownMark: string): string => `- [${g.title}](${g.link}) \`${g.id}\`${g.own ? ` ${ownMark}` : ''}`;

export const GROUP_REPLIES: Record<ReplyLanguage, GroupReplies> = {
  zh: {
    title: 'CCCC 工作组',
    choose: (groups) => ['这个机器人服务多个 CCCC 工作组。点一个，把本会话订阅到它：', '', ...groups.map((g) => line(g, '（本会话）'))].join('\n'),
    unknown: (asked, groups) => [`没有叫“${asked}”的工作组。这个机器人服务：`, '', ...groups.map((g) => line(g, '（本会话）'))].join('\n'),
    list: (groups) =>
      [
        '这个机器人服务的 CCCC 工作组：',
        '',
        ...groups.map((g) => line(g, '← 本会话')),
        '',
        groups.some((g) => g.own) ? '点另一个工作组可换过去（经批准后生效）。' : '本会话还没有订阅：点一个工作组订阅。',
      ].join('\n'),
    gone: (title) => `工作组“${title}”已不存在或无法读取：本会话暂时收不到它的消息。用 /groups 可换到别的工作组。`,
  },
  en: {
    title: 'CCCC groups',
    choose: (groups) =>
      ['This robot serves several CCCC groups. Tap one to subscribe this chat to it:', '', ...groups.map((g) => line(g, '(this chat)'))].join('\n'),
    unknown: (asked, groups) => [`No group is called "${asked}". This robot serves:`, '', ...groups.map((g) => line(g, '(this chat)'))].join('\n'),
    list: (groups) =>
      [
        'The CCCC groups this robot serves:',
        '',
        ...groups.map((g) => line(g, '← this chat')),
        '',
        groups.some((g) => g.own)
          ? 'Tap another group to move this chat there (after approval).'
          : 'This chat is not subscribed yet: tap a group to subscribe.',
      ].join('\n'),
    gone: (title) => `The group "${title}" is gone or cannot be read: this chat gets none of its messages for now. /groups lets you move to another group.`,
  },
};
