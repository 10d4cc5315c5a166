/**
 * The shapes bridge profiles had before there was one configuration, and how each becomes a
 * profile of today (profile.ts). Nothing here writes: store.ts decides when (on first read).
 *
 *   config.json version 1     the CLI's: environment variable names for all three credentials
 *   app-profiles.json         the bridges made in the page of `serve` (secrets in secrets.json)
 *   the desktop app's store   electron-store's `profiles` (secrets in the app's vault)
 */
import { z } from 'zod';
import { bridgeSettingsSchema } from '../bridge/settings';
import { bridgeIdSchema, envNameSchema, uniqueIds, type BridgeProfile, type SecretStoreKind } from './profile';

export const configV1Schema = z
  .object({
    version: z.literal(1),
    bridges: z
      .array(
        z.object({
          id: bridgeIdSchema,
          groupId: z.string().trim().min(1, { message: 'must name a CCCC group (e.g. g_65e81c9938a0)' }),
          ccccHome: z.string().min(1).optional(),
          appKeyEnv: envNameSchema,
          appSecretEnv: envNameSchema,
          robotCodeEnv: envNameSchema.optional(),
          settings: bridgeSettingsSchema.default(() => bridgeSettingsSchema.parse({})),
        }),
      )
      .default([]),
  })
  .superRefine(uniqueIds);

export type ConfigV1 = z.infer<typeof configV1Schema>;

/** A version-1 bridge of the CLI: named by its id, everything from the environment. */
export function fromConfigV1(b: ConfigV1['bridges'][number]): BridgeProfile {
  return {
    id: b.id,
    name: b.id,
    groupId: b.groupId,
    ...(b.ccccHome ? { ccccHome: b.ccccHome } : {}),
    appKeyEnv: b.appKeyEnv,
    ...(b.robotCodeEnv ? { robotCodeEnv: b.robotCodeEnv } : {}),
    secret: { from: 'env', name: b.appSecretEnv },
    autoStart: false,
    settings: b.settings,
  };
}

/** A bridge as the desktop app and `serve` kept it before (their stores held the same shape). */
export const appProfileV1Schema = z.object({
  id: bridgeIdSchema,
  name: z.string().min(1),
  groupId: z.string().min(1),
  ccccHome: z.string().min(1).optional(),
  appKey: z.string().min(1),
  robotCode: z.string().min(1).optional(),
  secretEnv: envNameSchema.optional(),
  autoStart: z.boolean().default(false),
  sandbox: z.literal(true).optional(),
  settings: bridgeSettingsSchema.default(() => bridgeSettingsSchema.parse({})),
  createdAt: z.number().optional(),
});

export type AppProfileV1 = z.infer<typeof appProfileV1Schema>;

export const appProfilesFileV1Schema = z.object({ version: z.literal(1), bridges: z.array(appProfileV1Schema).default([]) });

/** `secretKind`: where the host that made it kept typed secrets (its vault, or secrets.json). */
export function fromAppProfileV1(p: AppProfileV1, secretKind: SecretStoreKind): BridgeProfile {
  return {
    id: p.id,
    name: p.name.trim().slice(0, 80) || p.id,
    groupId: p.groupId,
    ...(p.ccccHome ? { ccccHome: p.ccccHome } : {}),
    appKey: p.appKey,
    ...(p.robotCode ? { robotCode: p.robotCode } : {}),
    secret: p.secretEnv ? { from: 'env', name: p.secretEnv } : { from: secretKind },
    autoStart: p.autoStart,
    ...(p.sandbox ? { sandbox: true as const } : {}),
    settings: p.settings,
    ...(p.createdAt !== undefined ? { createdAt: p.createdAt } : {}),
  };
}
