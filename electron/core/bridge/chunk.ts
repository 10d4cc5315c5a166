/**
 * Splits long text into messages DingTalk accepts (≤ 4096 chars, ≤ 64 lines, msgParam
 * ≤ ~15,000 bytes) without losing a character: the chunks concatenate to the input.
 * Splits prefer line ends, then spaces, and never cut a surrogate pair.
 */
export interface ChunkLimits {
  maxChars: number;
  maxLines: number;
  /** Budget for the text once JSON-escaped and UTF-8 encoded (it travels inside msgParam). */
  maxBytes: number;
}

export const DINGTALK_CHUNK_LIMITS: ChunkLimits = { maxChars: 4096, maxLines: 64, maxBytes: 14_000 };

function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}

function fits(text: string, limits: ChunkLimits): boolean {
  if (text.length > limits.maxChars) return false;
  let lines = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < text.length - 1; i = text.indexOf('\n', i + 1)) lines++;
  return lines <= limits.maxLines && jsonBytes(text) <= limits.maxBytes;
}

/** Longest prefix of `text` that fits, cut at a good boundary. Always at least one code point. */
function takePrefix(text: string, limits: ChunkLimits): string {
  if (fits(text, limits)) return text;
  // Binary search the longest fitting length; fit is monotonic in length.
  let lo = 1;
  let hi = Math.min(text.length, limits.maxChars);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(text.slice(0, mid), limits)) lo = mid;
    else hi = mid - 1;
  }
  let end = lo;
  const window = text.slice(0, end);
  const newline = window.lastIndexOf('\n');
  if (newline >= end / 2) end = newline + 1;
  else {
    const space = Math.max(window.lastIndexOf(' '), window.lastIndexOf('\t'));
    if (space >= end / 2) end = space + 1;
  }
  // Do not separate a high surrogate from its low surrogate.
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff && end < text.length) end = end > 1 ? end - 1 : end + 1;
  return text.slice(0, end);
}

export function chunkText(text: string, limits: ChunkLimits = DINGTALK_CHUNK_LIMITS): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const head = takePrefix(rest, limits);
    chunks.push(head);
    rest = rest.slice(head.length);
  }
  return chunks.length > 0 ? chunks : [''];
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

/**
 * Markdown-aware split: a chunk that ends inside a fenced code block is closed, and the next
 * one reopens it with the same fence and language, so every message renders on its own.
 * The code itself is unchanged; only the fence lines are repeated.
 */
export function chunkMarkdown(text: string, limits: ChunkLimits = DINGTALK_CHUNK_LIMITS): string[] {
  // Leave room for the closing and reopening fence lines.
  const inner: ChunkLimits = { maxChars: limits.maxChars - 40, maxLines: limits.maxLines - 2, maxBytes: limits.maxBytes - 80 };
  const raw = chunkText(text, inner);
  const out: string[] = [];
  let open: string | undefined;
  for (const piece of raw) {
    let chunk = open ? `${open}\n${piece}` : piece;
    for (const line of piece.split('\n')) {
      const m = FENCE.exec(line);
      if (!m) continue;
      if (!open) open = `${m[2]}${m[3]}`.trimEnd();
      else if (m[2]?.startsWith(open.charAt(0)) && m[3]?.trim() === '') open = undefined;
    }
    if (open) chunk = `${chunk}${chunk.endsWith('\n') ? '' : '\n'}${open.replace(/[^`~].*$/, '')}`;
    out.push(chunk);
  }
  return out;
}
