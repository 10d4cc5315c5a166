/**
 * A bridge profile: which CCCC group, which DingTalk app (by the NAMES of the environment
 * variables that hold its credentials, as `cccc im set dingtalk` does), and its settings.
 * Kept apart from any file store: the CLI keeps profiles in config.json, the desktop app in
 * its own store, both validate with these schemas.
 */
import { z } from 'zod';
import { bridgeSettingsSchema } from '../bridge/settings';

/** Upper-case names only, like CCCC's check: a secret pasted here by mistake must not pass as a name. */
export const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

export const envNameSchema = z.string().regex(ENV_NAME, { message: 'must be the NAME of an environment variable (e.g. DINGTALK_APP_SECRET), not its value' });

export const BRIDGE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const bridgeProfileSchema = z.object({
  id: z.string().regex(BRIDGE_ID, { message: 'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit' }),
  groupId: z.string().trim().min(1, { message: 'must name a CCCC group (e.g. g_65e81c9938a0)' }),
  /** CCCC's home for this bridge; absent: CCCC_HOME or ~/.cccc at run time. */
  ccccHome: z.string().min(1).optional(),
  appKeyEnv: envNameSchema,
  appSecretEnv: envNameSchema,
  robotCodeEnv: envNameSchema.optional(),
  // A fresh object each time: the engine updates its settings in place.
  settings: bridgeSettingsSchema.default(() => bridgeSettingsSchema.parse({})),
});

export type BridgeProfile = z.infer<typeof bridgeProfileSchema>;

export const CONFIG_VERSION = 1;

export const configFileSchema = z
  .object({
    version: z.literal(CONFIG_VERSION),
    bridges: z.array(bridgeProfileSchema).default([]),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.bridges.forEach((b, i) => {
      if (seen.has(b.id)) ctx.addIssue({ code: 'custom', path: ['bridges', i, 'id'], message: `bridge id "${b.id}" is used twice` });
      seen.add(b.id);
    });
  });

export type ConfigFile = z.infer<typeof configFileSchema>;

export function emptyConfig(): ConfigFile {
  return { version: CONFIG_VERSION, bridges: [] };
}
