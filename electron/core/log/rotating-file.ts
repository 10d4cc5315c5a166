/**
 * An append-only text file rotated by size: `<name><ext>` is the current file, older ones are
 * `<name>.1<ext>` … `<name>.<keep-1><ext>` (1 is the newest). Used by the audit trail and by
 * the bridge's log file. Appends are serialized, so lines never interleave and a rotation
 * never races a write; a failed append does not block the ones after it, and leaves no piece of
 * itself behind (a full disk writes part of a line, and the next one would be glued to it).
 */
import { appendFile, mkdir, readFile, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';

export interface RotatingFileOptions {
  dir: string;
  /** File name without extension, e.g. `audit`. */
  name: string;
  /** Default `.jsonl`. */
  ext?: string;
  /** Rotate when the current file would grow past this. Default 5 MB. */
  maxBytes?: number;
  /** Files kept, the current one included. Default 5. */
  keep?: number;
  /** Default 0o600: logs may name people and chats. */
  mode?: number;
}

export class RotatingFile {
  readonly keep: number;
  private readonly maxBytes: number;
  private readonly ext: string;
  private readonly mode: number;
  private chain: Promise<void> = Promise.resolve();
  private size: number | undefined;

  constructor(private readonly options: RotatingFileOptions) {
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
    this.keep = Math.max(1, options.keep ?? 5);
    this.ext = options.ext ?? '.jsonl';
    this.mode = options.mode ?? 0o600;
  }

  /** Path of the file `index` rotations old (0 = the current file). */
  pathAt(index: number): string {
    return join(this.options.dir, index === 0 ? `${this.options.name}${this.ext}` : `${this.options.name}.${index}${this.ext}`);
  }

  /** Queues `text` (usually one line with its newline); resolves or rejects once it is written. */
  append(text: string): Promise<void> {
    const done = this.chain.then(() => this.write(text));
    this.chain = done.catch(() => undefined);
    return done;
  }

  /** Resolves when everything queued so far has been written (or has failed). */
  flush(): Promise<void> {
    return this.chain;
  }

  /** Contents of the file `index` rotations old; '' when it does not exist. */
  async read(index: number): Promise<string> {
    try {
      return await readFile(this.pathAt(index), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
  }

  private async write(text: string): Promise<void> {
    const bytes = Buffer.byteLength(text);
    if (this.size === undefined) {
      await mkdir(this.options.dir, { recursive: true });
      this.size = await stat(this.pathAt(0)).then(
        (s) => s.size,
        () => 0,
      );
    }
    if (this.size > 0 && this.size + bytes > this.maxBytes) await this.rotate();
    try {
      await appendFile(this.pathAt(0), text, { mode: this.mode });
    } catch (err) {
      await truncate(this.pathAt(0), this.size).catch(() => undefined);
      throw err;
    }
    this.size += bytes;
  }

  private async rotate(): Promise<void> {
    await rm(this.pathAt(this.keep - 1), { force: true });
    for (let i = this.keep - 2; i >= 0; i--) {
      await rename(this.pathAt(i), this.pathAt(i + 1)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    this.size = 0;
  }
}
