/**
 * CCCC moves chat text over 32,000 bytes out of the ledger into
 * `state/ledger/blobs/chat.<event id>.txt` and leaves a pointer
 * (`[cccc] (chat text stored at …)`) plus a `kind: "text"` attachment. This gives back the
 * full text and tells which attachment was the spill (not a file to upload).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { resolveGroupFile } from '../blobs/resolve';
import type { LedgerEvent } from './event';

const SPILL_PREFIX = '[cccc] (chat text stored at ';
const SPILL_PATH = /^state[\\/]ledger[\\/]blobs[\\/]chat\.[0-9a-zA-Z_-]+\.txt$/;

/** CCCC spills chat text above this many UTF-8 bytes. */
export const CHAT_TEXT_INLINE_MAX_BYTES = 32_000;

/** Where CCCC spills an event's chat text, and the pointer it leaves as the text (the fake daemon writes these). */
export function chatTextSpill(eventId: string): { path: string; pointer: string } {
  const path = `state/ledger/blobs/chat.${eventId}.txt`;
  return { path, pointer: `${SPILL_PREFIX}${path})` };
}

const spillAttachment = z.looseObject({ kind: z.literal('text'), path: z.string().regex(SPILL_PATH) });

export interface ChatText {
  text: string;
  /** The attachment path that held the text, or null when the text was inline. */
  spillPath: string | null;
}

export async function resolveChatText(groupDir: string, event: LedgerEvent): Promise<ChatText> {
  const text = typeof event.data.text === 'string' ? event.data.text : '';
  if (!text.startsWith(SPILL_PREFIX)) return { text, spillPath: null };
  const attachments = Array.isArray(event.data.attachments) ? event.data.attachments : [];
  for (const att of attachments) {
    const parsed = spillAttachment.safeParse(att);
    if (!parsed.success || !text.includes(parsed.data.path)) continue;
    const file = await resolveGroupFile(groupDir, parsed.data.path, 'state/ledger/blobs');
    const full = await readFile(file.path, 'utf8');
    // CCCC stores the text with exactly one trailing newline added.
    return { text: full.endsWith('\n') ? full.slice(0, -1) : full, spillPath: parsed.data.path };
  }
  return { text, spillPath: null };
}
