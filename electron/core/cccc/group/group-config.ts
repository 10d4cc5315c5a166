/**
 * `groups/<id>/group.yaml`, the part the bridge needs: the title and the `im:` block CCCC
 * uses for its own DingTalk bridge. Parsed like CCCC parses it (PyYAML safe_load = YAML 1.1,
 * with timestamps left as strings) and coerced like CCCC coerces it.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { BridgeError } from '../../errors';
import { coerceBool } from '../im-state/schemas';

/** A YAML scalar as CCCC reads it with `str(value or "").strip()` (so false and 0 read as ""). */
const str = z
  .unknown()
  .optional()
  .transform((v) => (v === null || v === undefined || v === false || v === 0 || v === '' ? '' : String(v).trim()));

/** The contract's default cap for inbound files (CCCC: `im.files.max_mb`). */
export const DEFAULT_FILES_MAX_MB = 10;

export const imConfigSchema = z.looseObject({
  platform: str.transform((s) => s.toLowerCase()),
  enabled: z
    .unknown()
    .optional()
    .transform((v) => coerceBool(v, false)),
  dingtalk_app_key: str,
  dingtalk_app_key_env: str,
  dingtalk_app_secret: str,
  dingtalk_app_secret_env: str,
  dingtalk_robot_code: str,
  dingtalk_robot_code_env: str,
  files: z
    .unknown()
    .optional()
    .transform((v) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}))
    .transform((f) => {
      const mb = Number.parseInt(String(f.max_mb ?? ''), 10);
      return { enabled: coerceBool(f.enabled, true), max_mb: Number.isFinite(mb) && mb > 0 ? mb : DEFAULT_FILES_MAX_MB };
    }),
});

export type ImConfig = z.infer<typeof imConfigSchema>;

export const groupYamlSchema = z.looseObject({
  group_id: str,
  title: str,
  im: z
    .unknown()
    .optional()
    .transform((v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : null))
    .pipe(imConfigSchema.nullable()),
});

export interface GroupConfig {
  groupId: string;
  title: string;
  /** The `im:` block, or null when the group has none. */
  im: ImConfig | null;
}

function yamlProblem(code: string, message: string, groupDir: string, cause?: unknown): BridgeError {
  return new BridgeError(
    { code, message, hint: 'Check the group id and CCCC_HOME; `cccc groups` lists the groups.', retryable: false, details: { groupDir } },
    { cause },
  );
}

export async function readGroupConfig(groupDir: string): Promise<GroupConfig> {
  let text: string;
  try {
    text = await readFile(join(groupDir, 'group.yaml'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw yamlProblem('cccc.group_not_found', 'The CCCC group has no group.yaml.', groupDir, err);
    throw err;
  }
  let doc: unknown;
  try {
    doc = parse(text, { version: '1.1', customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp') });
  } catch (err) {
    throw yamlProblem('cccc.group_yaml_invalid', 'The group’s group.yaml is not valid YAML.', groupDir, err);
  }
  const parsed = groupYamlSchema.safeParse(doc && typeof doc === 'object' ? doc : {});
  if (!parsed.success) throw yamlProblem('cccc.group_yaml_invalid', 'The group’s group.yaml has an unexpected shape.', groupDir, parsed.error);
  return { groupId: parsed.data.group_id || basename(groupDir), title: parsed.data.title, im: parsed.data.im };
}

export interface DingTalkCredentials {
  appKey: string;
  appSecret: string;
  robotCode: string;
}

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * The DingTalk credentials CCCC's bridge would use for this `im:` block: a literal value
 * first, then the variable named by `*_env` (a value there that is not a variable name is
 * taken literally, a common misconfiguration CCCC tolerates), then DINGTALK_APP_KEY & co.
 */
export function resolveDingTalkCredentials(im: ImConfig, env: NodeJS.ProcessEnv = process.env): DingTalkCredentials {
  const pick = (value: string, envRef: string, fallbackEnv: string): string => {
    if (value) return value;
    if (envRef) return ENV_NAME.test(envRef) ? (env[envRef] ?? '').trim() : envRef;
    return (env[fallbackEnv] ?? '').trim();
  };
  return {
    appKey: pick(im.dingtalk_app_key, im.dingtalk_app_key_env, 'DINGTALK_APP_KEY'),
    appSecret: pick(im.dingtalk_app_secret, im.dingtalk_app_secret_env, 'DINGTALK_APP_SECRET'),
    robotCode: pick(im.dingtalk_robot_code, im.dingtalk_robot_code_env, 'DINGTALK_ROBOT_CODE'),
  };
}
