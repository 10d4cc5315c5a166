/**
 * Cards with buttons in the sandbox chat: what the page shows of such a card (made from the
 * bridge's button-card template: title, Markdown, a note, buttons), redrawn in place on every
 * change the bridge makes, and whose callback buttons a person presses (the fake DingTalk turns
 * the press into a card callback). Other cards (AI cards) are not this module's.
 */
import { cardButtons } from '../dingtalk/card-buttons';
import type { FakeCard } from '../dingtalk/types';
import type { MessageBody } from './protocol';

/** The message body of a button card, or undefined for a card of another template. */
export function buttonCardBody(card: FakeCard): Extract<MessageBody, { type: 'buttonCard' }> | undefined {
  if (!Object.hasOwn(card.params, 'buttons') || !Object.hasOwn(card.params, 'markdown')) return undefined;
  return {
    type: 'buttonCard',
    cardId: card.outTrackId,
    title: card.params['title'] ?? '',
    markdown: card.params['markdown'] ?? '',
    note: card.params['note'] ?? '',
    buttons: cardButtons(card).map((b) => ({
      text: b.text,
      ...(b.action !== undefined ? { action: b.action } : {}),
      ...(b.url !== undefined ? { url: b.url } : {}),
      ...(b.color !== undefined ? { color: b.color } : {}),
    })),
  };
}
