/**
 * How much card traffic the bridge may spend now — the one seam between live cards and the API
 * budget (bridge/api-usage/, which decides it; the type lives with the API views it shows in):
 * `full` streams updates at most every 500 ms per card, `lean` every 2 s, and `plain` opens no
 * new cards (answers go out as ordinary messages; cards already open finish).
 */
import type { CardAllowance } from '../../../shared/api';

export type { CardAllowance };

/** Asked before each card is opened and each update is timed; default: always `full`. */
export type CardAllowanceSource = () => CardAllowance;

/** The least time between two calls about one card, per allowance. */
export const CARD_CALL_INTERVAL_MS: Record<Exclude<CardAllowance, 'plain'>, number> = { full: 500, lean: 2_000 };
