/**
 * The ledger events that open and close a reply request to the user, and the delivery evidence
 * of a message, as CCCC's main branch writes them (docs/cccc-contract.md §4): an agent's
 * `chat.message` with `message_mode: "request_reply"` addressed to `user`; the user's
 * `chat.message` with `reply_to` closing it; `chat.reply_request.cancelled`; and
 * `runtime.delivery` (by `system`: `claimed`, then `accepted` / `failed` / `ambiguous`, per
 * recipient). No daemon op lists open requests — CCCC's Web UI computes them from the ledger too.
 */
import { z } from 'zod';
import type { LedgerEvent } from './event';

export type DeliveryState = 'claimed' | 'accepted' | 'failed' | 'ambiguous';

export type ObligationFact =
  /** An agent waits for the user's answer. */
  | { kind: 'request'; eventId: string; by: string; text: string }
  /** The user answered `sourceEventId` (only the user's own answer closes the user's request). */
  | { kind: 'answered'; sourceEventId: string }
  | { kind: 'cancelled'; sourceEventId: string }
  | { kind: 'delivery'; sourceEventId: string; actorId: string; state: DeliveryState; reason?: string };

const requestSchema = z.looseObject({
  message_mode: z.literal('request_reply'),
  to: z.array(z.string()),
  text: z.string().default(''),
  dst_group_id: z.string().nullish(),
});
const answerSchema = z.looseObject({ reply_to: z.string().min(1) });
const cancelSchema = z.looseObject({ source_event_id: z.string().min(1) });
const deliverySchema = z.looseObject({
  actor_id: z.string().min(1),
  source_event_id: z.string().min(1),
  state: z.enum(['claimed', 'accepted', 'failed', 'ambiguous']),
  reason: z.string().nullish(),
});

const USER = new Set(['user', '@user']);

/** What a ledger event says about reply requests or delivery; undefined when nothing. */
export function readObligationFact(event: LedgerEvent): ObligationFact | undefined {
  switch (event.kind) {
    case 'chat.message': {
      if (event.by === 'user') {
        const answer = answerSchema.safeParse(event.data);
        return answer.success ? { kind: 'answered', sourceEventId: answer.data.reply_to } : undefined;
      }
      const request = requestSchema.safeParse(event.data);
      // A send record of a request to another group (`dst_group_id`) obliges nobody here.
      if (!request.success || request.data.dst_group_id || !request.data.to.some((t) => USER.has(t))) return undefined;
      return { kind: 'request', eventId: event.id, by: event.by, text: request.data.text };
    }
    case 'chat.reply_request.cancelled': {
      const cancel = cancelSchema.safeParse(event.data);
      return cancel.success ? { kind: 'cancelled', sourceEventId: cancel.data.source_event_id } : undefined;
    }
    case 'runtime.delivery': {
      // Only the daemon writes delivery evidence (CCCS §6.4).
      if (event.by !== 'system') return undefined;
      const d = deliverySchema.safeParse(event.data);
      if (!d.success) return undefined;
      const fact: ObligationFact = { kind: 'delivery', sourceEventId: d.data.source_event_id, actorId: d.data.actor_id, state: d.data.state };
      if (d.data.reason) fact.reason = d.data.reason;
      return fact;
    }
    default:
      return undefined;
  }
}
