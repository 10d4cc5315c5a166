/**
 * Daemon IPC v1 envelopes (docs/cccc-contract.md §2). The request is strict — the daemon rejects
 * unknown top-level keys — while answers are read leniently: unknown fields are kept, and
 * only what the bridge relies on is required.
 */
import { z } from 'zod';

export interface DaemonRequest {
  v: 1;
  op: string;
  args: Record<string, unknown>;
}

export const daemonErrorSchema = z.looseObject({
  code: z.string(),
  message: z.string().catch(''),
  details: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((d) => d ?? {}),
});
export type DaemonErrorBody = z.infer<typeof daemonErrorSchema>;

export const responseSchema = z.looseObject({
  v: z.literal(1),
  ok: z.boolean(),
  result: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((r) => r ?? {}),
  error: daemonErrorSchema.nullish(),
});
export type DaemonResponse = z.infer<typeof responseSchema>;

export function encodeRequest(op: string, args: Record<string, unknown>): string {
  const request: DaemonRequest = { v: 1, op, args };
  return JSON.stringify(request);
}
