/**
 * status.json: what a running bridge process says about itself, rewritten atomically on every
 * change and every few seconds, read by `cccc-dingtalk status` (validated: it is a file anyone
 * could edit). Holds no secrets: states, counts, chat titles, problems.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { apiUsageViewSchema } from '../shared/api';
import type { BridgeInspection } from '../core/control/inspect';
import { atomicWriteFile, overwriteInPlace } from '../core/util/atomic-write';
import { isDiskFull } from '../core/util/local-failure';

const problemSchema = z.object({
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  retryable: z.boolean(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** The bridge's state, and each of its groups'. */
const runStateSchema = z.enum(['stopped', 'starting', 'running', 'degraded', 'error']);

export const statusFileSchema = z.object({
  pid: z.number().int(),
  bridgeId: z.string(),
  groupId: z.string(),
  ccccHome: z.string(),
  startedAt: z.number(),
  updatedAt: z.number(),
  state: runStateSchema,
  dingtalk: z.object({
    status: z.string(),
    since: z.number().optional(),
    attempt: z.number().optional(),
    delayMs: z.number().optional(),
    problem: problemSchema.optional(),
  }),
  cccc: z.object({
    status: z.string(),
    since: z.number().optional(),
    version: z.string().optional(),
    pid: z.number().optional(),
    problem: problemSchema.optional(),
  }),
  outboxDepth: z.number().int(),
  inboxDepth: z.number().int(),
  chats: z.array(
    z.object({
      chatId: z.string(),
      title: z.string(),
      type: z.enum(['single', 'group']).optional(),
      /** A single chat: the person's name. */
      with: z.string().optional(),
      subscribed: z.boolean(),
      verbose: z.boolean(),
      paused: z.boolean(),
      /** The CCCC group the chat is subscribed in, when the bridge serves several. */
      groupId: z.string().optional(),
    }),
  ),
  /** When the bridge serves several CCCC groups: each of them (absent in older files). */
  groups: z
    .array(
      z.object({
        groupId: z.string(),
        title: z.string(),
        state: runStateSchema,
        chats: z.number().int().nonnegative(),
      }),
    )
    .optional(),
  pending: z.array(
    z.object({
      key: z.string(),
      chatId: z.string(),
      chatTitle: z.string().optional(),
      chatType: z.enum(['single', 'group']).optional(),
      senderNick: z.string().optional(),
      createdAt: z.number(),
      expiresAt: z.number(),
    }),
  ),
  /** Subscribed chats that cannot be reached until someone writes in them (absent in older files). */
  unreachableChats: z.number().int().nonnegative().optional(),
  /** This month's DingTalk API calls (absent in older files). */
  apiUsage: apiUsageViewSchema.optional(),
  lastProblem: problemSchema.optional(),
  lastProblemAt: z.number().optional(),
});

export type StatusFile = z.infer<typeof statusFileSchema>;
export type ChatLine = StatusFile['chats'][number];
export type PendingLine = StatusFile['pending'][number];

/**
 * The chats and requests of inspectBridge() as `status` shows them: a chat without a title by its
 * id, its type only when the chat directory knows it (not the dashboard's guess).
 */
export function statusLines(
  seen: Pick<BridgeInspection, 'chats' | 'pending' | 'unreachableChats' | 'apiUsage' | 'groups'>,
): Pick<StatusFile, 'chats' | 'pending' | 'groups'> & Pick<BridgeInspection, 'unreachableChats' | 'apiUsage'> {
  return {
    ...(seen.groups ? { groups: seen.groups } : {}),
    chats: seen.chats.map((c) => ({
      chatId: c.chatId,
      title: c.title ?? c.chatId,
      ...(c.lastMessageAt !== undefined ? { type: c.type } : {}),
      ...(c.withNick ? { with: c.withNick } : {}),
      subscribed: c.subscribed,
      verbose: c.verbose,
      paused: c.paused,
      ...(c.groupId ? { groupId: c.groupId } : {}),
    })),
    pending: seen.pending,
    unreachableChats: seen.unreachableChats,
    apiUsage: seen.apiUsage,
  };
}

/** The status a bridge process last wrote; undefined when absent or unreadable. */
export async function readStatusFile(path: string): Promise<StatusFile | undefined> {
  try {
    const parsed = statusFileSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the status atomically; on a full disk, in place (no room for a temporary copy), so
 * `status` still tells what is going on — above all that the disk is full.
 */
export async function writeStatusFile(path: string, status: StatusFile): Promise<void> {
  const text = `${JSON.stringify(status)}\n`;
  try {
    await atomicWriteFile(path, text);
  } catch (err) {
    if (!isDiskFull(err)) throw err;
    await overwriteInPlace(path, text);
  }
}
