/**
 * Sealed ledger segments: CCCC renames `ledger.jsonl` to
 * `state/ledger/segments/ledger.<YYYYMMDDTHHMMSSZ>.<seq>.jsonl` and gzips older ones later
 * (`….jsonl.gz`, the plain file removed once the copy is complete).
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { FileIdentity } from './cursor';
import { headTag, splitLines, type RawLine, type ReadStats } from './lines';

const SEGMENT_RE = /^ledger\.\d{8}T\d{6}Z\.(\d+)\.jsonl(\.gz)?$/;

export interface Segment {
  path: string;
  seq: number;
  gz: boolean;
}

export function segmentsDir(groupDir: string): string {
  return join(groupDir, 'state', 'ledger', 'segments');
}

/** The name CCCC gives a sealed segment (the fake daemon rotates with it too). */
export function segmentName(sealedAt: Date, seq: number): string {
  const stamp = sealedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `ledger.${stamp}.${String(seq).padStart(6, '0')}.jsonl`;
}

/** Segments oldest first. When compression was interrupted both forms exist: the plain one is complete. */
export async function listSegments(groupDir: string): Promise<Segment[]> {
  let names: string[];
  try {
    names = await readdir(segmentsDir(groupDir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const bySeq = new Map<number, Segment>();
  for (const name of names) {
    const m = SEGMENT_RE.exec(name);
    if (!m) continue;
    const seg: Segment = { path: join(segmentsDir(groupDir), name), seq: Number(m[1]), gz: m[2] !== undefined };
    const prev = bySeq.get(seg.seq);
    if (!prev || (prev.gz && !seg.gz)) bySeq.set(seg.seq, seg);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Streams a gzipped segment's complete lines from byte `from` of its *uncompressed* content
 * (the same offsets the plain file had), in chunks; the last line may lack its newline.
 */
export async function* gzLines(path: string, from: number, stats: ReadStats): AsyncGenerator<RawLine[]> {
  const file = createReadStream(path);
  file.on('data', (chunk) => {
    stats.bytesRead += chunk.length;
  });
  const gunzip = file.pipe(createGunzip());
  let carry: Buffer = Buffer.alloc(0);
  let base = 0; // uncompressed offset of carry[0]
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      let buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      if (base + buf.length <= from) {
        base += buf.length;
        carry = Buffer.alloc(0);
        continue;
      }
      if (base < from) {
        buf = buf.subarray(from - base);
        base = from;
      }
      const lastNl = buf.lastIndexOf(0x0a);
      if (lastNl === -1) {
        carry = buf;
        continue;
      }
      const lines = splitLines(buf, lastNl + 1, base);
      base += lastNl + 1;
      carry = buf.subarray(lastNl + 1);
      if (lines.length) yield lines;
    }
    if (carry.length) yield [{ text: carry.toString('utf8').replace(/\r$/, ''), end: base + carry.length }];
  } finally {
    file.destroy();
    gunzip.destroy();
  }
}

/** The first line of a gzipped segment (null when it is empty). */
export async function gzFirstLine(path: string, stats: ReadStats): Promise<string | null> {
  for await (const lines of gzLines(path, 0, stats)) return lines[0]?.text ?? '';
  return null;
}

/** Identity of a gzipped segment: its own dev/ino (gzip made a copy) and the head of its content. */
export async function gzIdentity(path: string, stats: ReadStats): Promise<FileIdentity> {
  const st = await stat(path, { bigint: true });
  const first = await gzFirstLine(path, stats);
  return { dev: st.dev.toString(), ino: st.ino.toString(), head: first === null ? null : headTag(first) };
}
