/** Per-bridge behaviour a user can change in Settings or the CLI config. */
import type { z } from 'zod';
import { bridgeSettingsInputSchema as fields } from '../../shared/api';
import { AI_CARD_TEMPLATE_ID } from '../dingtalk/ai-card';

/** The UI's settings shape, with the defaults a new bridge starts from. */
export const bridgeSettingsSchema = fields.extend({
  /** Language of the robot's replies. Chinese by default for DingTalk. */
  replyLanguage: fields.shape.replyLanguage.default('zh'),
  access: fields.shape.access.default({ mode: 'everyone' }),
  /** Inbound file size cap (CCCC's im.files.max_mb is 10; DingTalk's media limit is 20). */
  maxFileMb: fields.shape.maxFileMb.default(20),
  /**
   * Longest text a person may send, in characters. A longer one is not forwarded: the robot
   * answers "message too long: N characters, the limit is M" (DingTalk itself caps what the
   * robot may send at 20,000 bytes, so agents could not quote much more back).
   */
  maxMessageChars: fields.shape.maxMessageChars.default(20_000),
  /** resume: from the saved cursor (first start: from now). end: skip what arrived while stopped. */
  catchUp: fields.shape.catchUp.default('resume'),
  /** Keep message text in the audit log (off: metadata only). */
  auditContent: fields.shape.auditContent.default(false),
  /** Show 🤔 on a person's message while the agents work on it (best effort). */
  thinkingReaction: fields.shape.thinkingReaction.default(true),
  /** Stream agents' answers into AI cards where DingTalk allows it (else: messages, as always). */
  cards: fields.shape.cards.default(true),
  cardTemplateId: fields.shape.cardTemplateId.default(AI_CARD_TEMPLATE_ID),
  /** None by default: a budget is the user's estimate of what the organization allows (bridge/api-usage/). */
  monthlyApiBudget: fields.shape.monthlyApiBudget.default(null),
  /** Button cards where the app may use them (a template set, Card.Instance.Write granted). */
  buttonCards: fields.shape.buttonCards.default(true),
  /**
   * No default template: DingTalk has no public one with buttons, so each organization makes
   * its own (docs/dingtalk-protocol.md, "Cards with buttons"); until then replies stay plain.
   */
  buttonCardTemplateId: fields.shape.buttonCardTemplateId.default(''),
  /** Nobody by default: approval stays where it is today (the app, the CLI, CCCC's Web UI). */
  approvers: fields.shape.approvers.default([]),
});

export type BridgeSettings = z.infer<typeof bridgeSettingsSchema>;

export const DEFAULT_SETTINGS: BridgeSettings = bridgeSettingsSchema.parse({});
