/**
 * One line of a CCCC ledger (`groups/<id>/ledger.jsonl`). Validated leniently: the fields the
 * bridge relies on must be there with the right types; anything else CCCC adds passes through.
 */
import { z } from 'zod';

export const ledgerEventSchema = z.looseObject({
  v: z.number(),
  id: z.string().min(1),
  ts: z.string(),
  kind: z.string().min(1),
  group_id: z.string(),
  scope_key: z.string().optional(),
  by: z.string(),
  // Only "an object": each consumer validates the fields it reads (checking every key here
  // would cost a third of the follower's throughput for nothing).
  data: z
    .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'data must be an object')
    .optional()
    .transform((d) => d ?? {}),
});

export type LedgerEvent = z.infer<typeof ledgerEventSchema>;

export type ParsedLine = { ok: true; event: LedgerEvent } | { ok: false; reason: string };

/** Parses one ledger line (without its newline). Never throws. */
export function parseLedgerLine(line: string): ParsedLine {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    return { ok: false, reason: `invalid JSON: ${(err as Error).message}` };
  }
  const parsed = ledgerEventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `not a ledger event: ${issue ? `${issue.path.join('.') || '<root>'} ${issue.message}` : 'invalid'}` };
  }
  return { ok: true, event: parsed.data };
}
