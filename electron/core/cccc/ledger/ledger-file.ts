/**
 * An open plain ledger file read by byte offset (the active `ledger.jsonl`, or a plain
 * segment). Keeping the handle open lets the follower finish a file after CCCC renames it
 * into `state/ledger/segments/` and later unlinks it for gzip.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { FileIdentity } from './cursor';
import { headTag, MAX_LINE_BYTES, splitLines, type RawLine, type ReadStats } from './lines';

/**
 * One read's worth (doubled for a longer line). Small: the buffer lives as long as the file is
 * followed, and a 1 MB one stayed resident after the first burst (`npm run bench -- bridge-memory`).
 */
const INITIAL_CHUNK = 64 * 1024;
const HEAD_PROBE = 64 * 1024;

export class LedgerFile {
  private buf = Buffer.allocUnsafe(INITIAL_CHUNK);
  private firstLineCache: string | null = null;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
    readonly dev: string,
    readonly ino: string,
    private readonly stats: ReadStats,
  ) {}

  /** Opens `path`, or returns null when it does not exist (yet). */
  static async open(path: string, stats: ReadStats): Promise<LedgerFile | null> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      const st = await fh.stat({ bigint: true });
      return new LedgerFile(path, fh, st.dev.toString(), st.ino.toString(), stats);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async size(): Promise<number> {
    return Number((await this.fh.stat()).size);
  }

  /** The first complete line (cached once known); null while there is none. */
  async firstLine(): Promise<string | null> {
    if (this.firstLineCache !== null) return this.firstLineCache;
    let size = HEAD_PROBE;
    for (;;) {
      const buf = Buffer.allocUnsafe(size);
      const { bytesRead } = await this.fh.read(buf, 0, size, 0);
      this.stats.bytesRead += bytesRead;
      const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
      if (nl !== -1) {
        this.firstLineCache = splitLines(buf, nl + 1, 0)[0]?.text ?? '';
        return this.firstLineCache;
      }
      if (bytesRead < size || size >= MAX_LINE_BYTES) return null;
      size *= 2;
    }
  }

  async identity(): Promise<FileIdentity> {
    const first = await this.firstLine();
    return { dev: this.dev, ino: this.ino, head: first === null ? null : headTag(first) };
  }

  /**
   * Complete lines starting at `offset` (one read's worth). A trailing partial line is left
   * for later: CCCC may still be writing it. `end` is where the next read starts.
   */
  async readLines(offset: number): Promise<{ lines: RawLine[]; end: number }> {
    let size = this.buf.length;
    for (;;) {
      if (this.buf.length < size) this.buf = Buffer.allocUnsafe(size);
      const { bytesRead } = await this.fh.read(this.buf, 0, size, offset);
      this.stats.bytesRead += bytesRead;
      if (bytesRead === 0) return { lines: [], end: offset };
      const lastNl = this.buf.lastIndexOf(0x0a, bytesRead - 1);
      if (lastNl !== -1) {
        const lines = splitLines(this.buf, lastNl + 1, offset);
        return { lines, end: offset + lastNl + 1 };
      }
      if (bytesRead < size) return { lines: [], end: offset };
      if (size >= MAX_LINE_BYTES) {
        // Not a CCCC event (those are ≤ 256 kB): consume it so the follower cannot stall.
        return { lines: [{ text: this.buf.toString('utf8', 0, 200), end: offset + bytesRead }], end: offset + bytesRead };
      }
      size *= 2;
    }
  }

  /** Whatever follows `offset` without a newline; only meaningful once the file is sealed. */
  async tail(offset: number): Promise<RawLine | null> {
    const size = (await this.size()) - offset;
    if (size <= 0) return null;
    const len = Math.min(size, MAX_LINE_BYTES);
    const buf = Buffer.allocUnsafe(len);
    const { bytesRead } = await this.fh.read(buf, 0, len, offset);
    this.stats.bytesRead += bytesRead;
    return { text: buf.toString('utf8', 0, bytesRead).replace(/\r$/, ''), end: offset + size };
  }

  /** Byte offset just after the last newline (for starting at the end without splitting a line). */
  async lastLineBoundary(): Promise<number> {
    const size = await this.size();
    let pos = size;
    const buf = Buffer.allocUnsafe(64 * 1024);
    while (pos > 0) {
      const len = Math.min(buf.length, pos);
      pos -= len;
      const { bytesRead } = await this.fh.read(buf, 0, len, pos);
      this.stats.bytesRead += bytesRead;
      const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (nl !== -1) return pos + nl + 1;
      if (size - pos >= MAX_LINE_BYTES) return size;
    }
    return 0;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
