/**
 * The files a follower reads, in order: sealed segments still to finish (plain or gzipped),
 * then the active `ledger.jsonl`. Each source re-reads from its `offset` until the follower
 * advances it, so a failed delivery is retried from the same byte.
 */
import { stat } from 'node:fs/promises';
import type { FileIdentity } from './cursor';
import { LedgerFile } from './ledger-file';
import type { RawLine, ReadStats } from './lines';
import { gzIdentity, gzLines } from './segments';

export type Next = { lines: RawLine[] } | 'done' | 'idle' | 'rotated' | 'truncated';

/** Events of a source with a timestamp before this are old; used only after a lost cursor. */
export interface SkipOld {
  beforeMs: number;
  /** Only lines ending at or before this offset are filtered (what existed at start). */
  untilOffset: number;
}

export interface Source {
  readonly path: string;
  offset: number;
  skipOld: SkipOld | null;
  identity(): Promise<FileIdentity>;
  next(): Promise<Next>;
  /** Forget read-ahead so the next `next()` starts again at `offset`. */
  reset(): void;
  close(): Promise<void>;
}

/** A plain file that no longer grows: a segment, or the old active file after a rotation. */
export class PlainSealedSource implements Source {
  skipOld: SkipOld | null = null;

  constructor(
    private readonly file: LedgerFile,
    public offset: number,
  ) {}

  get path(): string {
    return this.file.path;
  }

  identity(): Promise<FileIdentity> {
    return this.file.identity();
  }

  async next(): Promise<Next> {
    const { lines } = await this.file.readLines(this.offset);
    if (lines.length) return { lines };
    // A sealed file's last bytes without a newline are a line of their own (or garbage).
    const tail = await this.file.tail(this.offset);
    return tail ? { lines: [tail] } : 'done';
  }

  reset(): void {}

  close(): Promise<void> {
    return this.file.close();
  }
}

/** A gzipped segment, streamed from the start and skipped to `offset` (uncompressed bytes). */
export class GzSealedSource implements Source {
  skipOld: SkipOld | null = null;
  private iter: AsyncGenerator<RawLine[]> | null = null;
  private ident: FileIdentity | null = null;

  constructor(
    readonly path: string,
    public offset: number,
    private readonly stats: ReadStats,
  ) {}

  async identity(): Promise<FileIdentity> {
    this.ident ??= await gzIdentity(this.path, this.stats);
    return this.ident;
  }

  async next(): Promise<Next> {
    this.iter ??= gzLines(this.path, this.offset, this.stats);
    const r = await this.iter.next();
    return r.done ? 'done' : { lines: r.value };
  }

  reset(): void {
    void this.iter?.return(undefined);
    this.iter = null;
  }

  async close(): Promise<void> {
    await this.iter?.return(undefined);
    this.iter = null;
  }
}

/** The growing `ledger.jsonl`. Reports `rotated` once CCCC has renamed it away (after reading it to its end). */
export class ActiveSource implements Source {
  skipOld: SkipOld | null = null;

  constructor(
    readonly path: string,
    private file: LedgerFile | null,
    public offset: number,
    private readonly stats: ReadStats,
  ) {}

  async identity(): Promise<FileIdentity> {
    if (!this.file) throw new Error('ledger file is not open');
    return this.file.identity();
  }

  async next(): Promise<Next> {
    if (!this.file) {
      // No ledger yet (a new group): whatever appears is new from its first byte.
      this.file = await LedgerFile.open(this.path, this.stats);
      this.offset = 0;
      if (!this.file) return 'idle';
    }
    const { lines } = await this.file.readLines(this.offset);
    if (lines.length) return { lines };
    let now;
    try {
      now = await stat(this.path, { bigint: true });
    } catch (err) {
      // Between CCCC's rename and its re-creation of ledger.jsonl: wait for the new file.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'idle';
      throw err;
    }
    if (now.ino.toString() !== this.file.ino || now.dev.toString() !== this.file.dev) return 'rotated';
    if (Number(now.size) >= this.offset) return 'idle';
    // CCCC never truncates; if someone does, the file holds new content from byte 0.
    await this.file.close();
    this.file = await LedgerFile.open(this.path, this.stats);
    this.offset = 0;
    return 'truncated';
  }

  /**
   * Whether there is nothing to read: ledger.jsonl is still the open file and ends where reading
   * stopped. One stat; any doubt (no file open, a stat failing) says read.
   */
  async caughtUp(): Promise<boolean> {
    const file = this.file;
    if (!file) return false;
    const now = await stat(this.path, { bigint: true }).catch(() => null);
    return now !== null && now.ino.toString() === file.ino && now.dev.toString() === file.dev && Number(now.size) === this.offset;
  }

  /** After `rotated`: the same open file, read on as a sealed one (it can no longer grow). */
  seal(): PlainSealedSource {
    if (!this.file) throw new Error('ledger file is not open');
    const sealed = new PlainSealedSource(this.file, this.offset);
    sealed.skipOld = this.skipOld;
    this.file = null;
    return sealed;
  }

  reset(): void {}

  async close(): Promise<void> {
    await this.file?.close();
    this.file = null;
  }
}
