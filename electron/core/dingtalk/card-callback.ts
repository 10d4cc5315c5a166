/**
 * A press of a card's button, as DingTalk pushes it over Stream (docs/dingtalk-protocol.md,
 * "Cards with buttons"): a CALLBACK on the card callback topic whose data names the card
 * (`outTrackId`), the person (`userId`, a staff id since the bridge creates its cards with
 * `userIdType: 1`) and, in `content` — a JSON string — the button's `actionIds` and `params`.
 */
import { z } from 'zod';
import type { Logger } from '../log/logger';
import { CARD_CALLBACK_TOPIC } from './endpoints';
import { parseJson } from './frames';

export interface CardPress {
  outTrackId: string;
  /** The person who pressed, by staff id. */
  staffId: string;
  /** The template's ids of the buttons pressed (usually one). */
  actionIds: string[];
  /** The button's callback parameters; only string values are kept. */
  params: Record<string, string>;
}

const callbackSchema = z.looseObject({
  outTrackId: z.string().min(1),
  userId: z.string().min(1),
  /** `actionCallback` for a button; absent in some pushes. */
  type: z.string().optional(),
  content: z.string().optional(),
  /** The same JSON as `content` in the pushes seen so far; read when `content` is missing. */
  value: z.string().optional(),
});

const privateDataSchema = z.looseObject({
  cardPrivateData: z.looseObject({
    actionIds: z.array(z.string()).default([]),
    params: z.record(z.string(), z.unknown()).default({}),
  }),
});

/** The press a card callback's data describes, or undefined when it is not one. */
export function parseCardPress(data: unknown): CardPress | undefined {
  const callback = callbackSchema.safeParse(data);
  if (!callback.success) return undefined;
  if (callback.data.type !== undefined && callback.data.type !== 'actionCallback') return undefined;
  const json = parseJson(callback.data.content ?? callback.data.value ?? '');
  const inner = json.ok ? privateDataSchema.safeParse(json.value) : undefined;
  if (!inner?.success) return undefined;
  const { actionIds, params } = inner.data.cardPrivateData;
  const strings = Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return { outTrackId: callback.data.outTrackId, staffId: callback.data.userId, actionIds, params: strings };
}

/** The press a Stream frame other than a robot message brings, if it is one (others are logged and skipped). */
export function cardPressOf(frame: { topic: string; data: unknown }, log: Logger): CardPress | undefined {
  if (frame.topic !== CARD_CALLBACK_TOPIC) return undefined;
  const press = parseCardPress(frame.data);
  if (!press) log.warn('Skipped a card callback that is not a button press', { topic: frame.topic });
  return press;
}
