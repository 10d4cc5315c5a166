/**
 * `set --cards on|off --card-template ID|default --button-cards on|off --button-card-template
 * ID|none --approver STAFF_ID… | --no-approvers`: the card settings the app's Settings sets
 * (docs/dingtalk-protocol.md §7 and "Cards with buttons"), and how `set`, `status` and `doctor`
 * say them, in the locale's language.
 */
import type { BridgeSettings } from '../../core/bridge/settings';
import { AI_CARD_TEMPLATE_ID } from '../../core/dingtalk/ai-card';
import { CLI_CARDS_TEXT, type CliCardsText } from '../../core/i18n/cli-cards';
import { localeLanguage } from '../../core/i18n/locale';
import { cardTemplateIdSchema, STAFF_ID } from '../../shared/api';
import type { Check } from '../doctor/report';
import { invalidOption } from '../output';

export interface CardOptions {
  cards?: string;
  cardTemplate?: string;
  buttonCards?: string;
  buttonCardTemplate?: string;
  /** `--approver`, once per person: the approvers from now on. */
  approver?: string[];
  /** false with `--no-approvers` (commander's negation; true otherwise). */
  approvers?: boolean;
}

/** The card settings: what `set`'s card options change and `status` shows. */
export type CardSettings = Pick<BridgeSettings, 'cards' | 'cardTemplateId' | 'buttonCards' | 'buttonCardTemplateId' | 'approvers'>;

const text = (): CliCardsText => CLI_CARDS_TEXT[localeLanguage(process.env)];

function onOff(option: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'on' || v === 'off') return v === 'on';
  throw invalidOption(text().errors.onOff(option, value));
}

/** A template id, or `keyword` for `fallback`. */
function template(option: string, value: string, keyword: string, fallback: string): string {
  if (value.trim().toLowerCase() === keyword) return fallback;
  const parsed = cardTemplateIdSchema.safeParse(value);
  if (!parsed.success) throw invalidOption(text().errors.template(option, value.slice(0, 200)), text().errors.templateHint(keyword));
  return parsed.data;
}

/** The settings the card options change; empty when none is given. */
export function cardSettingsFrom(o: CardOptions): Partial<CardSettings> {
  const t = text().errors;
  const patch: Partial<CardSettings> = {};
  if (o.cards !== undefined) patch.cards = onOff('--cards', o.cards);
  if (o.cardTemplate !== undefined) patch.cardTemplateId = template('--card-template', o.cardTemplate, 'default', AI_CARD_TEMPLATE_ID);
  if (o.buttonCards !== undefined) patch.buttonCards = onOff('--button-cards', o.buttonCards);
  if (o.buttonCardTemplate !== undefined) patch.buttonCardTemplateId = template('--button-card-template', o.buttonCardTemplate, 'none', '');
  if (o.approver !== undefined && o.approvers === false) throw invalidOption(t.approversBoth);
  if (o.approvers === false) patch.approvers = [];
  if (o.approver !== undefined) {
    const ids = [...new Set(o.approver.map((id) => id.trim()))];
    const bad = ids.find((id) => !STAFF_ID.test(id));
    if (bad !== undefined) throw invalidOption(t.approver(bad.slice(0, 64)), t.approverHint);
    patch.approvers = ids;
  }
  return patch;
}

/** Each card setting in words. */
function described(s: CardSettings): { cards: string; buttons: string; approvers: string } {
  const t = text();
  return {
    cards: s.cards ? t.liveOn(s.cardTemplateId, s.cardTemplateId === AI_CARD_TEMPLATE_ID) : t.liveOff,
    buttons: !s.buttonCards ? t.buttonsOff : s.buttonCardTemplateId === '' ? t.buttonsNoTemplate : t.buttonsOn(s.buttonCardTemplateId),
    approvers: s.approvers.length > 0 ? t.approvers(s.approvers) : t.noApprovers,
  };
}

/** `[label, value]` for live cards, buttons and approvers, as `set` and `status` print them. */
export function cardSettingsLines(s: CardSettings): Array<[label: string, value: string]> {
  const { labels } = text();
  const d = described(s);
  return [
    [labels.cards, d.cards],
    [labels.buttons, d.buttons],
    [labels.approvers, d.approvers],
  ];
}

/** `doctor`'s word on buttons on cards (optional: without a template, how to make one), with the approvers. */
export function buttonCardsCheck(s: CardSettings): Check {
  const t = text();
  const d = described(s);
  const message = `${t.doctor.label} ${d.buttons}; ${t.labels.approvers.trim()} ${d.approvers}`;
  if (!s.buttonCards) return { id: 'button_cards', status: 'skip', message };
  if (s.buttonCardTemplateId === '') return { id: 'button_cards', status: 'skip', message, hint: t.doctor.makeOne };
  return { id: 'button_cards', status: 'ok', message };
}
