/**
 * The daemon operations the bridge uses: argument types, how long each may take, whether a
 * repeat is harmless, and the part of each answer the bridge relies on. Shapes were checked
 * against a real CCCC daemon (see test/conformance/real-cccc.ts).
 */
import { z } from 'zod';
import { ledgerEventSchema } from '../ledger/event';

/** CCCC keeps platform thread ids as numbers or opaque strings; 0 means "no thread". */
const threadId = z.union([z.number(), z.string()]);
const stringList = z.array(z.string());

/** The event a `send` answers with: the ledger's own schema, lenient where older daemons omit fields. */
const sentEventSchema = ledgerEventSchema.extend({ v: z.number().optional(), group_id: z.string().optional() });

export const actorSchema = z.looseObject({
  id: z.string(),
  title: z
    .string()
    .nullish()
    .transform((t) => t ?? ''),
  role: z.string().optional(),
  enabled: z.boolean().optional(),
  running: z.boolean().optional(),
  runtime: z.string().optional(),
  runner: z.string().optional(),
  idle_seconds: z.number().nullish(),
  effective_working_state: z.string().nullish(),
});
export type Actor = z.infer<typeof actorSchema>;

export const pingResult = z.looseObject({
  version: z.string(),
  pid: z.number().int(),
  implementation: z.string().optional(),
  /** IPC v1 daemons say 1; an absent value means a pre-v1 daemon. */
  ipc_v: z.number().int().optional().default(0),
  capabilities: z.record(z.string(), z.unknown()).optional().default({}),
});

export const groupsResult = z.looseObject({
  groups: z.array(
    z.looseObject({
      group_id: z.string(),
      title: z
        .string()
        .nullish()
        .transform((t) => t ?? ''),
      running: z.boolean().optional(),
      state: z.string().optional(),
      created_at: z.string().nullish(),
      updated_at: z.string().nullish(),
    }),
  ),
});

export const groupShowResult = z.looseObject({
  group: z.looseObject({
    group_id: z.string(),
    title: z
      .string()
      .nullish()
      .transform((t) => t ?? ''),
    state: z.string().optional(),
    running: z.boolean().optional(),
    actors: z.array(actorSchema).optional().default([]),
    im: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const actorListResult = z.looseObject({ actors: z.array(actorSchema) });

const taskSchema = z.looseObject({ id: z.string().optional(), title: z.string().optional(), status: z.string().optional() });
/** `attention` fields are lists in full detail and counts in summary detail. */
const attentionField = z.union([z.number(), z.array(z.record(z.string(), z.unknown()))]).optional();

export const contextGetResult = z.looseObject({
  version: z.string().optional(),
  coordination: z
    .looseObject({
      brief: z
        .looseObject({
          objective: z.string().nullish(),
          current_focus: z.string().nullish(),
          constraints: stringList.nullish(),
        })
        .optional(),
      tasks: z.array(taskSchema).optional(),
    })
    .optional(),
  agent_states: z.array(z.looseObject({ id: z.string() })).optional(),
  attention: z.looseObject({ blocked: attentionField, waiting_user: attentionField, pending_handoffs: attentionField }).optional(),
  tasks_summary: z.record(z.string(), z.unknown()).optional(),
});

export const groupStartResult = z.looseObject({ group_id: z.string(), started: stringList });
export const groupStopResult = z.looseObject({ group_id: z.string(), stopped: stringList });

export const sendResult = z.looseObject({
  event: sentEventSchema,
  message_mode: z.string().optional(),
  /** True when the daemon found an earlier message with the same (by, client_id). */
  replayed: z.boolean().optional().default(false),
});

export const imBindChatResult = z.looseObject({ chat_id: z.string(), thread_id: threadId, platform: z.string() });

export const imListPendingResult = z.looseObject({
  pending: z.array(
    z.looseObject({
      key: z.string(),
      chat_id: z.string(),
      thread_id: threadId,
      platform: z.string(),
      created_at: z.number(),
      expires_at: z.number().optional(),
      expires_in_seconds: z.number().optional(),
    }),
  ),
});

export const imRejectPendingResult = z.looseObject({ rejected: z.boolean() });

export const imListAuthorizedResult = z.looseObject({
  authorized: z.array(
    z.looseObject({
      chat_id: z.string(),
      thread_id: threadId,
      platform: z.string().optional(),
      authorized_at: z.number().optional(),
      key_used: z.string().optional(),
      authorization_source: z.string().optional(),
    }),
  ),
});

export const imRevokeChatResult = z.looseObject({ revoked: z.boolean(), unsubscribed: z.boolean().optional() });

/** Per-operation limits: reads are cheap; starting a group spawns agent processes. */
export const OPS = {
  ping: { schema: pingResult, timeoutMs: 3_000, idempotent: true },
  groups: { schema: groupsResult, timeoutMs: 5_000, idempotent: true },
  group_show: { schema: groupShowResult, timeoutMs: 5_000, idempotent: true },
  actor_list: { schema: actorListResult, timeoutMs: 5_000, idempotent: true },
  context_get: { schema: contextGetResult, timeoutMs: 10_000, idempotent: true },
  group_start: { schema: groupStartResult, timeoutMs: 60_000, idempotent: false },
  group_stop: { schema: groupStopResult, timeoutMs: 60_000, idempotent: false },
  send: { schema: sendResult, timeoutMs: 15_000, idempotent: false },
  im_bind_chat: { schema: imBindChatResult, timeoutMs: 10_000, idempotent: false },
  im_list_pending: { schema: imListPendingResult, timeoutMs: 5_000, idempotent: true },
  im_reject_pending: { schema: imRejectPendingResult, timeoutMs: 10_000, idempotent: false },
  im_list_authorized: { schema: imListAuthorizedResult, timeoutMs: 5_000, idempotent: true },
  im_revoke_chat: { schema: imRevokeChatResult, timeoutMs: 10_000, idempotent: false },
} as const;

export type OpName = keyof typeof OPS;
export type OpResult<O extends OpName> = z.infer<(typeof OPS)[O]['schema']>;

export type PingResult = OpResult<'ping'>;
export type GroupsResult = OpResult<'groups'>;
export type GroupShowResult = OpResult<'group_show'>;
export type ActorListResult = OpResult<'actor_list'>;
export type ContextGetResult = OpResult<'context_get'>;
export type GroupStartResult = OpResult<'group_start'>;
export type GroupStopResult = OpResult<'group_stop'>;
export type SendResult = OpResult<'send'>;
export type ImBindChatResult = OpResult<'im_bind_chat'>;
export type ImListPendingResult = OpResult<'im_list_pending'>;
export type ImRejectPendingResult = OpResult<'im_reject_pending'>;
export type ImListAuthorizedResult = OpResult<'im_list_authorized'>;
export type ImRevokeChatResult = OpResult<'im_revoke_chat'>;

export interface SendAttachment {
  kind: string;
  /** Relative to the group directory: `state/blobs/<sha256>_<name>`. */
  path: string;
  title?: string;
  mime_type?: string;
  bytes?: number;
  sha256?: string;
}

export type MessageMode = 'send' | 'request_reply' | 'mail';

export interface SendArgs {
  group_id: string;
  text: string;
  /** Defaults to `user`: the bridge always speaks for the human. */
  by?: string;
  /** Recipient tokens; empty means the group default (usually the foreman). */
  to?: string[];
  /** Defaults to `send`; CCCC requires it explicitly. */
  message_mode?: MessageMode;
  path?: string;
  attachments?: SendAttachment[];
  reply_to?: string;
  /** Stable per inbound message: makes a repeated send a no-op on the daemon side. */
  client_id?: string;
  source_platform?: string;
  source_user_name?: string;
  source_user_id?: string;
  mention_user_ids?: string[];
}
