/**
 * The cards that stand in for the robot's answers to /subscribe, /status and /help: the same
 * words as the plain replies (i18n/replies.ts), with buttons (i18n/button-cards.ts). The plain reply
 * of each is what a chat gets where a card cannot go.
 */
import type { OutboundMessage } from '../../dingtalk/outbound-message';
import { BUTTON_CARD_TEXTS } from '../../i18n/button-cards';
import { commandLink, helpEntries, helpMarkdown, REPLIES, type ReplyLanguage, type StatusFacts } from '../../i18n/replies';
import type { ButtonCardView } from './button-card';

export interface CommandCard {
  view: ButtonCardView;
  /** The same answer as a message. */
  fallback: OutboundMessage;
}

/** Status card actions, as the buttons send them. */
export const STATUS_ACTIONS = ['pause', 'resume', 'verbose_on', 'verbose_off', 'refresh'] as const;
export type StatusAction = (typeof STATUS_ACTIONS)[number];
export const SUBSCRIBE_ACTIONS = ['approve', 'reject'] as const;

/**
 * A /subscribe request. With approvers named, they can settle it with the card's buttons;
 * without, the card only tells how approval works (the app, the CLI, CCCC's Web UI).
 */
export function subscribeCard(lang: ReplyLanguage, key: string, groupId: string, approvers: boolean, note?: string): CommandCard {
  const t = REPLIES[lang];
  const c = BUTTON_CARD_TEXTS[lang];
  const markdown = t.subscribePending(key, groupId);
  const open = approvers && note === undefined;
  return {
    view: {
      title: t.titles.subscribe,
      markdown,
      note: note ?? (approvers ? c.approversHint : ''),
      buttons: open
        ? [
            { text: c.buttons.approve, action: 'approve', color: 'blue' },
            { text: c.buttons.reject, action: 'reject', color: 'red' },
          ]
        : [],
    },
    fallback: { kind: 'markdown', title: t.titles.subscribe, text: markdown },
  };
}

/** /status, with the buttons that change what it shows. */
export function statusCard(lang: ReplyLanguage, facts: StatusFacts, note?: string): CommandCard {
  const text = REPLIES[lang].status(facts);
  const b = BUTTON_CARD_TEXTS[lang].buttons;
  const { paused, verbose, subscribed } = facts.chat;
  return {
    view: {
      title: facts.groupTitle,
      markdown: text,
      note: note ?? '',
      buttons: [
        ...(subscribed
          ? [
              paused ? { text: b.resume, action: 'resume', color: 'blue' as const } : { text: b.pause, action: 'pause', color: 'gray' as const },
              verbose
                ? { text: b.verboseOff, action: 'verbose_off', color: 'gray' as const }
                : { text: b.verboseOn, action: 'verbose_on', color: 'gray' as const },
            ]
          : []),
        { text: b.refresh, action: 'refresh', color: 'gray' },
      ],
    },
    fallback: { kind: 'markdown', title: facts.groupTitle, text },
  };
}

/** /help: every command that needs no argument is a button that sends it (no callback); `/groups` when the robot serves several groups. */
export function helpCard(lang: ReplyLanguage, severalGroups = false): CommandCard {
  const help = helpMarkdown(lang, severalGroups);
  const buttons = helpEntries(severalGroups)
    .filter((h) => !h.command.includes('<'))
    .map((h) => ({ text: h.command, url: commandLink(h.command), color: 'gray' as const }));
  return { view: { title: help.title, markdown: help.text, buttons }, fallback: { kind: 'markdown', title: help.title, text: help.text } };
}
