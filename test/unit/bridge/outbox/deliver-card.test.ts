/**
 * A card item's delivery attempts (outbox/deliver.ts) with ButtonCards as the card maker: a
 * card DingTalk already has counts as made, passing failures try the same card again up to
 * CARD_TRIES, a refusal or a budget past its limit sends the plain reply — once, and only that
 * from then on — and a card that will not be made leaves the registry.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ButtonCards } from '../../../../electron/core/bridge/cards/button-cards';
import type { CardAllowance } from '../../../../electron/core/bridge/cards/card-allowance';
import { CardRegistry } from '../../../../electron/core/bridge/cards/card-registry';
import type { ChatAddress } from '../../../../electron/core/bridge/chat-address';
import { attemptDelivery, CARD_TRIES, type DeliveryContext, type ItemProgress } from '../../../../electron/core/bridge/outbox/deliver';
import type { CardPayload, OutboxItem } from '../../../../electron/core/bridge/outbox/item';
import { RateGate } from '../../../../electron/core/bridge/outbox/rate-gate';
import { RouteChooser } from '../../../../electron/core/bridge/outbox/route';
import { SessionWebhooks } from '../../../../electron/core/bridge/session-webhooks';
import { CARD_EXISTS } from '../../../../electron/core/dingtalk/card-api';
import type { DingTalkApi } from '../../../../electron/core/dingtalk/openapi-client';
import { BridgeError } from '../../../../electron/core/errors';
import { silentLogger } from '../../../../electron/core/log/logger';
import { TokenBucket } from '../../../../electron/core/util/token-bucket';

const CHAT: ChatAddress = { conversationId: 'cidGroup==', conversationType: 'group' };
const passing = (): BridgeError => new BridgeError({ code: 'dingtalk.server_error', message: 'temporary', retryable: true });
const refused = (): BridgeError => new BridgeError({ code: 'dingtalk.card_template_not_found', message: 'no template', retryable: false });

let dir: string;
let registry: CardRegistry;
let allowance: CardAllowance;
const create = vi.fn<(req: { outTrackId: string }) => Promise<void>>();
const sendToGroup = vi.fn<(cid: string, message: unknown) => Promise<object>>();

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deliver-card-'));
  registry = await CardRegistry.open(dir);
  allowance = 'full';
  create.mockReset().mockResolvedValue(undefined);
  sendToGroup.mockReset().mockResolvedValue({});
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function setUp(): { ctx: DeliveryContext; item: () => Promise<OutboxItem> } {
  const queued: CardPayload[] = [];
  const cards = new ButtonCards({
    api: { createAndDeliver: create, updateCard: vi.fn() },
    registry,
    settings: () => ({ enabled: true, templateId: 'buttons.schema' }),
    allowance: () => allowance,
    reply: () => Promise.reject(new Error('a card chat gets its reply through the card item')),
    queue: (_chat, card) => Promise.resolve(void queued.push(card)),
  });
  const gate = (): RateGate => new RateGate(new TokenBucket(1000));
  const ctx: DeliveryContext = {
    api: { sendToGroup } as unknown as DingTalkApi,
    gates: { group: gate(), single: gate(), media: gate(), card: gate() },
    routes: new RouteChooser({ webhooks: new SessionWebhooks(), webhookPerChatPerMinute: 20 }),
    log: silentLogger,
    cards,
  };
  const item = async (): Promise<OutboxItem> => {
    await cards.show(CHAT, { kind: 'status' }, { title: 'Status', markdown: 'all well', note: '', buttons: [] }, { kind: 'text', content: 'all well' });
    const card = queued.at(-1)!;
    return { id: `reply:${card.outTrackId}`, chat: CHAT, payload: card, createdAt: Date.now() };
  };
  return { ctx, item };
}

async function attempts(ctx: DeliveryContext, item: OutboxItem, progress: ItemProgress = {}): Promise<{ via?: string; thrown: number }> {
  for (let thrown = 0; thrown < 10; thrown++) {
    try {
      const outcome = await attemptDelivery(item, ctx, progress);
      return { ...(outcome.status === 'delivered' ? { via: outcome.via } : {}), thrown };
    } catch {
      // the outbox would wait and try again
    }
  }
  throw new Error('never finished');
}

describe('a card item', () => {
  it('is made with its fixed outTrackId, and stays in the registry', async () => {
    const { ctx, item } = setUp();
    const it1 = await item();
    expect(await attempts(ctx, it1)).toEqual({ via: 'card', thrown: 0 });
    expect(create.mock.calls[0]?.[0].outTrackId).toBe((it1.payload as CardPayload).outTrackId);
    expect(await registry.get((it1.payload as CardPayload).outTrackId)).toBeDefined();
    expect(sendToGroup).not.toHaveBeenCalled();
  });

  it('counts as made when DingTalk already has it (a create sent again)', async () => {
    const { ctx, item } = setUp();
    create.mockRejectedValueOnce(passing()).mockRejectedValueOnce(new BridgeError({ code: CARD_EXISTS, message: 'exists', retryable: false }));
    expect(await attempts(ctx, await item())).toEqual({ via: 'card', thrown: 1 });
    expect(sendToGroup).not.toHaveBeenCalled();
  });

  it(`tries the same card ${CARD_TRIES} times through passing failures, then sends the plain reply, and only that after`, async () => {
    const { ctx, item } = setUp();
    create.mockRejectedValue(passing());
    const it1 = await item();
    const progress: ItemProgress = {};
    expect(await attempts(ctx, it1, progress)).toEqual({ via: 'group', thrown: CARD_TRIES - 1 });
    expect(create).toHaveBeenCalledTimes(CARD_TRIES);
    expect(sendToGroup).toHaveBeenCalledWith(CHAT.conversationId, { kind: 'text', content: 'all well' });
    expect(await registry.get((it1.payload as CardPayload).outTrackId)).toBeUndefined();
    // The reply's own send failed: the next attempt sends the reply again, not the card.
    sendToGroup.mockRejectedValueOnce(passing());
    await expect(attemptDelivery(it1, ctx, progress)).rejects.toThrow('temporary');
    expect(await attempts(ctx, it1, progress)).toEqual({ via: 'group', thrown: 0 });
    expect(create).toHaveBeenCalledTimes(CARD_TRIES);
  });

  it('sends the plain reply at once when DingTalk refuses the card', async () => {
    const { ctx, item } = setUp();
    create.mockRejectedValueOnce(refused());
    expect(await attempts(ctx, await item())).toEqual({ via: 'group', thrown: 0 });
    expect(create).toHaveBeenCalledTimes(1);
  });

  it('is not made past the API budget: the plain reply goes, without a card call', async () => {
    const { ctx, item } = setUp();
    const it1 = await item();
    allowance = 'plain';
    expect(await attempts(ctx, it1)).toEqual({ via: 'group', thrown: 0 });
    expect(create).not.toHaveBeenCalled();
    expect(await registry.get((it1.payload as CardPayload).outTrackId)).toBeUndefined();
  });
});
