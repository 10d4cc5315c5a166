/**
 * Cards with buttons, queued in the chat's outbox like any reply (so they keep the chat's order,
 * its rate and the API budget) and made when their turn comes (the outbox's CardMaker). A card
 * is queued when the settings allow it (on, a template named) and the chat can hold one (a
 * group, or a single chat whose person has a staff id); at its turn it is made unless the
 * budget is past its limit or DingTalk lately refused the card permission. Where a card does
 * not go — and when DingTalk refuses it — the chat gets the plain reply instead, never nothing.
 * The card is in the registry before it is queued, so no press can beat it there. Redraws are
 * not outbox items: they wait for the app's `update` rate gate themselves.
 */
import { randomUUID } from 'node:crypto';
import { isCardPermissionError, type CardApi, type CardSpace } from '../../dingtalk/card-api';
import type { OutboundMessage } from '../../dingtalk/outbound-message';
import { toProblem, type Problem } from '../../errors';
import { silentLogger, type Logger } from '../../log/logger';
import type { ChatAddress } from '../chat-address';
import type { CardMaker } from '../outbox/deliver';
import type { CardPayload } from '../outbox/item';
import { appBuckets, type AppBuckets } from '../outbox/app-buckets';
import { RateGate } from '../outbox/rate-gate';
import { cardParams, type ButtonCardView } from './button-card';
import type { CardAllowanceSource } from './card-allowance';
import { cardSpaceOf } from './card-space';
import type { CardEntry, CardRegistry } from './card-registry';

/** After DingTalk refused the card permission, plain replies for this long before a card is tried again. */
export const PERMISSION_RETRY_MS = 10 * 60_000;

export interface ButtonCardsOptions {
  api: Pick<CardApi, 'createAndDeliver' | 'updateCard'>;
  registry: CardRegistry;
  settings(): { enabled: boolean; templateId: string };
  /** The API budget's word on cards (`plain`: none); default always allowed. */
  allowance?: CardAllowanceSource;
  /** The plain reply, queued like any reply (the outbox). */
  reply(chat: ChatAddress, message: OutboundMessage, mention?: string[]): Promise<void>;
  /** Queues a card in the chat's outbox. */
  queue(chat: ChatAddress, card: CardPayload): Promise<void>;
  /** DingTalk refused the card permission: the dashboard should say which one to add. */
  onUnavailable?(problem: Problem): void;
  /** The app's token buckets (redraws use `update`); default: this object's own. */
  buckets?: Pick<AppBuckets, 'update'>;
  logger?: Logger;
  now?: () => number;
}

/** What a new card is for. */
export type CardPurpose = Pick<CardEntry, 'kind' | 'key'>;

export class ButtonCards implements CardMaker {
  private readonly log: Logger;
  private readonly now: () => number;
  /** Redraws' turn at the app's rate (creates wait at the outbox's `card` gate). */
  private readonly updates: RateGate;
  private refusedUntil = 0;

  constructor(private readonly options: ButtonCardsOptions) {
    this.log = (options.logger ?? silentLogger).child('cards');
    this.now = options.now ?? Date.now;
    this.updates = new RateGate((options.buckets ?? appBuckets()).update);
  }

  /** Queues `view` as a card for the chat, or `fallback` as a message where a card cannot go. */
  async show(chat: ChatAddress, purpose: CardPurpose, view: ButtonCardView, fallback: OutboundMessage, mention?: string[]): Promise<void> {
    // The same word as at delivery (which asks again): no registry writes for a card that cannot go now.
    if (!this.spaceFor(chat)) return this.options.reply(chat, fallback, mention);
    const { templateId } = this.options.settings();
    const outTrackId = `cccc-btn-${randomUUID()}`;
    await this.options.registry.add(outTrackId, { ...purpose, chat, version: 1, createdAt: this.now() });
    const card: CardPayload = {
      kind: 'card',
      outTrackId,
      templateId,
      params: cardParams(view, 1),
      fallback,
      ...(mention?.length ? { atUserIds: mention } : {}),
    };
    try {
      await this.options.queue(chat, card);
    } catch (err) {
      await this.forget(outTrackId);
      throw err;
    }
  }

  spaceFor(chat: ChatAddress): CardSpace | undefined {
    const { enabled, templateId } = this.options.settings();
    if (!enabled || templateId === '' || this.now() < this.refusedUntil || this.options.allowance?.() === 'plain') return undefined;
    return cardSpaceOf(chat);
  }

  async create(space: CardSpace, card: CardPayload): Promise<void> {
    await this.options.api.createAndDeliver({ space, templateId: card.templateId, outTrackId: card.outTrackId, params: card.params });
    this.log.debug('Card sent', { card: card.outTrackId });
  }

  async dropped(chat: ChatAddress, card: CardPayload, err?: unknown): Promise<void> {
    if (err !== undefined) {
      const problem = toProblem(err);
      if (isCardPermissionError(err)) {
        this.refusedUntil = this.now() + PERMISSION_RETRY_MS;
        this.options.onUnavailable?.(problem);
      }
      this.log.warn('Could not send a card; replying with a message instead', { chat: chat.conversationId, card: card.outTrackId, code: problem.code });
    }
    await this.forget(card.outTrackId);
  }

  /**
   * Redraws a card in place; best effort (the press is done and audited whatever DingTalk says),
   * and none once the bridge stops (the gate closed).
   */
  async update(outTrackId: string, view: ButtonCardView, version: number): Promise<void> {
    if (!(await this.updates.acquire())) return this.log.info('A card was not redrawn: the bridge is stopping', { card: outTrackId });
    try {
      await this.updates.watch(() => this.options.api.updateCard({ outTrackId, params: cardParams(view, version) }));
    } catch (err) {
      this.log.warn('Could not update a card', { card: outTrackId, code: toProblem(err).code });
    }
  }

  /** Redraws waiting for their turn are let go (the bridge stops). */
  close(): void {
    this.updates.close();
  }

  /** A card that will not exist leaves the registry (a press on it could only be a forgery). */
  private forget(outTrackId: string): Promise<void> {
    return this.options.registry.remove(outTrackId).catch(() => undefined);
  }
}
