/**
 * config.json of the headless bridge: read and validated with the profile schemas, errors
 * pointing at the line ("config.json line 7: bridges[0].appSecretEnv: …"), written atomically
 * (temporary sibling + rename), so a crash or a concurrent reader never sees half a file.
 * It holds environment variable NAMES only, never credential values.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { atomicWriteFile } from '../util/atomic-write';
import { describeIssues, describeSyntaxError } from '../util/json-where';
import { BridgeError } from '../errors';
import { configFileSchema, emptyConfig, type BridgeProfile, type ConfigFile } from './profile';

function configProblem(file: string, message: string, cause?: unknown): BridgeError {
  return new BridgeError(
    { code: 'config.invalid', message, hint: `Fix ${file} by hand, or remove it and run \`cccc-dingtalk set\` again.`, retryable: false, details: { file } },
    { cause },
  );
}

/** Parses and validates config text; `file` names it in errors. */
export function parseConfig(text: string, file: string): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw configProblem(file, describeSyntaxError(file, text, err as Error), err);
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
