/**
 * A durable journal of work items: JSON Lines, one `add` line per entry and one `done` line
 * when it is finished. Opening it gives back the entries still pending, in the order they were
 * added. Used for the outbox (and reusable for any "persist, then work, then mark done" queue).
 *
 * What survives what: every append is a single write() to a file opened for appending. Once
 * `append()` / `markDone()` resolve, the bytes are in the operating system's page cache, so
 * they survive the process dying in any way (kill -9, a crash, an uncaught exception). They
 * survive a power loss or OS crash only with `fsync: true` (fdatasync after every write, and
 * an fsync of the directory after a compaction's rename), which costs a disk flush per write.
 * A write counts only when every byte of it is written (and synced with `fsync`); one cut
 * short (a full disk writes part of a line and fails on the rest) is truncated away at once, so
 * the next append does not glue onto a fragment. A crash in the middle of a write leaves a torn
 * last line: open() keeps it aside and rewrites the file cleanly. Lines that cannot be read back
 * (torn, garbled) are appended to `<file>.rejected`, never lost silently, and `rejectedLines`
 * tells the owner what they were.
 *
 * A full disk: appends fail (ENOSPC) and the caller keeps the work where it came from. A done
 * mark must not depend on free space, or finished work would be repeated after a restart: when
 * the `done` line cannot be appended, the entry's own `add` line is overwritten in place with a
 * `done` line padded to the same length, which needs no new blocks.
 */
import { appendFile, mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { silentLogger, type Logger } from '../log/logger';
import { writeFully } from './atomic-write';
import { isDiskFull } from './local-failure';
import { BoundedSet } from './bounded';

export interface JournalEntry<T> {
  id: string;
  data: T;
}

export interface JournalOptions<T> {
  path: string;
  /** Validates every entry read back from disk. */
  schema: z.ZodType<T>;
  /** Flush to stable storage after every write (survives power loss, costs a disk flush). */
  fsync?: boolean;
  logger?: Logger;
  /**
   * Finished ids kept across compactions, so appending an id that was already done is
   * recognised and skipped (a producer that replays after a crash does not cause a repeat).
   */
  rememberDone?: number;
  /** Compact once this many lines were written since the last compaction and most lines are dead. */
  compactAfterLines?: number;
}

export type EntryState = 'pending' | 'done';

type JournalLine<T> = { op: 'add'; id: string; data: T } | { op: 'done'; id: string };

function journalLineSchema<T>(data: z.ZodType<T>): z.ZodType<JournalLine<T>> {
  return z.discriminatedUnion('op', [
    z.object({ op: z.literal('add'), id: z.string().min(1), data }),
    z.object({ op: z.literal('done'), id: z.string().min(1) }),
  ]) as z.ZodType<JournalLine<T>>;
}

const FILE_MODE = 0o600;

/** Where an entry's `add` line sits in the file, to mark it done in place. */
interface LineSpan {
  offset: number;
  length: number;
}

export class Journal<T> {
  private readonly pendingEntries = new Map<string, T>();
  /** Insertion-ordered, bounded: the most recently finished ids. */
  private readonly doneIds: BoundedSet<string>;
  private handle: FileHandle | undefined;
  /** Bytes in the file: a failed write is truncated back to this. */
  private size = 0;
  /** The `add` line of every pending entry in the current file. */
  private readonly spans = new Map<string, LineSpan>();
  private lines = 0;
  private linesSinceCompaction = 0;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Lines the file held right after the last compaction (or at open). */
  private linesAtCompaction = 0;
  private readonly log: Logger;
  private readonly lineSchema: z.ZodType<JournalLine<T>>;
  private readonly compactAfterLines: number;
  private rejected: string[] = [];

  private constructor(private readonly options: JournalOptions<T>) {
    this.log = options.logger ?? silentLogger;
    this.doneIds = new BoundedSet(options.rememberDone ?? 10_000);
    this.compactAfterLines = options.compactAfterLines ?? 1_000;
    this.lineSchema = journalLineSchema(options.schema);
  }

  /** Loads the journal (creating it if needed) and makes it ready for appends. */
  static async open<T>(options: JournalOptions<T>): Promise<Journal<T>> {
    const journal = new Journal(options);
    await journal.load();
    return journal;
  }

  get path(): string {
    return this.options.path;
  }

  /** Entries added and not yet done, oldest first. */
  pending(): JournalEntry<T>[] {
    return [...this.pendingEntries].map(([id, data]) => ({ id, data }));
  }

  get pendingCount(): number {
    return this.pendingEntries.size;
  }

  /** Lines that could not be read back at open (now in `<file>.rejected`), for the owner to report. */
  get rejectedLines(): readonly string[] {
    return this.rejected;
  }

  /** Every id the journal knows: pending, then the remembered finished ones. */
  *ids(): IterableIterator<string> {
    yield* this.pendingEntries.keys();
    yield* this.doneIds;
  }

  state(id: string): EntryState | undefined {
    if (this.pendingEntries.has(id)) return 'pending';
    return this.doneIds.has(id) ? 'done' : undefined;
  }

  /**
   * Persists new entries in one write. Ids already pending or remembered as done are skipped;
   * resolves with the entries actually added, once they are written. Entries the schema
   * rejects are refused up front (the whole batch), since they could not be read back.
   */
  append(entries: readonly JournalEntry<T>[]): Promise<JournalEntry<T>[]> {
    for (const entry of entries) {
      const checked = this.options.schema.safeParse(entry.data);
      if (!checked.success) {
        return Promise.reject(new TypeError(`Journal entry ${entry.id} does not match its schema: ${checked.error.issues[0]?.message ?? 'invalid'}`));
      }
    }
    return this.serialized(async () => {
      const fresh: JournalEntry<T>[] = [];
      const batch = new Set<string>();
      for (const entry of entries) {
        if (this.state(entry.id) !== undefined || batch.has(entry.id)) continue;
        batch.add(entry.id);
        fresh.push(entry);
      }
      if (fresh.length === 0) return fresh;
      const added = fresh.map((e) => ({ entry: e, line: JSON.stringify({ op: 'add', id: e.id, data: e.data }) }));
      let offset = this.size;
      await this.write(added.map((a) => a.line));
      for (const { entry, line } of added) {
        const length = Buffer.byteLength(line);
        this.spans.set(entry.id, { offset, length });
        offset += length + 1;
        this.pendingEntries.set(entry.id, entry.data);
      }
      return fresh;
    });
  }

  /** Records that these entries are finished; unknown or already finished ids are ignored. */
  markDone(ids: readonly string[]): Promise<void> {
    return this.serialized(async () => {
      const known = [...new Set(ids)].filter((id) => this.pendingEntries.has(id));
      if (known.length === 0) return;
      try {
        await this.write(known.map((id) => JSON.stringify({ op: 'done', id })));
      } catch (err) {
        if (!isDiskFull(err)) throw err;
        await this.markDoneInPlace(known, err);
      }
      for (const id of known) {
        this.pendingEntries.delete(id);
        this.spans.delete(id);
        this.doneIds.add(id);
      }
      if (this.shouldCompact()) {
        // The done marks are written; a compaction that fails (a full disk) is tried again later.
        await this.compact().catch((err: unknown) =>
          this.log.warn('Could not compact the journal; will try again later', { path: this.options.path, error: err }),
        );
      }
    });
  }

  /** Overwrites each entry's `add` line with a `done` line of the same length (no new blocks needed). */
  private async markDoneInPlace(ids: readonly string[], cause: unknown): Promise<void> {
    const spans: Array<{ id: string; span: LineSpan }> = [];
    for (const id of ids) {
      const span = this.spans.get(id);
      if (!span) throw cause;
      spans.push({ id, span });
    }
    const handle = await open(this.options.path, 'r+');
    try {
      for (const { id, span } of spans) {
        const line = Buffer.from(JSON.stringify({ op: 'done', id }).padEnd(span.length, ' '));
        if (line.length !== span.length) throw cause;
        await writeFully(handle, line, span.offset);
      }
      if (this.options.fsync) await handle.datasync();
    } finally {
      await handle.close();
    }
    this.log.warn('The disk is full: marked entries done in place', { path: this.options.path, count: ids.length });
  }

  /** Waits for queued writes, then closes the file. Pending entries stay on disk. */
  close(): Promise<void> {
    this.closing ??= this.serialized(async () => {
      this.closed = true;
      await this.handle?.close();
      this.handle = undefined;
    });
    return this.closing;
  }

  private serialized<R>(task: () => Promise<R>): Promise<R> {
    const run = this.chain.then(() => {
      if (this.closed) throw new Error(`Journal ${this.options.path} is closed`);
      return task();
    });
    // One failed write must not wedge the queue behind it.
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async write(lines: string[]): Promise<void> {
    const handle = this.handle;
    if (!handle) throw new Error(`Journal ${this.options.path} is not open`);
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    try {
      await writeFully(handle, bytes, null);
      if (this.options.fsync) await handle.datasync();
    } catch (err) {
      // Part of it may be in the file: cut it off, so the file is as it was before this write.
      await handle
        .truncate(this.size)
        .catch((cut: unknown) => this.log.error('Could not remove a partly written journal line', { path: this.options.path, error: cut }));
      throw err;
    }
    this.size += bytes.length;
    this.lines += lines.length;
    this.linesSinceCompaction += lines.length;
  }

  /**
   * Dead lines dominate, and the file at least doubled since the last rewrite: the rewrite
   * cost stays proportional to what was appended, even with many remembered done ids.
   */
  private shouldCompact(): boolean {
    const dead = this.lines - this.pendingEntries.size;
    return this.linesSinceCompaction >= Math.max(this.compactAfterLines, this.linesAtCompaction) && dead > this.pendingEntries.size;
  }

  private async load(): Promise<void> {
    const path = this.options.path;
    await mkdir(dirname(path), { recursive: true });
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const rawLines = text.split('\n');
    // The piece after the last newline is empty unless the last write was cut short.
    const tail = rawLines.pop() ?? '';
    let needsRewrite = false;
    const rejected: string[] = [];
    let offset = 0;
    const apply = (raw: string): boolean => {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        return false;
      }
      const parsed = this.lineSchema.safeParse(json);
      if (!parsed.success) return false;
      const line = parsed.data;
      if (line.op === 'add') {
        if (!this.doneIds.has(line.id)) {
          this.pendingEntries.set(line.id, line.data);
          this.spans.set(line.id, { offset, length: Buffer.byteLength(raw) });
        }
      } else {
        this.pendingEntries.delete(line.id);
        this.spans.delete(line.id);
        this.doneIds.add(line.id);
      }
      return true;
    };
    for (const raw of rawLines) {
      if (raw.trim() !== '') {
        this.lines += 1;
        if (!apply(raw)) rejected.push(raw);
      }
      offset += Buffer.byteLength(raw) + 1;
    }
    let tailApplied = false;
    if (tail !== '') {
      needsRewrite = true;
      tailApplied = apply(tail);
      if (tailApplied) this.lines += 1;
      else {
        rejected.push(tail);
        this.log.warn('The last line of the journal is torn (a write was cut short)', { path, bytes: tail.length });
      }
    }
    let keepRejected = false;
    if (rejected.length > 0) {
      // Kept aside rather than lost: compaction is about to rewrite the file without them.
      this.rejected = rejected;
      try {
        await appendFile(`${path}.rejected`, `${rejected.join('\n')}\n`, { mode: FILE_MODE });
        this.log.warn('Journal lines failed validation and were moved aside', { path, count: rejected.length, to: `${path}.rejected` });
        needsRewrite = true;
      } catch (err) {
        if (!isDiskFull(err)) throw err;
        // No room to keep them aside: they stay in the file (skipped again next time) rather than being lost.
        keepRejected = true;
      }
    }
    this.linesSinceCompaction = this.lines;
    if (!keepRejected && (needsRewrite || this.shouldCompact())) {
      try {
        await this.compact();
        return;
      } catch (err) {
        if (!isDiskFull(err)) throw err;
        this.log.warn('The disk is full: the journal is used as it is until there is room to compact it', { path });
      }
    }
    // Without a rewrite, a torn tail is cut off in place (truncating needs no space); a complete
    // last line only gets its newline.
    const handle = await open(path, 'a', FILE_MODE);
    this.handle = handle;
    this.size = Buffer.byteLength(text);
    if (tail !== '' && !tailApplied) {
      this.size -= Buffer.byteLength(tail);
      await handle.truncate(this.size);
    } else if (tail !== '') {
      await writeFully(handle, Buffer.from('\n'), null);
      this.size += 1;
    }
  }

  /** Rewrites the file with only the remembered done ids and the pending entries: tmp file, then rename. */
  private async compact(): Promise<void> {
    const path = this.options.path;
    const tmp = `${path}.compact.tmp`;
    const pending = [...this.pendingEntries].map(([id, data]) => ({ id, line: JSON.stringify({ op: 'add', id, data }) }));
    const lines = [...[...this.doneIds].map((id) => JSON.stringify({ op: 'done', id })), ...pending.map((p) => p.line)];
    const bytes = Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : '');
    try {
      const out = await open(tmp, 'w', FILE_MODE);
      try {
        await writeFully(out, bytes, null);
        if (this.options.fsync) await out.sync();
      } finally {
        await out.close();
      }
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    if (this.options.fsync) await syncDirectory(dirname(path));
    await this.handle?.close();
    this.handle = await open(path, 'a', FILE_MODE);
    this.size = bytes.length;
    this.spans.clear();
    // The pending entries are the file's last lines.
    let offset = bytes.length - pending.reduce((sum, p) => sum + Buffer.byteLength(p.line) + 1, 0);
    for (const { id, line } of pending) {
      const length = Buffer.byteLength(line);
      this.spans.set(id, { offset, length });
      offset += length + 1;
    }
    this.lines = lines.length;
    this.linesAtCompaction = lines.length;
    this.linesSinceCompaction = 0;
    this.log.debug('Compacted the journal', { path, pending: this.pendingEntries.size });
  }
}

/**
 * The entries still pending in a journal file, oldest first, read without opening it for writing
 * (a journal another process may be appending to: nothing is moved aside or rewritten). Lines
 * that cannot be read back are skipped; the owner reports them when it opens the journal.
 */
export async function readPending<T>(path: string, schema: z.ZodType<T>): Promise<JournalEntry<T>[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const lines = journalLineSchema(schema);
  const pending = new Map<string, T>();
  for (const raw of text.split('\n')) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      continue;
    }
    const line = lines.safeParse(json);
    if (!line.success) continue;
    if (line.data.op === 'add') pending.set(line.data.id, line.data.data);
    else pending.delete(line.data.id);
  }
  return [...pending].map(([id, data]) => ({ id, data }));
}

/** Makes a rename durable: the directory entry itself must reach the disk. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
