/**
 * What a live card shows of an answer: the start of it, up to what a card holds, in DingTalk's
 * Markdown; the rest of a long answer follows as ordinary messages (docs/dingtalk-protocol.md §7).
 */
import { chunkMarkdown, chunkText, type ChunkLimits } from '../chunk';
import { looksLikeMarkdown, toDingTalkMarkdown } from '../outbound/markdown';

/**
 * Characters of an answer a card shows. DingTalk documents no limit, but cards much over 3,000
 * characters are reported to show blank; the notes under the text need the rest.
 */
export const CARD_TEXT_MAX_CHARS = 2_800;

const CARD_LIMITS: ChunkLimits = { maxChars: CARD_TEXT_MAX_CHARS, maxLines: 400, maxBytes: CARD_TEXT_MAX_CHARS * 4 };
const ROOMY: ChunkLimits = { maxChars: Number.MAX_SAFE_INTEGER, maxLines: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER };

/** The answer cut where a card must stop: `head` for the card, `rest` for messages (`head + rest` is the answer). */
export function splitForCard(text: string): { head: string; rest: string } {
  const head = chunkText(text, CARD_LIMITS)[0] ?? '';
  return { head, rest: text.slice(head.length) };
}

/**
 * The card's body for an answer's head: Markdown as DingTalk renders it (a code block the cut
 * left open is closed), plain text with its line breaks kept, and a note under it if any.
 */
export function cardBody(head: string, note?: string): string {
  const body = looksLikeMarkdown(head) ? (chunkMarkdown(toDingTalkMarkdown(head), ROOMY)[0] ?? '') : head.replace(/\n/g, '  \n');
  return note ? `${body}\n\n${note}` : body;
}
