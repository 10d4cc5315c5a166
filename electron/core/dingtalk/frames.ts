/** Stream mode frames (docs/dingtalk-protocol.md §2): the envelope, and the ACKs the client owes. */
import { z } from 'zod';

export const frameSchema = z
  .object({
    specVersion: z.string().optional(),
    type: z.string(),
    headers: z
      .object({
        messageId: z.string().min(1),
        topic: z.string().default(''),
        contentType: z.string().optional(),
        connectionId: z.string().optional(),
        appId: z.string().optional(),
        time: z.union([z.string(), z.number()]).optional(),
      })
      .passthrough(),
    data: z.string().optional(),
  })
  .passthrough();

export type Frame = z.infer<typeof frameSchema>;

export function ackFrame(messageId: string, data: string, code = 200, message = 'OK'): string {
  return JSON.stringify({ code, headers: { contentType: 'application/json', messageId }, message, data });
}

export const CALLBACK_ACK_DATA = JSON.stringify({ response: null });
/**
 * A card callback's ACK: `response` is how the card changes at once; empty, it stays as it is
 * and the bridge updates it itself once the press is handled (docs/dingtalk-protocol.md, "Cards
 * with buttons").
 */
export const CARD_CALLBACK_ACK_DATA = JSON.stringify({ response: {} });
export const EVENT_ACK_DATA = JSON.stringify({ status: 'SUCCESS', message: 'success' });

/** Parses JSON without throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
