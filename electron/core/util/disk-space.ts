/**
 * Knows whether the disk holding a directory is full. Writers report their failures; the first
 * ENOSPC/EDQUOT starts an episode (`full`), and from then on the free space is polled until
 * there is room again (`freed`), so whoever waits can try again by itself — nothing else tells
 * a process that someone freed space.
 */
import { EventEmitter } from 'node:events';
import { statfs } from 'node:fs/promises';
import { isDiskFull } from './local-failure';

export interface DiskSpaceOptions {
  dir: string;
  /** How often to look at the free space while full. Default 1 s. */
  pollMs?: number;
  /** Free bytes that count as "room again". Default 64 KiB. */
  roomBytes?: number;
  /** Free bytes available to this process; default statfs(2). */
  freeBytes?: (dir: string) => Promise<number>;
}

async function statfsFree(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}

export class DiskSpace extends EventEmitter<{ full: []; freed: [] }> {
  private timer: NodeJS.Timeout | undefined;
  private isFull = false;
  /** Bumped by stop(), so a check already under way does not end a newer episode. */
  private epoch = 0;

  constructor(private readonly options: DiskSpaceOptions) {
    super();
  }

  get dir(): string {
    return this.options.dir;
  }

  get full(): boolean {
    return this.isFull;
  }

  /** A write failed: true when it failed for lack of space (the episode starts if it had not). */
  noteFailure(err: unknown): boolean {
    if (!isDiskFull(err)) return false;
    if (!this.isFull) {
      this.isFull = true;
      this.emit('full');
      this.schedule();
    }
    return true;
  }

  /** Stops watching and forgets the episode; a later failure starts a new one. */
  stop(): void {
    this.epoch += 1;
    this.isFull = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.check(), this.options.pollMs ?? 1_000);
  }

  private async check(): Promise<void> {
    this.timer = undefined;
    const epoch = this.epoch;
    const free = await (this.options.freeBytes ?? statfsFree)(this.options.dir).catch(() => 0);
    if (epoch !== this.epoch) return;
    if (free >= (this.options.roomBytes ?? 64 * 1024)) {
      this.isFull = false;
      this.emit('freed');
    } else {
      this.schedule();
    }
  }
}
