/**
 * What the outbox delivers: an item addressed to one chat, as stored in its journal. The zod
 * schemas validate items read back from disk and must describe exactly the TypeScript types.
 */
import { z } from 'zod';
import type { OutboundMessage } from '../../dingtalk/outbound-message';
import { chatAddressSchema, type ChatAddress } from '../chat-address';

/**
 * A card with buttons (bridge/cards/button-cards.ts): made in its turn like any reply, or — where
 * a card cannot go when its turn comes — its `fallback` message instead. `outTrackId` is fixed
 * when queued (the card registry knows it before it exists), so a create sent again is the same card.
 */
export interface CardPayload {
  kind: 'card';
  outTrackId: string;
  templateId: string;
  params: Record<string, string>;
  fallback: OutboundMessage;
  atUserIds?: string[];
}

export type OutboxPayload =
  | { kind: 'message'; message: OutboundMessage; atUserIds?: string[] }
  /** `path` is absolute and already validated by the caller; the file must stay there until delivered or failed. */
  | { kind: 'file'; path: string; fileName: string }
  | CardPayload;

export interface OutboxItem {
  /** Stable and unique: enqueueing an id again (e.g. replayed after a crash) is a no-op. */
  id: string;
  chat: ChatAddress;
  payload: OutboxPayload;
  createdAt: number;
  sourceEventId?: string;
}

/** How an item reached DingTalk. */
export type DeliveryVia = 'webhook' | 'group' | 'single' | 'card';

const text = z.string();
const button = z.object({ title: text, url: text });

export const outboundMessageSchema: z.ZodType<OutboundMessage> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), content: text }),
  z.object({ kind: z.literal('markdown'), title: text, text }),
  z.object({ kind: z.literal('link'), title: text, text, messageUrl: text, picUrl: text.optional() }),
  z.object({ kind: z.literal('actionCard'), title: text, text, buttons: z.array(button), horizontal: z.boolean().optional() }),
  z.object({ kind: z.literal('image'), photoUrl: text }),
  z.object({ kind: z.literal('file'), mediaId: text, fileName: text, fileType: text }),
]);

export const outboxPayloadSchema: z.ZodType<OutboxPayload> = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('message'), message: outboundMessageSchema, atUserIds: z.array(z.string()).optional() }),
  z.object({ kind: z.literal('file'), path: z.string().min(1), fileName: z.string().min(1) }),
  z.object({
    kind: z.literal('card'),
    outTrackId: z.string().min(1),
    templateId: z.string().min(1),
    params: z.record(z.string(), z.string()),
    fallback: outboundMessageSchema,
    atUserIds: z.array(z.string()).optional(),
  }),
]);

export const outboxItemSchema: z.ZodType<OutboxItem> = z.object({
  id: z.string().min(1),
  chat: chatAddressSchema,
  payload: outboxPayloadSchema,
  createdAt: z.number(),
  sourceEventId: z.string().optional(),
});
