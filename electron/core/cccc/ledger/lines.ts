/**
 * Byte-exact line reading for ledger files. Offsets are always byte positions just after a
 * `\n` (never character counts: CCCC's own bridge counts characters and re-sends after CJK text).
 */
import { createHash } from 'node:crypto';
import { parseLedgerLine } from './event';

export interface RawLine {
  text: string;
  /** Byte offset just after this line's newline (or after its last byte, for a sealed tail). */
  end: number;
}

/** Counts what the follower reads from disk, so tests and benchmarks can prove tail-only reads. */
export interface ReadStats {
  bytesRead: number;
}

const NEWLINE = 0x0a;

/** Splits `buf[0, upto)` (which ends with a newline) into lines; `base` is the file offset of buf[0]. */
export function splitLines(buf: Buffer, upto: number, base: number): RawLine[] {
  const lines: RawLine[] = [];
  let start = 0;
  while (start < upto) {
    const nl = buf.indexOf(NEWLINE, start);
    if (nl === -1 || nl >= upto) break;
    let stop = nl;
    if (stop > start && buf[stop - 1] === 0x0d) stop -= 1;
    lines.push({ text: buf.toString('utf8', start, stop), end: base + nl + 1 });
    start = nl + 1;
  }
  return lines;
}

/** The identity tag of a file's first line: its event id, or a hash when it is not an event. */
export function headTag(firstLine: string): string {
  const parsed = parseLedgerLine(firstLine);
  if (parsed.ok) return parsed.event.id;
  return `sha256:${createHash('sha256').update(firstLine).digest('hex').slice(0, 32)}`;
}

/** CCCC caps events at 256,000 bytes; a line far beyond that is garbage, consumed in pieces. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
