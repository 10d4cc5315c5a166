/**
 * A small JSON document on disk, validated on load, replaced atomically on save, with updates
 * serialized in-process so two concurrent changes cannot overwrite each other.
 *
 * Two policies for a damaged file: the bridge's own state (`reset`, default) starts afresh with a
 * warning; a user's files (`error`: profiles, settings, secrets) give a readable problem instead
 * and are re-read on every call, so a hand edit is seen at once.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { atomicWriteFile } from './atomic-write';
import { BridgeError } from '../errors';
import { silentLogger, type Logger } from '../log/logger';

export interface JsonFileStoreOptions {
  onInvalid?: 'reset' | 'error';
  /** File mode of new files (e.g. 0o600 for secrets). */
  mode?: number;
  log?: Logger;
}

export class JsonFileStore<S extends z.ZodType> {
  private value: z.output<S> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly strict: boolean;
  private readonly log: Logger;

  constructor(
    readonly path: string,
    private readonly schema: S,
    private readonly empty: () => z.output<S>,
    private readonly options: JsonFileStoreOptions = {},
  ) {
    this.strict = options.onInvalid === 'error';
    this.log = options.log ?? silentLogger;
  }

  async get(): Promise<z.output<S>> {
    if (this.strict) return this.load();
    if (this.value === undefined) this.value = await this.load();
    return this.value;
  }

  /**
   * Applies `change` to a copy of the current document and saves it; changes run one after
   * another. The copy becomes current only once saved: a save that fails (a full disk) changes
   * nothing, so a caller that tries again finds what it left (a `take` does not lose its items).
   */
  update<R>(change: (doc: z.output<S>) => R): Promise<R> {
    const run = this.queue.then(async () => {
      const doc = structuredClone(await this.get());
      const result = change(doc);
      await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
      // A new file each time (temporary sibling + rename), created with `mode`: never readable by others, not even briefly.
      await atomicWriteFile(this.path, JSON.stringify(doc, null, 2) + '\n', this.options.mode);
      if (!this.strict) this.value = doc;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<z.output<S>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.empty();
      throw err;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.damaged('is not valid JSON');
    }
    const parsed = this.schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    return this.damaged(`does not match its format (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown'})`);
  }

  private damaged(why: string): z.output<S> {
    if (this.strict) {
      throw new BridgeError({ code: 'config.invalid', message: `${this.path} ${why}`, hint: 'Fix the file by hand, or move it away to start afresh.', retryable: false, details: { file: this.path } });
    }
    this.log.warn(`State file ${why}; starting afresh`, { path: this.path });
    return this.empty();
  }
}
