/**
 * One delivery attempt of one outbox item. Messages go by the route the RouteChooser picks; a
 * webhook that is gone (300001) or sending too fast is set aside and the same item goes out
 * through the OpenAPI at once. Files are prepared, uploaded once (the media id is kept across
 * attempts), then sent as an image or file message. Cards with buttons are made by the card
 * maker when one can go; otherwise, after a refusal or a few passing failures, their fallback
 * message goes in the same attempt (and in every later one). Every OpenAPI call first waits for
 * its API's rate gate. Failures are thrown for the caller to judge (see retry.ts).
 */
import { CARD_EXISTS, type CardSpace } from '../../dingtalk/card-api';
import { BridgeError } from '../../errors';
import type { Logger } from '../../log/logger';
import { extensionOf, type MediaType } from '../../dingtalk/media-rules';
import type { DingTalkApi } from '../../dingtalk/openapi-client';
import type { OutboundMessage } from '../../dingtalk/outbound-message';
import { prepareFile } from './file-prep';
import type { ChatAddress } from '../chat-address';
import type { CardPayload, DeliveryVia, OutboxItem } from './item';
import type { RateGate } from './rate-gate';
import { problemOf } from './retry';
import { openApiRoute, type OpenApiRoute, type RouteChooser } from './route';

/** DingTalk counts its 20 QPS per app per API: one gate for each API the outbox calls (the card ones outside it: outbox.ts `AppBuckets`). */
export interface Gates {
  group: RateGate;
  single: RateGate;
  media: RateGate;
  card: RateGate;
}

/** Makes the cards of `card` items (bridge/cards/button-cards.ts). */
export interface CardMaker {
  /** Where the card can go now (settings, budget, a permission lately refused, the chat); none: its fallback goes. */
  spaceFor(chat: ChatAddress): CardSpace | undefined;
  create(space: CardSpace, card: CardPayload): Promise<void>;
  /** The card will not be made (`err`: why DingTalk refused it); its fallback goes instead. */
  dropped(chat: ChatAddress, card: CardPayload, err?: unknown): Promise<void>;
}

export interface DeliveryContext {
  api: DingTalkApi;
  gates: Gates;
  routes: RouteChooser;
  log: Logger;
  cards?: CardMaker;
}

/** What an item achieved in earlier attempts (memory only): an uploaded file is not uploaded again. */
export interface ItemProgress {
  upload?: { mediaId: string; type: MediaType; name: string; bytes: number; zipped: boolean };
  /** A card's passing failures so far; at CARD_TRIES, or once it was dropped (`plain`), its fallback goes. */
  cardFailures?: number;
  plain?: boolean;
}

/** A person waits for a card in answer to a command: after this many passing failures the plain reply goes. */
export const CARD_TRIES = 3;

export type AttemptOutcome = { status: 'delivered'; via: DeliveryVia } | { status: 'stopped' };

const STOPPED: AttemptOutcome = { status: 'stopped' };

export async function attemptDelivery(item: OutboxItem, ctx: DeliveryContext, progress: ItemProgress): Promise<AttemptOutcome> {
  const payload = item.payload;
  if (payload.kind === 'message') return sendMessage(item, payload.message, payload.atUserIds, ctx);
  if (payload.kind === 'card') return deliverCard(item, payload, ctx, progress);

  // Fail before spending an upload on a chat that cannot be reached.
  const route = openApiRoute(item.chat);
  if (!progress.upload) {
    const file = await prepareFile(payload.path, payload.fileName);
    if (!(await ctx.gates.media.acquire())) return STOPPED;
    const { mediaId } = await ctx.gates.media.watch(() => ctx.api.uploadMedia(file.type, file.name, file.data));
    progress.upload = { mediaId, type: file.type, name: file.name, bytes: file.data.length, zipped: file.zipped };
  }
  const { mediaId, type, name } = progress.upload;
  const message: OutboundMessage =
    type === 'image' ? { kind: 'image', photoUrl: mediaId } : { kind: 'file', mediaId, fileName: name, fileType: extensionOf(name) };
  return sendOpenApi(route, message, ctx);
}

async function sendMessage(item: OutboxItem, message: OutboundMessage, atUserIds: string[] | undefined, ctx: DeliveryContext): Promise<AttemptOutcome> {
  const route = ctx.routes.choose(item.chat, message);
  if (route.via === 'webhook') {
    const sent = await tryWebhook(item, route.url, message, atUserIds, ctx);
    if (sent) return { status: 'delivered', via: 'webhook' };
    return sendOpenApi(openApiRoute(item.chat), message, ctx);
  }
  return sendOpenApi(route, message, ctx);
}

async function deliverCard(item: OutboxItem, card: CardPayload, ctx: DeliveryContext, progress: ItemProgress): Promise<AttemptOutcome> {
  const maker = ctx.cards;
  const space = progress.plain ? undefined : maker?.spaceFor(item.chat);
  if (space && maker) {
    if (!(await ctx.gates.card.acquire())) return STOPPED;
    try {
      await ctx.gates.card.watch(() => maker.create(space, card));
      return { status: 'delivered', via: 'card' };
    } catch (err) {
      if (err instanceof BridgeError && err.code === CARD_EXISTS) return { status: 'delivered', via: 'card' };
      progress.cardFailures = (progress.cardFailures ?? 0) + 1;
      if (problemOf(err).retryable && progress.cardFailures < CARD_TRIES) throw err;
      await maker.dropped(item.chat, card, err);
      progress.plain = true;
    }
  } else if (!progress.plain) {
    await maker?.dropped(item.chat, card);
    progress.plain = true;
  }
  return sendMessage(item, card.fallback, card.atUserIds, ctx);
}

/**
 * True when the webhook delivered. False when the OpenAPI should take over right away: the
 * session is gone, the chat's webhook budget is spent, or DingTalk refused the body.
 * Passing troubles (network, server) are thrown: the next attempt chooses again.
 */
async function tryWebhook(item: OutboxItem, url: string, message: OutboundMessage, atUserIds: string[] | undefined, ctx: DeliveryContext): Promise<boolean> {
  const chat = item.chat.conversationId;
  try {
    await ctx.api.sendViaWebhook(url, message, atUserIds?.length ? { atUserIds } : undefined);
    return true;
  } catch (err) {
    if (!(err instanceof BridgeError)) throw err;
    if (err.code === 'dingtalk.webhook_expired') {
      ctx.routes.forget(chat, url);
      ctx.log.info('Session webhook expired; sending through the OpenAPI', { chat, item: item.id });
      return false;
    }
    if (err.code === 'dingtalk.rate_limited') {
      ctx.routes.throttled(chat);
      ctx.log.info('Session webhook rate limited; sending through the OpenAPI', { chat, item: item.id });
      return false;
    }
    if (err.retryable) throw err;
    ctx.log.warn('Session webhook refused the message; trying the OpenAPI', { chat, item: item.id, code: err.code });
    return false;
  }
}

/** OpenAPI sends cannot @-mention by id; mentions must already be in the text. */
async function sendOpenApi(route: OpenApiRoute, message: OutboundMessage, ctx: DeliveryContext): Promise<AttemptOutcome> {
  if (route.via === 'group') {
    if (!(await ctx.gates.group.acquire())) return STOPPED;
    await ctx.gates.group.watch(() => ctx.api.sendToGroup(route.conversationId, message));
    return { status: 'delivered', via: 'group' };
  }
  if (!(await ctx.gates.single.acquire())) return STOPPED;
  await ctx.gates.single.watch(() => ctx.api.sendToUsers([route.userId], message));
  return { status: 'delivered', via: 'single' };
}
