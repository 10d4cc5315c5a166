/**
 * A small JSON document on disk, validated on load, replaced atomically on save, with updates
 * serialized in-process so two concurrent changes cannot overwrite each other.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { atomicWriteFile } from '../cccc/im-state/atomic-write';
import { silentLogger, type Logger } from '../log/logger';

export class JsonFileStore<S extends z.ZodType> {
  private value: z.output<S> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly schema: S,
    private readonly empty: () => z.output<S>,
    private readonly log: Logger = silentLogger,
  ) {}

  async get(): Promise<z.output<S>> {
    if (this.value === undefined) this.value = await this.load();
    return this.value;
  }

  /** Applies `change` to the current document and saves it; changes run one after another. */
  update<R>(change: (doc: z.output<S>) => R): Promise<R> {
    const run = this.queue.then(async () => {
      const doc = await this.get();
      const result = change(doc);
      await atomicWriteFile(this.path, JSON.stringify(doc, null, 2) + '\n');
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
      this.log.warn('State file is not valid JSON; starting afresh', { path: this.path });
      return this.empty();
    }
    const parsed = this.schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    this.log.warn('State file does not match its schema; starting afresh', { path: this.path });
    return this.empty();
  }
}
