/**
 * The card API of the fake DingTalk (docs/dingtalk-protocol.md §7): cards created and delivered
 * into chats, text streamed into their variables, variables updated. It keeps each card's state
 * (what DingTalk would show) for the tests and the sandbox chat page, which redraws a card on
 * every change. Token, QPS and permission checks happen before (api-v1.ts).
 */
import { hex } from './ids';
import { v1, type V1Error } from './errors';
import type { FakeHooks } from './hooks';
import { isNonEmptyString, type JsonObject } from './http-util';
import type { CardStatus, FakeApp, FakeCard, FakeListener } from './types';

/**
 * Longer variable values are accepted but show as a blank card, as people report of DingTalk
 * (its limit is not documented; the bridge keeps below it).
 */
export const CARD_VALUE_MAX_CHARS = 3_000;

/** DingTalk's public AI card: every organization has it (docs/dingtalk-protocol.md §7). */
export const PUBLIC_AI_CARD_TEMPLATE = '382e4302-551d-4880-bf29-a30acfab2e71.schema';

/** The AI-card template's `flowStatus` values → what the card shows. */
const FLOW_STATUS: Record<string, CardStatus> = { '1': 'processing', '2': 'inputting', '3': 'finished', '5': 'failed' };

const SPACE = /^dtv1\.card\/\/(IM_GROUP|IM_ROBOT)\.(.+)$/;

export type CardAnswer = { ok: true; result: unknown } | { ok: false; err: V1Error };

const fail = (err: V1Error): CardAnswer => ({ ok: false, err });

/** A cardParamMap: an object whose values are all strings (DingTalk refuses numbers). */
function paramMap(cardData: unknown): { ok: true; params: Record<string, string> } | { ok: false; err: V1Error } {
  const map = cardData !== null && typeof cardData === 'object' ? (cardData as JsonObject)['cardParamMap'] : undefined;
  if (map === undefined) return { ok: true, params: {} };
  if (map === null || typeof map !== 'object' || Array.isArray(map)) {
    return { ok: false, err: v1.invalidParameter('cardData', 'cardParamMap 必须是对象') }; // [?]
  }
  const params: Record<string, string> = {};
  for (const [k, value] of Object.entries(map as JsonObject)) {
    if (typeof value !== 'string') return { ok: false, err: v1.invalidParameter('cardData', `cardParamMap.${k} 必须是字符串`) }; // [?]
    params[k] = value;
  }
  return { ok: true, params };
}

export class FakeCards {
  private readonly cards = new Map<string, FakeCard>();
  private readonly listeners = new Set<FakeListener<FakeCard>>();

  constructor(
    private readonly hooks: FakeHooks,
    private readonly app: (appKey: string) => Required<FakeApp> | undefined,
    /** Whether the card platform has this template. */
    private readonly hasTemplate: (templateId: string) => boolean,
  ) {}

  list(): FakeCard[] {
    return [...this.cards.values()].map((c) => structuredClone(c));
  }

  get(outTrackId: string): FakeCard | undefined {
    const card = this.cards.get(outTrackId);
    return card ? structuredClone(card) : undefined;
  }

  onChange(listener: FakeListener<FakeCard>): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** POST /v1.0/card/instances/createAndDeliver */
  create(appKey: string, body: JsonObject): CardAnswer {
    for (const f of ['cardTemplateId', 'outTrackId', 'openSpaceId']) if (!isNonEmptyString(body[f])) return fail(v1.missing(f));
    const outTrackId = body['outTrackId'] as string;
    const space = SPACE.exec(body['openSpaceId'] as string);
    if (!space) return fail(v1.invalidParameter('openSpaceId', `openSpaceId 不合法: ${String(body['openSpaceId'])}`)); // [?]
    const type = space[1] as 'IM_GROUP' | 'IM_ROBOT';
    const spaceId = space[2] as string;
    const callbackType = body['callbackType'];
    if (callbackType !== undefined && callbackType !== 'STREAM' && callbackType !== 'HTTP') {
      return fail(v1.invalidParameter('callbackType', `callbackType 不合法: ${String(callbackType)}`)); // [?]
    }
    const map = paramMap(body['cardData']);
    if (!map.ok) return fail(map.err);
    const card: FakeCard = {
      outTrackId,
      appKey,
      templateId: body['cardTemplateId'] as string,
      space: { type, id: spaceId },
      params: map.params,
      streams: {},
      status: FLOW_STATUS[map.params['flowStatus'] ?? ''] ?? 'processing',
      blank: false,
      createdAt: Date.now(),
      updatedAt: Date.now(),
    };
    if (type === 'IM_GROUP') {
      const model = body['imGroupOpenDeliverModel'] as JsonObject | undefined;
      if (!model || !isNonEmptyString(model['robotCode'])) return fail(v1.missing('imGroupOpenDeliverModel.robotCode'));
      if (!spaceId.startsWith('cid')) return fail(v1.invalidParameter('openSpaceId', `openConversationId 不合法: ${spaceId}`));
      if (this.app(appKey)?.robotCode !== model['robotCode']) return fail(v1.robotNotFound());
      card.robotCode = model['robotCode'];
      const recipients = model['recipients'];
      if (Array.isArray(recipients) && recipients.length > 0) card.recipients = recipients.filter(isNonEmptyString);
    } else {
      const model = body['imRobotOpenDeliverModel'] as JsonObject | undefined;
      if (!model || model['spaceType'] !== 'IM_ROBOT') return fail(v1.missing('imRobotOpenDeliverModel.spaceType'));
    }
    if (!this.hasTemplate(card.templateId)) return fail(v1.cardTemplateNotFound());
    if (this.cards.has(outTrackId)) return fail(v1.invalidParameter('outTrackId', `outTrackId 已存在: ${outTrackId}`)); // [?]
    const gated = this.hooks.cardGate?.('create');
    if (gated) return fail(gated);
    this.cards.set(outTrackId, card);
    this.changed(card);
    return {
      ok: true,
      result: { outTrackId, deliverResults: [{ spaceType: type, spaceId, success: true, carrierId: `carrier${hex(8)}` }] },
    };
  }

  /** PUT /v1.0/card/streaming */
  stream(appKey: string, body: JsonObject): CardAnswer {
    for (const f of ['outTrackId', 'guid', 'key']) if (!isNonEmptyString(body[f])) return fail(v1.missing(f));
    if (typeof body['content'] !== 'string') return fail(v1.missing('content'));
    const card = this.owned(appKey, body['outTrackId']);
    if (!card) return fail(v1.invalidParameter('outTrackId', `卡片不存在: ${String(body['outTrackId'])}`)); // [?]
    const finalize = body['isFinalize'] === true;
    const gated = this.hooks.cardGate?.(finalize ? 'finalize' : 'stream');
    if (gated) return fail(gated);
    const key = body['key'] as string;
    const stream = (card.streams[key] ??= { guids: [], updates: 0, finalized: false, lateUpdates: 0 });
    const guid = body['guid'] as string;
    // A repeated guid is the same update sent again: answered, not applied twice.
    if (stream.guids.includes(guid)) return { ok: true, result: true };
    stream.guids.push(guid);
    stream.updates += 1;
    if (stream.finalized) stream.lateUpdates += 1;
    const content = body['content'] as string;
    card.params[key] = body['isFull'] === false ? (card.params[key] ?? '') + content : content;
    if (body['isError'] === true) card.status = 'failed';
    else if (finalize) card.status = 'finished';
    else if (card.status === 'processing') card.status = 'inputting';
    if (finalize) stream.finalized = true;
    this.changed(card);
    return { ok: true, result: true };
  }

  /** PUT /v1.0/card/instances */
  update(appKey: string, body: JsonObject): CardAnswer {
    if (!isNonEmptyString(body['outTrackId'])) return fail(v1.missing('outTrackId'));
    const map = paramMap(body['cardData']);
    if (!map.ok) return fail(map.err);
    const card = this.owned(appKey, body['outTrackId']);
    if (!card) return fail(v1.invalidParameter('outTrackId', `卡片不存在: ${body['outTrackId']}`)); // [?]
    const gated = this.hooks.cardGate?.('update');
    if (gated) return fail(gated);
    const byKey = (body['cardUpdateOptions'] as JsonObject | undefined)?.['updateCardDataByKey'] === true;
    card.params = byKey ? { ...card.params, ...map.params } : map.params;
    const status = FLOW_STATUS[card.params['flowStatus'] ?? ''];
    if (status) card.status = status;
    this.changed(card);
    return { ok: true, result: true };
  }

  private owned(appKey: string, outTrackId: unknown): FakeCard | undefined {
    const card = typeof outTrackId === 'string' ? this.cards.get(outTrackId) : undefined;
    return card?.appKey === appKey ? card : undefined;
  }

  private changed(card: FakeCard): void {
    card.updatedAt = Date.now();
    card.blank = Object.values(card.params).some((v) => v.length > CARD_VALUE_MAX_CHARS);
    for (const listener of this.listeners) {
      try {
        listener(structuredClone(card));
      } catch {
        // a listener's own problem
      }
    }
  }
}
