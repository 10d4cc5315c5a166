/**
 * The test card of Settings → Buttons on cards: one card made from a template the person is
 * setting up, into a subscribed chat, so they see at once whether DingTalk has the template and
 * draws its variables (docs/dingtalk-protocol.md, "Cards with buttons"). DingTalk's refusal comes
 * back as the problem (template unknown, permission missing). The card is in no registry: its
 * one button opens a link (it sends /help as the person), so no press ever calls back.
 */
import { randomUUID } from 'node:crypto';
import type { CardApi } from '../../dingtalk/card-api';
import { BridgeError } from '../../errors';
import { commandLink, type ReplyLanguage } from '../../i18n/replies';
import { TEST_CARD_TEXTS } from '../../i18n/test-card';
import type { ChatAddress } from '../chat-address';
import { cardParams, type ButtonCardView } from './button-card';
import { cardSpaceOf } from './card-space';

function testCardView(lang: ReplyLanguage, templateId: string): ButtonCardView {
  const t = TEST_CARD_TEXTS[lang];
  return { title: t.title, markdown: t.markdown(templateId), note: t.note, buttons: [{ text: t.button, url: commandLink('/help'), color: 'blue' }] };
}

/** A test card needs the running bridge (its connection to DingTalk and its chats). */
export function notRunningForTestCard(): BridgeError {
  return new BridgeError({ code: 'bridge.not_running', message: 'The bridge is not running', hint: 'Start it, then send the test card.', retryable: false });
}

/** Creates the test card in the chat; rejects with DingTalk's problem, or why the chat cannot hold a card. */
export async function sendTestCard(api: Pick<CardApi, 'createAndDeliver'>, chat: ChatAddress, templateId: string, lang: ReplyLanguage): Promise<void> {
  const space = cardSpaceOf(chat);
  if (!space) {
    throw new BridgeError({
      code: 'bridge.card_no_staff_id',
      message: 'This single chat cannot show a card: DingTalk needs its person’s staff id, which the bridge has not seen yet',
      hint: 'Pick a group chat, or have the person write to the robot once and try again.',
      retryable: false,
    });
  }
  await api.createAndDeliver({ space, templateId, outTrackId: `cccc-test-${randomUUID()}`, params: cardParams(testCardView(lang, templateId), 1) });
}
