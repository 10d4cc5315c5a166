/**
 * Card redraws (ButtonCards.update) wait for the app's `update` rate gate: one pace across every
 * redraw, and none made once the bridge stops (docs/dingtalk-protocol.md §4).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { ButtonCards } from '../../../../electron/core/bridge/cards/button-cards';
import { CardRegistry } from '../../../../electron/core/bridge/cards/card-registry';
import type { UpdateCardRequest } from '../../../../electron/core/dingtalk/card-api';
import { TokenBucket } from '../../../../electron/core/util/token-bucket';

let dir: string;
beforeEach(async () => {
  vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  dir = await mkdtemp(join(tmpdir(), 'button-cards-'));
});
afterEach(async () => {
  vi.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

it('redraw at the update bucket’s pace; one still waiting when the bridge stops is not made', async () => {
  const updates: { at: number; req: UpdateCardRequest }[] = [];
  const cards = new ButtonCards({
    api: { createAndDeliver: vi.fn(), updateCard: async (req) => void updates.push({ at: Date.now(), req }) },
    registry: await CardRegistry.open(dir),
    settings: () => ({ enabled: true, templateId: 'buttons.schema' }),
    reply: vi.fn(),
    queue: vi.fn(),
    buckets: { update: new TokenBucket(1, 1, () => Date.now()) },
  });
  const view = { title: 'Status', markdown: 'fine', buttons: [] };
  const redraws = ['card-a', 'card-b', 'card-c'].map((id, i) => cards.update(id, view, i + 1));
  await vi.advanceTimersByTimeAsync(1_000);
  expect(updates.map((u) => [u.req.outTrackId, u.at])).toEqual([
    ['card-a', 0],
    ['card-b', 1_000],
  ]);
  cards.close();
  await Promise.all(redraws);
  await vi.advanceTimersByTimeAsync(5_000);
  expect(updates).toHaveLength(2);
  expect(vi.getTimerCount()).toBe(0);
});
