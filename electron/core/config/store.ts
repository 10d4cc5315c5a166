/**
 * config.json of the headless bridge: read and validated with the profile schemas, errors
 * pointing at the line ("config.json line 7: bridges[0].appSecretEnv: …"), written atomically
 * (temporary sibling + rename), so a crash or a concurrent reader never sees half a file.
 * It holds environment variable NAMES only, never credential values.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { atomicWriteFile } from '../util/atomic-write';
import { BridgeError } from '../errors';
import { configFileSchema, emptyConfig, type BridgeProfile, type ConfigFile } from './profile';

function configProblem(file: string, message: string, cause?: unknown): BridgeError {
  return new BridgeError(
    { code: 'config.invalid', message, hint: `Fix ${file} by hand, or remove it and run \`cccc-dingtalk set\` again.`, retryable: false, details: { file } },
    { cause },
  );
}

function lineOfOffset(text: string, offset: number): number {
  return text.slice(0, Math.max(0, offset)).split('\n').length;
}

/** Where JSON.parse gave up. V8 names the position for most errors but not all, so without one
 * find the longest prefix that could still begin a valid document (a monotone property). */
function errorOffset(text: string, message: string): number {
  const stated = /position (\d+)/.exec(message)?.[1];
  if (stated !== undefined) return Number(stated);
  const viable = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      const m = (e as Error).message;
      const at = /position (\d+)/.exec(m)?.[1];
      return at !== undefined ? Number(at) >= n : /end of JSON input/.test(m);
    }
  };
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (viable(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** `bridges[0].settings.maxFileMb` */
function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

/** The line of the deepest node of `path` present in the text (a missing key: its parent's line). */
function lineOfPath(text: string, path: readonly PropertyKey[]): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

function describeIssues(file: string, text: string, error: z.ZodError): string {
  const name = basename(file);
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const line = lineOfPath(text, issue.path);
      const where = issue.path.length ? `${formatPath(issue.path)}: ` : '';
      return `${name}${line ? ` line ${line}` : ''}: ${where}${issue.message}`;
    })
    .join('\n');
}

/** Parses and validates config text; `file` names it in errors. */
export function parseConfig(text: string, file: string): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const line = lineOfOffset(text, errorOffset(text, message));
    const why = message
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/, .*is not valid JSON$/s, '')
      .replace(/^Unexpected end of JSON input$/, 'the file ends too early');
    throw configProblem(file, `${basename(file)} line ${line}: not valid JSON (${why})`, err);
  }
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) throw configProblem(file, describeIssues(file, text, parsed.error), parsed.error);
  return parsed.data;
}

/** The config at `file`; an empty config when it does not exist yet. */
export async function readConfig(file: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfig();
    throw configProblem(file, `Cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, err);
  }
  return parseConfig(text, file);
}

export async function writeConfig(file: string, config: ConfigFile): Promise<void> {
  const valid = configFileSchema.parse(config);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await atomicWriteFile(file, `${JSON.stringify(valid, null, 2)}\n`);
}

/** The bridge `id` names, or the only one when `id` is absent. */
export function pickBridge(config: ConfigFile, id: string | undefined, file: string): BridgeProfile {
  if (id !== undefined) {
    const found = config.bridges.find((b) => b.id === id);
    if (found) return found;
    const known = config.bridges.map((b) => b.id).join(', ');
    throw new BridgeError({
      code: 'config.unknown_bridge',
      message: `No bridge "${id}" in ${file}`,
      hint: known ? `Configured bridges: ${known}.` : 'Configure one with `cccc-dingtalk set --group G --app-key-env K --app-secret-env S`.',
      retryable: false,
    });
  }
  const [only, ...more] = config.bridges;
  if (!only) {
    throw new BridgeError({
      code: 'config.no_bridge',
      message: 'No bridge is configured yet',
      hint: 'Configure one with `cccc-dingtalk set --group G --app-key-env DINGTALK_APP_KEY --app-secret-env DINGTALK_APP_SECRET`.',
      retryable: false,
      details: { file },
    });
  }
  if (more.length > 0) {
    throw new BridgeError({
      code: 'config.several_bridges',
      message: `${config.bridges.length} bridges are configured`,
      hint: `Pick one with --bridge (${config.bridges.map((b) => b.id).join(', ')}).`,
      retryable: false,
    });
  }
  return only;
}
