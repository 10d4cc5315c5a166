/**
 * Follows a CCCC group's ledger and hands new events to the bridge in batches.
 *
 * - Byte offsets, never character counts (CCCC's own bridge re-sends after CJK text).
 * - Wakes on fs.watch of the group directory (survives the rename of ledger.jsonl), with a
 *   slow poll as a safety net; reads only the bytes after the cursor. The poll's clock may be
 *   shared by the followers of many groups (one timer for all); on each tick a follower looks at
 *   its ledger with one stat and reads only when the file is not where it stopped reading.
 * - A rotated ledger is finished before the next file is read: while running through the
 *   still-open handle, after a stop by finding the segment whose identity (dev/ino + first
 *   event id) matches the cursor, plain or gzipped. The next file is always found through
 *   CCCC's segment list, so several rotations between two looks skip nothing. Event-id dedup
 *   is the second line of defence.
 * - The cursor is persisted only when the consumer calls `batch.commit()`, i.e. after it has
 *   handed the events on; a crash before that re-delivers them, never loses them.
 * - Catch-up: 'resume' (default) continues from the cursor; without a cursor (a new install)
 *   it starts at the end, so a chat is not flooded with the group's history. 'end' always
 *   starts at the end. Either way the start position is persisted at once, so what arrives
 *   after the first start is never skipped by a later restart.
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BridgeError } from '../../errors';
import { RecentIds } from '../../util/recent-ids';
import { Ticker, type TickSource } from '../../util/ticker';
import { silentLogger, type Logger } from '../../log/logger';
import { loadCursor, saveCursor, type FileIdentity, type LedgerCursor } from './cursor';
import { parseLedgerLine, type LedgerEvent } from './event';
import { lastKnownEvent } from './scan';
import { LedgerFile } from './ledger-file';
import type { RawLine, ReadStats } from './lines';
import { gzFirstLine, listSegments, type Segment } from './segments';
import { ActiveSource, GzSealedSource, PlainSealedSource, type Source } from './sources';

export type CatchUpPolicy = 'resume' | 'end';

export interface LedgerBatch {
  readonly events: readonly LedgerEvent[];
  /**
   * Persists the cursor past this batch (and so past every earlier one). Call it once the
   * events are safely handed on (e.g. stored in the outbox). Commits apply in order; an
   * older batch committed after a newer one changes nothing.
   */
  commit(): Promise<void>;
}

export interface LedgerFollowerOptions {
  /** `${CCCC_HOME}/groups/<group_id>` */
  groupDir: string;
  /** Where the cursor lives: the bridge's own state dir, not CCCC's. */
  cursorPath: string;
  /** Receives batches in ledger order; the next batch waits for this promise. Throwing re-delivers the batch later. Never await `stop()` in here. */
  onBatch: (batch: LedgerBatch) => Promise<void> | void;
  catchUp?: CatchUpPolicy;
  /** Safety-net poll when fs.watch misses something (network drives, overflow). */
  pollIntervalMs?: number;
  /** The poll's clock, shared by the followers of an app's groups; default: the follower's own, every `pollIntervalMs`. */
  clock?: TickSource;
  maxBatchEvents?: number;
  /** How many recent event ids are remembered for dedup. */
  dedupCapacity?: number;
  /** Set false to rely on polling alone (for comparison in benchmarks). */
  watch?: boolean;
  /**
   * Whether the consumer already handled an event (the outbox remembers what it sent): a damaged
   * cursor is rebuilt from the newest such event in the ledger, so nothing after it is skipped.
   */
  handled?: (eventId: string) => boolean;
  logger?: Logger;
}

/** How a damaged cursor was replaced. */
export interface CursorRebuild {
  why: string;
  aside: string;
  /** Events stamped from here on are read again (the consumer skips what it already handled). */
  since: string;
  from: 'last handled event' | 'file modification time';
}

/** Without a handled event to go by, re-read this much before the damaged file's last change. */
const REBUILD_MARGIN_MS = 10 * 60_000;

export interface LedgerFollowerStats {
  bytesRead: number;
  eventsDelivered: number;
  malformedLines: number;
  duplicatesSkipped: number;
}

/** The safety poll's default interval. */
export const LEDGER_POLL_MS = 2_000;

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;

/** Does a candidate file hold the bytes the cursor points into? */
function sameFile(cursor: FileIdentity, candidate: FileIdentity, plain: boolean): boolean {
  if (cursor.head !== null) return candidate.head === cursor.head;
  // The file was empty when the cursor was written: only its inode can identify it.
  return plain && candidate.dev === cursor.dev && candidate.ino === cursor.ino;
}

function eventMs(line: string | null): number | null {
  if (line === null) return null;
  const parsed = parseLedgerLine(line);
  if (!parsed.ok) return null;
  const ms = Date.parse(parsed.event.ts);
  return Number.isNaN(ms) ? null : ms;
}

export class LedgerFollower {
  private readonly log: Logger;
  private readonly ledgerPath: string;
  private readonly counters: LedgerFollowerStats = { bytesRead: 0, eventsDelivered: 0, malformedLines: 0, duplicatesSkipped: 0 };
  private readonly readStats: ReadStats = this.counters;
  private readonly seen: RecentIds;
  private current: Source | null = null;
  /** Identity of the file just read to its end, until the next one is found. */
  private finished: FileIdentity | null = null;
  private lastTs: string | null = null;
  private readonly startedAt = new Date().toISOString();
  private watcher: FSWatcher | null = null;
  /** Leaves the poll's clock. */
  private leaveClock: (() => void) | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryAttempt = 0;
  private running: Promise<void> | null = null;
  private dirty = false;
  private state: 'idle' | 'running' | 'stopped' = 'idle';
  private commitSeq = 0;
  private persistedSeq = 0;
  private commitChain: Promise<void> = Promise.resolve();
  private rebuiltCursor: CursorRebuild | undefined;

  constructor(private readonly opts: LedgerFollowerOptions) {
    this.log = (opts.logger ?? silentLogger).child('cccc.ledger');
    this.ledgerPath = join(opts.groupDir, 'ledger.jsonl');
    // Bounded by count only: a replay after a stop may be arbitrarily old.
    this.seen = new RecentIds(Number.POSITIVE_INFINITY, opts.dedupCapacity ?? 10_000);
  }

  stats(): LedgerFollowerStats {
    return { ...this.counters };
  }

  /** Set when start() found the cursor damaged and rebuilt it. */
  get rebuilt(): CursorRebuild | undefined {
    return this.rebuiltCursor;
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error('LedgerFollower can be started once');
    try {
      if (!(await stat(this.opts.groupDir)).isDirectory()) throw new Error('not a directory');
    } catch (err) {
      throw new BridgeError(
        {
          code: 'cccc.group_dir_missing',
          message: 'The CCCC group folder does not exist.',
          hint: 'Check CCCC_HOME and the group id (`cccc groups` lists them).',
          retryable: false,
          details: { groupDir: this.opts.groupDir },
        },
        { cause: err },
      );
    }
    this.state = 'running';
    try {
      await this.plan();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.armWatcher();
    this.leaveClock = (this.opts.clock ?? new Ticker(this.opts.pollIntervalMs ?? LEDGER_POLL_MS)).join(() => {
      this.armWatcher();
      void this.poll();
    });
    this.kick();
  }

  /** Stops watching and reading; resolves once the batch in flight and pending commits are done. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.watcher?.close();
    this.watcher = null;
    this.leaveClock?.();
    this.leaveClock = null;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await this.running;
    await this.commitChain;
    await this.current?.close();
    this.current = null;
  }

  // ---- start-up and moving between files -----------------------------------------------

  private async plan(): Promise<void> {
    const loaded = (this.opts.catchUp ?? 'resume') === 'resume' ? await loadCursor(this.opts.cursorPath, this.log) : null;
    if (loaded?.kind === 'damaged') {
      this.current = await this.planByTime(await this.rebuild(loaded));
      return;
    }
    const cursor = loaded?.kind === 'ok' ? loaded.cursor : null;
    const activeFile = await LedgerFile.open(this.ledgerPath, this.readStats);

    if (!cursor) {
      const offset = activeFile ? await activeFile.lastLineBoundary() : 0;
      this.current = new ActiveSource(this.ledgerPath, activeFile, offset, this.readStats);
      if (activeFile) await this.persist(++this.commitSeq, this.cursorAt(await activeFile.identity(), offset, null));
      this.log.info('ledger follower starts at the end of the ledger', { policy: this.opts.catchUp ?? 'resume', offset });
      return;
    }

    if (cursor.lastEventId) this.seen.add(cursor.lastEventId);
    this.lastTs = cursor.lastEventTs;
    if (activeFile && sameFile(cursor.file, await activeFile.identity(), true)) {
      let offset = cursor.offset;
      const size = await activeFile.size();
      if (offset > size) {
        this.log.warn('ledger is shorter than the cursor; continuing from its end', { offset, size });
        offset = await activeFile.lastLineBoundary();
      }
      this.current = new ActiveSource(this.ledgerPath, activeFile, offset, this.readStats);
      this.log.info('ledger follower resumes', { offset });
      return;
    }
    await activeFile?.close();

    // The ledger was rotated while we were stopped: finish the cursor's segment first.
    const found = await this.findSegment(await listSegments(this.opts.groupDir), cursor.file);
    if (found) {
      found.src.offset = cursor.offset;
      this.current = found.src;
      this.log.info('ledger rotated while stopped; finishing the old segment first', { segment: found.src.path, offset: cursor.offset });
      return;
    }
    this.log.warn('ledger cursor points to a file that no longer exists; replaying by time', { since: cursor.lastEventTs ?? cursor.savedAt });
    this.current = await this.planByTime(cursor.lastEventTs ?? cursor.savedAt);
  }

  /**
   * Where to read again from after the cursor was lost: the newest event the consumer already
   * handled, else a margin before the damaged file's last change (when it was last saved, unless
   * whatever damaged it touched it later). Re-reading more is safe, skipping is not.
   */
  private async rebuild(damaged: { why: string; aside: string; modifiedAt: number }): Promise<string> {
    const handled = this.opts.handled;
    const last = handled ? await lastKnownEvent(this.opts.groupDir, handled) : undefined;
    const lastMs = last ? Date.parse(last.ts) : Number.NaN;
    const fromEvent = !Number.isNaN(lastMs);
    const since = new Date(fromEvent ? lastMs : damaged.modifiedAt - REBUILD_MARGIN_MS).toISOString();
    this.rebuiltCursor = { why: damaged.why, aside: damaged.aside, since, from: fromEvent ? 'last handled event' : 'file modification time' };
    this.log.warn('ledger cursor was damaged; reading the ledger again from a safe point', { ...this.rebuiltCursor });
    return since;
  }

  /** The segment holding `file` (newest first: it is almost always one of the last), opened. */
  private async findSegment(segments: Segment[], file: FileIdentity): Promise<{ index: number; src: Source } | null> {
    for (let i = segments.length - 1; i >= 0; i--) {
      const seg = segments[i] as Segment;
      const src = await this.openSealed(seg);
      if (src && sameFile(file, await src.identity(), !seg.gz)) return { index: i, src };
      await src?.close();
    }
    return null;
  }

  /**
   * The file after the one just finished: the next segment by sequence number, else the
   * active ledger. Several rotations may have happened since we last looked, so this goes by
   * CCCC's segment list, never straight to whatever ledger.jsonl is now.
   */
  private async advance(done: FileIdentity): Promise<Source | null> {
    for (;;) {
      const segments = await listSegments(this.opts.groupDir);
      const found = await this.findSegment(segments, done);
      if (!found) {
        const since = this.lastTs ?? this.startedAt;
        this.log.warn('a finished ledger file is no longer among the segments; continuing by time', { since });
        return this.planByTime(since);
      }
      await found.src.close();
      const nextSeg = segments[found.index + 1];
      if (nextSeg) {
        const src = await this.openSealed(nextSeg);
        if (src) return src;
        continue; // gzipped (renamed) under us: list again
      }
      const file = await LedgerFile.open(this.ledgerPath, this.readStats);
      if (!file) return null;
      const newest = (await listSegments(this.opts.groupDir)).at(-1)?.seq;
      if (newest === segments.at(-1)?.seq) return new ActiveSource(this.ledgerPath, file, 0, this.readStats);
      await file.close(); // rotated again between listing and opening: look again
    }
  }

  /**
   * Without a known file position: start at the last file whose first event is not newer
   * than `sinceIso` and skip its older events. Duplicates are possible here, losses are not.
   */
  private async planByTime(sinceIso: string): Promise<Source> {
    const sinceMs = Date.parse(sinceIso);
    const activeFile = await LedgerFile.open(this.ledgerPath, this.readStats);
    const activeMs = activeFile ? eventMs(await activeFile.firstLine()) : null;
    if (activeFile && activeMs !== null && activeMs <= sinceMs) {
      const src = new ActiveSource(this.ledgerPath, activeFile, 0, this.readStats);
      src.skipOld = { beforeMs: sinceMs, untilOffset: await activeFile.size() };
      return src;
    }
    await activeFile?.close();
    const segments = await listSegments(this.opts.groupDir);
    let start = segments[0];
    for (const seg of segments) {
      const ms = eventMs(await this.segmentFirstLine(seg));
      if (ms !== null && ms <= sinceMs) start = seg;
    }
    const src = start ? await this.openSealed(start) : null;
    if (!src) return new ActiveSource(this.ledgerPath, null, 0, this.readStats);
    src.skipOld = { beforeMs: sinceMs, untilOffset: Number.POSITIVE_INFINITY };
    return src;
  }

  private async openSealed(seg: Segment): Promise<Source | null> {
    if (seg.gz) return new GzSealedSource(seg.path, 0, this.readStats);
    // Holding the handle keeps the bytes readable even if CCCC gzips and unlinks it meanwhile.
    const file = await LedgerFile.open(seg.path, this.readStats);
    return file ? new PlainSealedSource(file, 0) : null;
  }

  private async segmentFirstLine(seg: Segment): Promise<string | null> {
    if (seg.gz) return gzFirstLine(seg.path, this.readStats);
    const file = await LedgerFile.open(seg.path, this.readStats);
    if (!file) return null;
    try {
      return await file.firstLine();
    } finally {
      await file.close();
    }
  }

  // ---- running ---------------------------------------------------------------------------

  private armWatcher(): void {
    if (this.watcher || this.opts.watch === false || this.state !== 'running') return;
    try {
      // The directory, not the file: the watch must survive CCCC renaming ledger.jsonl away.
      const w = watch(this.opts.groupDir, (_event, filename) => {
        if (!filename || filename === 'ledger.jsonl') this.kick();
      });
      w.on('error', (err) => {
        this.log.warn('ledger watch failed; polling until it can be re-armed', { error: err });
        w.close();
        if (this.watcher === w) this.watcher = null;
      });
      this.watcher = w;
    } catch (err) {
      this.log.warn('cannot watch the group folder; polling only', { error: err });
    }
  }

  /** A batch waiting to be delivered again goes now rather than after its backoff (e.g. disk space returned). */
  retryNow(): void {
    if (!this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.retryAttempt = 0;
    this.kick();
  }

  /**
   * The safety poll's look: a read when there may be something the watch missed. A follower
   * caught up on the active ledger (the same file, its size where reading stopped) is settled by
   * one stat, so an idle group costs no read on a tick.
   */
  private async poll(): Promise<void> {
    const src = this.current;
    if (src instanceof ActiveSource && (await src.caughtUp())) return;
    this.kick();
  }

  private kick(): void {
    if (this.state !== 'running') return;
    this.dirty = true;
    if (this.running || this.retryTimer) return;
    this.running = this.pump().finally(() => {
      this.running = null;
    });
  }

  private async pump(): Promise<void> {
    try {
      while (this.dirty && this.state === 'running' && !this.retryTimer) {
        this.dirty = false;
        await this.drain();
      }
    } catch (err) {
      this.log.error('reading the ledger failed; will retry', { error: err });
      this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.state !== 'running') return;
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** this.retryAttempt);
    this.retryAttempt += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick();
    }, delay);
  }

  /** Reads and delivers until nothing new is left (or a delivery failed and a retry is due). */
  private async drain(): Promise<void> {
    while (this.state === 'running') {
      if (!this.current) {
        if (!this.finished) return;
        this.current = await this.advance(this.finished);
        if (!this.current) return;
        this.finished = null;
      }
      const src = this.current;
      const next = await src.next();
      if (next === 'idle') return;
      if (next === 'truncated') {
        this.log.warn('ledger.jsonl shrank under the cursor; reading it from the start');
      } else if (next === 'rotated') {
        this.log.info('ledger rotated; finishing the old file first', { offset: src.offset });
        this.current = (src as ActiveSource).seal();
      } else if (next === 'done') {
        this.finished = await src.identity();
        await src.close();
        this.current = null;
        this.log.info('finished a rotated ledger file', { path: src.path });
      } else if (!(await this.deliverLines(src, next.lines))) {
        return;
      }
    }
  }

  private async deliverLines(src: Source, lines: RawLine[]): Promise<boolean> {
    const max = this.opts.maxBatchEvents ?? 1000;
    let events: LedgerEvent[] = [];
    let end = src.offset;
    for (const line of lines) {
      const event = this.accept(src, line);
      end = line.end;
      if (!event) continue;
      events.push(event);
      if (events.length >= max) {
        if (!(await this.deliver(src, events, end))) return false;
        events = [];
      }
    }
    if (events.length) return this.deliver(src, events, end);
    src.offset = end;
    return true;
  }

  /** Parses one line; null for blank, malformed, duplicate or (after a lost cursor) old lines. */
  private accept(src: Source, line: RawLine): LedgerEvent | null {
    if (!line.text.trim()) return null;
    const parsed = parseLedgerLine(line.text);
    if (!parsed.ok) {
      this.counters.malformedLines += 1;
      this.log.warn('skipping a malformed ledger line', { path: src.path, end: line.end, reason: parsed.reason, excerpt: line.text.slice(0, 120) });
      return null;
    }
    const event = parsed.event;
    if (this.seen.has(event.id)) {
      this.counters.duplicatesSkipped += 1;
      this.log.debug('skipping a duplicate ledger event', { id: event.id });
      return null;
    }
    if (src.skipOld && line.end <= src.skipOld.untilOffset && Date.parse(event.ts) < src.skipOld.beforeMs) return null;
    this.seen.add(event.id);
    return event;
  }

  private async deliver(src: Source, events: LedgerEvent[], end: number): Promise<boolean> {
    const last = events[events.length - 1] as LedgerEvent;
    const cursor = this.cursorAt(await src.identity(), end, last);
    const seq = ++this.commitSeq;
    try {
      await this.opts.onBatch({ events, commit: () => this.persist(seq, cursor) });
    } catch (err) {
      for (const e of events) this.seen.delete(e.id);
      src.reset();
      this.log.error('the ledger consumer failed; the batch will be delivered again', { error: err, events: events.length });
      this.scheduleRetry();
      return false;
    }
    src.offset = end;
    this.lastTs = last.ts;
    this.counters.eventsDelivered += events.length;
    this.retryAttempt = 0;
    return true;
  }

  private cursorAt(file: FileIdentity, offset: number, last: LedgerEvent | null): LedgerCursor {
    return { v: 1, file, offset, lastEventId: last?.id ?? null, lastEventTs: last?.ts ?? null, savedAt: new Date().toISOString() };
  }

  private persist(seq: number, cursor: LedgerCursor): Promise<void> {
    const run = this.commitChain.then(async () => {
      if (seq <= this.persistedSeq) return;
      await saveCursor(this.opts.cursorPath, cursor);
      this.persistedSeq = seq;
    });
    this.commitChain = run.catch(() => undefined);
    return run;
  }
}
