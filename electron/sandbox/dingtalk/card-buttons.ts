/**
 * Pressing a button of a card, as the DingTalk client does (docs/dingtalk-protocol.md, "Cards
 * with buttons"): the button must be on the card as it is now and call back (a link button
 * opens its link instead), and the person must see the card; the press becomes the CALLBACK
 * data DingTalk pushes on the card callback topic. Buttons are read from the card's `buttons`
 * variable, and each calls back with `{action, version}`, as the bridge's template does.
 */
import { hex } from './ids';
import { FAKE_CORP_ID } from './messages';
import type { FakeCard } from './types';

export const CARD_CALLBACK_TOPIC = '/v1.0/card/instances/callback';

/** A button as the card's `buttons` variable lists it. */
export interface FakeCardButton {
  text: string;
  action?: string;
  url?: string;
  color?: string;
}

/** The buttons a card shows now; none when its `buttons` variable is missing or not a list. */
export function cardButtons(card: Pick<FakeCard, 'params'>): FakeCardButton[] {
  try {
    const list: unknown = JSON.parse(card.params['buttons'] ?? '[]');
    if (!Array.isArray(list)) return [];
    return list.filter((b): b is FakeCardButton => b !== null && typeof b === 'object' && typeof (b as { text?: unknown }).text === 'string');
  } catch {
    return [];
  }
}

export interface PressInput {
  /** Who presses (a staff id). */
  staffId: string;
  /** The button, by its action or its text. */
  button: string;
  /** Replaces the callback params the button would send (e.g. an old `version`). */
  params?: Record<string, string>;
}

/** The CALLBACK data of a press; throws when the person could not press that button. */
export function pressData(card: FakeCard, input: PressInput): { data: Record<string, unknown>; msgId: string } {
  if (card.recipients && !card.recipients.includes(input.staffId)) throw new Error(`fake DingTalk: ${input.staffId} does not see card ${card.outTrackId}`);
  const button = cardButtons(card).find((b) => b.action === input.button || b.text === input.button);
  if (!button) throw new Error(`fake DingTalk: card ${card.outTrackId} shows no button ${input.button}`);
  if (button.action === undefined) throw new Error(`fake DingTalk: button ${input.button} opens a link; it does not call back`);
  const params = input.params ?? { action: button.action, version: card.params['version'] ?? '' };
  const content = JSON.stringify({ cardPrivateData: { actionIds: [`button_${button.action}`], params } });
  const data = {
    extension: '{}',
    corpId: FAKE_CORP_ID,
    spaceType: card.space.type,
    spaceId: card.space.id,
    userIdType: 1,
    type: 'actionCallback',
    userId: input.staffId,
    outTrackId: card.outTrackId,
    content,
    value: content,
  };
  return { data, msgId: `press_${hex(12)}` };
}
