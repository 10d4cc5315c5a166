/**
 * A small JSON document on disk, validated on load, replaced atomically on save, with updates
 * serialized in-process so two concurrent changes cannot overwrite each other.
 *
 * Two policies for a damaged file: the bridge's own state (`reset`, default) is moved aside
 * (`<file>.corrupt-<timestamp>`, named in the log) and rebuilt by `recover` — from the copy kept
 * beside it when `keepCopy` is on, and from whatever else the owner knows; a user's files
 * (`error`: profiles, settings, secrets) give a readable problem instead and are re-read on every
 * call, so a hand edit is seen at once.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { z } from 'zod';
import { atomicWriteFile } from './atomic-write';
import { describeIssues, describeSyntaxError } from './json-where';
import { quarantine } from './quarantine';
import { BridgeError } from '../errors';
import { silentLogger, type Logger } from '../log/logger';

/** What `recover` is told about a damaged file. */
export interface StateDamage<T> {
  path: string;
  why: string;
  /** Where the damaged file was moved. */
  aside: string;
  /** The last good copy (`keepCopy`), if it could be read. */
  copy: T | undefined;
}

export interface JsonFileStoreOptions {
  onInvalid?: 'reset' | 'error';
  /** File mode of new files (e.g. 0o600 for secrets). */
  mode?: number;
  log?: Logger;
  /**
   * Also write `<file>.bak` after every save: a file damaged while the bridge was stopped is then
   * restored from it instead of being lost (the bridge's only record of something).
   */
  keepCopy?: boolean;
  /**
   * A view of a file another process owns (the dashboard looking at a stopped bridge's state):
   * a damaged file reads as its copy, else empty — never moved aside, rebuilt or saved, so the
   * owner still finds and reports the damage when it starts. `update` is refused.
   */
  readOnly?: boolean;
}

export class JsonFileStore<S extends z.ZodType> {
  private value: Promise<z.output<S>> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly strict: boolean;
  private readonly log: Logger;

  constructor(
    readonly path: string,
    private readonly schema: S,
    private readonly empty: () => z.output<S>,
    private readonly options: JsonFileStoreOptions = {},
    /** Rebuilds a damaged file (reset policy); default: the copy, else empty. */
    private readonly recover: (damage: StateDamage<z.output<S>>) => Promise<z.output<S>> = (d) => Promise.resolve(d.copy ?? this.empty()),
  ) {
    this.strict = options.onInvalid === 'error';
    this.log = options.log ?? silentLogger;
  }

  async get(): Promise<z.output<S>> {
    if (this.strict) return this.load();
    // One load for concurrent callers: a damaged file is moved aside and rebuilt once.
    this.value ??= this.load().catch((err: unknown) => {
      this.value = undefined;
      throw err;
    });
    return this.value;
  }

  /**
   * Applies `change` to a copy of the current document and saves it; changes run one after
   * another. The copy becomes current only once saved: a save that fails (a full disk) changes
   * nothing, so a caller that tries again finds what it left (a `take` does not lose its items).
   */
  update<R>(change: (doc: z.output<S>) => R): Promise<R> {
    if (this.options.readOnly) return Promise.reject(new Error(`${this.path} is opened read-only`));
    const run = this.queue.then(async () => {
      const doc = cloneDocument(await this.get());
      const result = change(doc);
      await this.save(doc);
      if (!this.strict) this.value = Promise.resolve(doc);
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async save(doc: z.output<S>): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    // A new file each time (temporary sibling + rename), created with `mode`: never readable by others, not even briefly.
    const text = JSON.stringify(doc, null, 2) + '\n';
    await atomicWriteFile(this.path, text, this.options.mode);
    if (this.options.keepCopy) await atomicWriteFile(this.copyPath, text, this.options.mode);
  }

  get copyPath(): string {
    return `${this.path}.bak`;
  }

  private async load(): Promise<z.output<S>> {
    const read = await this.read(this.path);
    if (read.ok) return read.value;
    if (read.why === undefined) return this.empty();
    if (this.strict) {
      throw new BridgeError({
        code: 'config.invalid',
        message: read.where ?? `${this.path} ${read.why}`,
        hint: 'Fix the file by hand, or move it away to start afresh.',
        retryable: false,
        details: { file: this.path },
      });
    }
    if (this.options.readOnly) {
      const copy = this.options.keepCopy ? await this.read(this.copyPath) : undefined;
      return copy?.ok ? copy.value : this.empty();
    }
    const { aside } = await quarantine(this.path, read.why, this.log);
    const copy = this.options.keepCopy ? await this.read(this.copyPath) : undefined;
    if (copy && !copy.ok && copy.why !== undefined) this.log.warn(`The copy of a damaged state file ${copy.why}; not used`, { path: this.copyPath });
    const rebuilt = await this.recover({ path: this.path, why: read.why, aside, copy: copy?.ok ? copy.value : undefined });
    // Saved at once: the damaged file is gone, and the next start must find the rebuilt one.
    await this.save(rebuilt);
    return rebuilt;
  }

  /** The file's document; `why` undefined when it does not exist, `where` names the line for a person. */
  private async read(path: string): Promise<{ ok: true; value: z.output<S> } | { ok: false; why: string | undefined; where?: string }> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false, why: undefined };
      throw err;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return { ok: false, why: text.trim() === '' ? 'is empty' : 'is not valid JSON', where: describeSyntaxError(path, text, err as Error) };
    }
    const parsed = this.schema.safeParse(raw);
    if (parsed.success) return { ok: true, value: parsed.data };
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      why: `does not match its format (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown'})`,
      where: describeIssues(path, text, parsed.error),
    };
  }
}

/**
 * A deep copy of a JSON document that keeps each object's prototype: structuredClone would turn
 * the null-prototype dicts that untrusted ids index (util/own) back into ordinary objects.
 */
function cloneDocument<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneDocument(v)) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<string, unknown>;
  for (const [key, v] of Object.entries(value))
    Object.defineProperty(copy, key, { value: cloneDocument(v), enumerable: true, writable: true, configurable: true });
  return copy as T;
}
