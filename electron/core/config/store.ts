/**
 * config.json, the one set of bridge profiles of a config folder, shared by the CLI, `serve` and
 * the desktop app (docs/architecture.md §5):
 *
 * - read and validated with profile.ts, errors pointing at the line ("config.json line 7:
 *   bridges[0].secret: …"): a damaged file is refused and named, never reset;
 * - changed only under the config lock (config-lock.ts), re-read inside it, written atomically
 *   (temporary sibling + rename): two processes saving at once both keep their change, and a
 *   reader never sees half a file;
 * - an older version is migrated on first read and saved so; the version-1 original is kept
 *   beside it as `config.v1.json` (a downgrade renames it back). Bridges of the older stores
 *   (legacy.ts) are copied in once each and the record of it kept in `imported`; those stores
 *   are left as they were.
 *
 * Credentials appear only as environment variable NAMES, or as where the host keeps the secret.
 */
import { access, mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { atomicWriteFile } from '../util/atomic-write';
import { describeIssues, describeSyntaxError } from '../util/json-where';
import { BridgeError } from '../errors';
import { CLI_OPTIONS_TEXT } from '../i18n/cli-options';
import type { Language } from '../../shared/api';
import { withConfigLock, type ConfigLockOptions } from './config-lock';
import { appProfilesFileV1Schema, configV1Schema, fromAppProfileV1, fromConfigV1 } from './legacy';
import { configFilePath } from './paths';
import { CONFIG_VERSION, configFileSchema, emptyConfig, type BridgeProfile, type ConfigFile } from './profile';

function configProblem(file: string, message: string, cause?: unknown): BridgeError {
  return new BridgeError(
    {
      code: 'config.invalid',
      message,
      hint: `Fix ${file} by hand, or move it away and set the bridges up again (\`cccc-dingtalk set\`, or the app).`,
      retryable: false,
      details: { file },
    },
    { cause },
  );
}

/** A file's JSON, or a problem that names the line. */
function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw configProblem(file, describeSyntaxError(file, text, err as Error), err);
  }
}

function validate<S extends z.ZodType>(schema: S, raw: unknown, text: string, file: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw configProblem(file, describeIssues(file, text, parsed.error), parsed.error);
  return parsed.data;
}

/** What a config file says, in today's shape; `from` is the version it was written in when older. */
export function parseConfigText(text: string, file: string): { config: ConfigFile; from?: number } {
  const raw = parseJson(text, file);
  const version = (raw as { version?: unknown } | null)?.version;
  if (version === 1) return { config: { ...emptyConfig(), bridges: validate(configV1Schema, raw, text, file).bridges.map(fromConfigV1) }, from: 1 };
  if (typeof version === 'number' && version > CONFIG_VERSION) {
    const newer = new z.ZodError([
      {
        code: 'custom',
        path: ['version'],
        message: `written by a newer cccc-dingtalk (version ${version}); this one reads versions 1–${CONFIG_VERSION}`,
        input: version,
      },
    ]);
    throw new BridgeError({
      code: 'config.too_new',
      message: describeIssues(file, text, newer),
      hint: 'Update cccc-dingtalk and the desktop app to the same, newest version.',
      retryable: false,
      details: { file },
    });
  }
  return { config: validate(configFileSchema, raw, text, file) };
}

/** Parses and validates config text (any version); `file` names it in errors. */
export function parseConfig(text: string, file: string): ConfigFile {
  return parseConfigText(text, file).config;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw configProblem(file, `Cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The bridges made in the page of `serve` before config.json held them (secrets stay in secrets.json). */
export const SERVE_PROFILES = 'app-profiles.json';

export interface ImportResult {
  /** Ids copied in now. */
  added: string[];
  /** Ids left out: config.json has a bridge of that id already. */
  skipped: string[];
}

export class ConfigStore {
  readonly file: string;
  private legacyChecked = false;

  constructor(
    readonly configHome: string,
    private readonly options: ConfigLockOptions = {},
  ) {
    this.file = configFilePath(configHome);
  }

  /** The configuration. An older one is migrated and saved so; the bridges `serve` kept in app-profiles.json come in once. */
  async read(): Promise<ConfigFile> {
    const text = await readText(this.file);
    const parsed = text === undefined ? { config: emptyConfig() } : parseConfigText(text, this.file);
    let config = parsed.config;
    // Saved migrated at once; one that cannot be saved (a read-only folder) is still read.
    if (parsed.from !== undefined) config = (await this.update((c) => c).catch(() => undefined)) ?? config;
    if (!this.legacyChecked) {
      const legacy = join(this.configHome, SERVE_PROFILES);
      if (!config.imported.includes(SERVE_PROFILES) && (await exists(legacy))) {
        await this.importOnce(SERVE_PROFILES, async () => {
          const legacyText = (await readText(legacy)) ?? '{"version":1}';
          const file = validate(appProfilesFileV1Schema, parseJson(legacyText, legacy), legacyText, legacy);
          return file.bridges.map((p) => fromAppProfileV1(p, 'file'));
        });
        config = (await this.load()).config;
      }
      this.legacyChecked = true;
    }
    return config;
  }

  /**
   * Applies `change` to the configuration as it is now on disk and saves it, under the config
   * lock: a change another process saved meanwhile is kept. A change that throws saves nothing.
   */
  async update<R>(change: (config: ConfigFile) => R | Promise<R>): Promise<R> {
    // Made before the lock is, which would otherwise make it readable by others.
    await mkdir(this.configHome, { recursive: true, mode: 0o700 });
    return withConfigLock(
      this.configHome,
      async () => {
        const { config, from } = await this.load();
        const result = await change(config);
        const valid = configFileSchema.parse(config);
        const aside = join(this.configHome, `config.v${from}.json`);
        if (from !== undefined && !(await exists(aside))) await atomicWriteFile(aside, (await readText(this.file)) ?? '', 0o600);
        await atomicWriteFile(this.file, `${JSON.stringify(valid, null, 2)}\n`, 0o600);
        return result;
      },
      this.options,
    );
  }

  /**
   * Copies the bridges of an older store in, once per `source` (recorded in `imported`); `load`
   * runs only if not done yet, `beforeSave` with the ids added, still under the lock.
   */
  importOnce(source: string, load: () => Promise<BridgeProfile[]>, beforeSave?: (added: string[]) => Promise<void>): Promise<ImportResult> {
    return this.update(async (config) => {
      const result: ImportResult = { added: [], skipped: [] };
      if (config.imported.includes(source)) return result;
      for (const profile of await load()) {
        if (config.bridges.some((b) => b.id === profile.id)) result.skipped.push(profile.id);
        else {
          config.bridges.push(profile);
          result.added.push(profile.id);
        }
      }
      config.imported.push(source);
      await beforeSave?.(result.added);
      return result;
    });
  }

  private async load(): Promise<{ config: ConfigFile; from?: number }> {
    const text = await readText(this.file);
    return text === undefined ? { config: emptyConfig() } : parseConfigText(text, this.file);
  }
}

function describe(b: BridgeProfile): string {
  return b.name === b.id ? b.id : `${b.id} ("${b.name}")`;
}

/**
 * The bridge `ref` names (its id, or else its name), or the only one when `ref` is absent; else
 * why not, in `lang` (the CLI's, from the locale).
 */
export function pickBridge(config: ConfigFile, ref: string | undefined, file: string, lang: Language = 'en'): BridgeProfile {
  const t = CLI_OPTIONS_TEXT[lang].bridge;
  const known = config.bridges.map(describe);
  if (ref !== undefined) {
    const found = config.bridges.find((b) => b.id === ref);
    if (found) return found;
    const named = config.bridges.filter((b) => b.name === ref);
    if (named.length === 1) return named[0] as BridgeProfile;
    if (named.length > 1) {
      throw new BridgeError({
        code: 'config.ambiguous_bridge',
        message: t.ambiguous(named.length, ref),
        hint: t.byId(named.map((b) => b.id)),
        retryable: false,
      });
    }
    throw new BridgeError({
      code: 'config.unknown_bridge',
      message: t.unknown(ref, basename(file)),
      hint: known.length > 0 ? t.configured(known) : t.configureOne,
      retryable: false,
    });
  }
  const [only, ...more] = config.bridges;
  if (!only) throw new BridgeError({ code: 'config.no_bridge', message: t.none, hint: t.noneHint, retryable: false, details: { file } });
  if (more.length > 0) {
    throw new BridgeError({ code: 'config.several_bridges', message: t.several(config.bridges.length), hint: t.pickOne(known), retryable: false });
  }
  return only;
}
