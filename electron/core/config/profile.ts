/**
 * A bridge profile, the one shape every host reads and writes (config.json, store.ts): which
 * CCCC group, which DingTalk app, where its AppSecret is kept, and its settings. The CLI, `serve`
 * and the desktop app share the file; only the secrets stay with the host that keeps them
 * (docs/architecture.md §5): an environment variable any host may read, the desktop app's OS
 * keychain, or the plain secrets file of `serve` and the CLI. Older shapes are in legacy.ts.
 */
import { z } from 'zod';
import { bridgeSettingsSchema } from '../bridge/settings';

/** Upper-case names only, like CCCC's check: a secret pasted here by mistake must not pass as a name. */
export const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;

export const envNameSchema = z.string().regex(ENV_NAME, { message: 'must be the NAME of an environment variable (e.g. DINGTALK_APP_SECRET), not its value' });

export const BRIDGE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const bridgeIdSchema = z.string().regex(BRIDGE_ID, { message: 'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit' });

/**
 * Where the AppSecret is kept. `env`: read from the variable named (by whichever host starts the
 * bridge); `keychain`: encrypted in the desktop app's vault (OS keychain through safeStorage),
 * readable by the app only; `file`: in `secrets.json` of the config folder (typed into the page
 * of `serve`), readable by `serve` and the CLI.
 */
export const secretSourceSchema = z.discriminatedUnion('from', [
  z.object({ from: z.literal('env'), name: envNameSchema }),
  z.object({ from: z.literal('keychain') }),
  z.object({ from: z.literal('file') }),
]);

export type SecretSource = z.infer<typeof secretSourceSchema>;

/** The secret stores a host may own (`env` needs none). */
export type SecretStoreKind = Exclude<SecretSource['from'], 'env'>;

const groupIdSchema = z.string().trim().min(1, { message: 'must name a CCCC group (e.g. g_65e81c9938a0)' });

/** The most groups one DingTalk app serves (one Stream connection, one rate per app and API: docs/dingtalk-protocol.md §4). */
export const MAX_GROUPS = 50;

export const bridgeProfileSchema = z
  .object({
    id: bridgeIdSchema,
    name: z.string().trim().min(1).max(80),
    /** The first CCCC group it serves (the only one of a one-group bridge); its files stay where one group's always were. */
    groupId: groupIdSchema,
    /**
     * The other groups the one DingTalk app serves, each chat bound to the group it subscribed to
     * (docs/architecture.md §1). Absent: one group, as before this field existed.
     */
    moreGroupIds: z
      .array(groupIdSchema)
      .max(MAX_GROUPS - 1)
      .optional(),
    /** Every group of this CCCC home, as found when the bridge starts (groupId still names the first). */
    allGroups: z.literal(true).optional(),
    /** CCCC's home for this bridge; absent: CCCC_HOME or ~/.cccc at run time. */
    ccccHome: z.string().min(1).optional(),
    /** The Client ID (AppKey), or the variable that holds it (as `cccc im set dingtalk` names it). */
    appKey: z.string().trim().min(1).max(128).optional(),
    appKeyEnv: envNameSchema.optional(),
    /** Absent (both): the Client ID, right for most internal apps. */
    robotCode: z.string().trim().min(1).max(128).optional(),
    robotCodeEnv: envNameSchema.optional(),
    secret: secretSourceSchema,
    autoStart: z.boolean().default(false),
    /** Made with "Try it in the sandbox first": it talks to the sandbox only, never to DingTalk. */
    sandbox: z.literal(true).optional(),
    // A fresh object each time: the engine updates its settings in place.
    settings: bridgeSettingsSchema.default(() => bridgeSettingsSchema.parse({})),
    createdAt: z.number().optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.appKey === undefined) === (p.appKeyEnv === undefined))
      ctx.addIssue({ code: 'custom', path: ['appKey'], message: 'give the Client ID (appKey) or the variable that holds it (appKeyEnv), one of them' });
    if (p.robotCode !== undefined && p.robotCodeEnv !== undefined)
      ctx.addIssue({ code: 'custom', path: ['robotCode'], message: 'give the RobotCode (robotCode) or the variable that holds it (robotCodeEnv), not both' });
    const named = [p.groupId, ...(p.moreGroupIds ?? [])];
    named.forEach((g, i) => {
      if (named.indexOf(g) !== i) ctx.addIssue({ code: 'custom', path: ['moreGroupIds', i - 1], message: `group "${g}" is named twice` });
    });
  });

export type BridgeProfile = z.infer<typeof bridgeProfileSchema>;

/** A file of bridges names each one once (every version of it). */
export function uniqueIds(config: { bridges: { id: string }[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  config.bridges.forEach((b, i) => {
    if (seen.has(b.id)) ctx.addIssue({ code: 'custom', path: ['bridges', i, 'id'], message: `bridge id "${b.id}" is used twice` });
    seen.add(b.id);
  });
}

export const CONFIG_VERSION = 2;

export const configFileSchema = z
  .object({
    version: z.literal(CONFIG_VERSION),
    bridges: z.array(bridgeProfileSchema).default([]),
    /** Older stores already copied in (legacy.ts), so a bridge deleted since does not come back. */
    imported: z.array(z.string()).default([]),
  })
  .superRefine(uniqueIds);

export type ConfigFile = z.infer<typeof configFileSchema>;

export function emptyConfig(): ConfigFile {
  return { version: CONFIG_VERSION, bridges: [], imported: [] };
}

/** The Client ID the profile names: its value, or the variable's (undefined when that is unset). */
export function appKeyOf(p: Pick<BridgeProfile, 'appKey' | 'appKeyEnv'>, env: NodeJS.ProcessEnv): string | undefined {
  return p.appKey ?? (p.appKeyEnv ? env[p.appKeyEnv]?.trim() || undefined : undefined);
}

/** The RobotCode the profile names, if any (absent: the Client ID is used). */
export function robotCodeOf(p: Pick<BridgeProfile, 'robotCode' | 'robotCodeEnv'>, env: NodeJS.ProcessEnv): string | undefined {
  return p.robotCode ?? (p.robotCodeEnv ? env[p.robotCodeEnv]?.trim() || undefined : undefined);
}

/** The groups a profile names: the first one, then the others; `all`: every group of the CCCC home at start. */
export interface ServedGroups {
  ids: string[];
  all: boolean;
}

export function servedGroups(p: Pick<BridgeProfile, 'groupId' | 'moreGroupIds' | 'allGroups'>): ServedGroups {
  return { ids: [p.groupId, ...(p.moreGroupIds ?? [])], all: p.allGroups === true };
}

/** Whether the profile's app may serve several groups (the robot then names the group in what it says). */
export function servesSeveral(p: Pick<BridgeProfile, 'groupId' | 'moreGroupIds' | 'allGroups'>): boolean {
  const g = servedGroups(p);
  return g.all || g.ids.length > 1;
}
