/**
 * Sends button cards, and keeps replying where they cannot go. A card is used when the settings
 * allow it (on, a template named), the chat can hold one (a group, or a single chat whose person
 * has a staff id) and DingTalk did not lately refuse the card permission; otherwise — and when
 * the create fails for any reason — the chat gets the plain reply instead, through the outbox,
 * never nothing. The card is in the registry before it exists, so no press can beat it there.
 */
import { randomUUID } from 'node:crypto';
import { isCardPermissionError, type CardApi, type CardSpace } from '../../dingtalk/card-api';
import type { OutboundMessage } from '../../dingtalk/outbound-message';
import { toProblem, type Problem } from '../../errors';
import { silentLogger, type Logger } from '../../log/logger';
import type { ChatAddress } from '../chat-address';
import { cardParams, type ButtonCardView } from './button-card';
import { cardSpaceOf } from './card-space';
import type { CardEntry, CardRegistry } from './card-registry';

/** After DingTalk refused the card permission, plain replies for this long before a card is tried again. */
export const PERMISSION_RETRY_MS = 10 * 60_000;

export interface ButtonCardsOptions {
  api: Pick<CardApi, 'createAndDeliver' | 'updateCard'>;
  registry: CardRegistry;
  settings(): { enabled: boolean; templateId: string };
  /** The plain reply, queued like any reply (the outbox). */
  reply(chat: ChatAddress, message: OutboundMessage, mention?: string[]): Promise<void>;
  /** DingTalk refused the card permission: the dashboard should say which one to add. */
  onUnavailable?(problem: Problem): void;
  logger?: Logger;
  now?: () => number;
}

/** What a new card is for. */
export type CardPurpose = Pick<CardEntry, 'kind' | 'key'>;

export class ButtonCards {
  private readonly log: Logger;
  private readonly now: () => number;
  private refusedUntil = 0;

  constructor(private readonly options: ButtonCardsOptions) {
    this.log = (options.logger ?? silentLogger).child('cards');
    this.now = options.now ?? Date.now;
  }

  /** Shows `view` as a card in the chat, or `fallback` as a message where a card cannot go. */
  async show(chat: ChatAddress, purpose: CardPurpose, view: ButtonCardView, fallback: OutboundMessage, mention?: string[]): Promise<void> {
    const space = this.spaceFor(chat);
    if (!space) return this.options.reply(chat, fallback, mention);
    const outTrackId = `cccc-btn-${randomUUID()}`;
    await this.options.registry.add(outTrackId, { ...purpose, chat, version: 1, createdAt: this.now() });
    try {
      await this.options.api.createAndDeliver({ space, templateId: this.options.settings().templateId, outTrackId, params: cardParams(view, 1) });
      this.log.debug('Card sent', { chat: chat.conversationId, card: outTrackId, kind: purpose.kind });
      return;
    } catch (err) {
      const problem = toProblem(err);
      if (isCardPermissionError(err)) {
        this.refusedUntil = this.now() + PERMISSION_RETRY_MS;
        this.options.onUnavailable?.(problem);
      }
      this.log.warn('Could not send a card; replying with a message instead', { chat: chat.conversationId, kind: purpose.kind, code: problem.code });
    }
    await this.options.registry.remove(outTrackId).catch(() => undefined);
    await this.options.reply(chat, fallback, mention);
  }

  /** Redraws a card in place; best effort (the press is done and audited whatever DingTalk says). */
  async update(outTrackId: string, view: ButtonCardView, version: number): Promise<void> {
    try {
      await this.options.api.updateCard({ outTrackId, params: cardParams(view, version) });
    } catch (err) {
      this.log.warn('Could not update a card', { card: outTrackId, code: toProblem(err).code });
    }
  }

  private spaceFor(chat: ChatAddress): CardSpace | undefined {
    const { enabled, templateId } = this.options.settings();
    if (!enabled || templateId === '' || this.now() < this.refusedUntil) return undefined;
    return cardSpaceOf(chat);
  }
}
