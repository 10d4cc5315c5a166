/**
 * How much card traffic the bridge may spend now — the one seam between live cards and the API
 * budget (issue 12): `full` streams updates at most every 500 ms per card, `lean` every 2 s, and
 * `plain` opens no new cards (answers go out as ordinary messages; cards already open finish).
 */
export type CardAllowance = 'full' | 'lean' | 'plain';

/** Asked before each card is opened and each update is timed; default: always `full`. */
export type CardAllowanceSource = () => CardAllowance;

/** The least time between two calls about one card, per allowance. */
export const CARD_CALL_INTERVAL_MS: Record<Exclude<CardAllowance, 'plain'>, number> = { full: 500, lean: 2_000 };
