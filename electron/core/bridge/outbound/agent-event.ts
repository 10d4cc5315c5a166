/**
 * The ledger events the bridge forwards to DingTalk, read into typed shapes: messages, notices,
 * and the streams agents type answers into (shown as live cards). Everything else (actor
 * lifecycle, the user's own messages) is not for the chat.
 */
import { z } from 'zod';
import type { LedgerEvent } from '../../cccc/ledger/event';

const attachmentSchema = z.looseObject({
  path: z.string().min(1),
  title: z.string().optional(),
  kind: z.string().optional(),
  mime_type: z.string().optional(),
  bytes: z.number().optional(),
});

const chatMessageSchema = z.looseObject({
  text: z.string().default(''),
  to: z.array(z.string()).default([]),
  attachments: z.array(attachmentSchema).default([]),
  reply_to: z.string().nullish(),
  mention_user_ids: z.array(z.string()).nullish(),
  format: z.string().nullish(),
  message_mode: z.string().nullish(),
  stream_id: z.string().nullish(),
});

/** CCCC's `chat.stream` (docs/cccc-contract.md §4): `text` is the whole answer so far unless `mode` is `delta`. */
const chatStreamSchema = z.looseObject({
  stream_id: z.string().min(1),
  op: z.enum(['start', 'update', 'end']),
  mode: z.string().nullish(),
  text: z.string().default(''),
  format: z.string().nullish(),
  seq: z.number().default(0),
  to: z.array(z.string()).default([]),
  sender_title: z.string().nullish(),
});

const notifySchema = z.looseObject({
  message: z.string().default(''),
  title: z.string().nullish(),
  im_visibility: z.string().nullish(),
  target_actor_id: z.unknown().optional(),
  actor_id: z.unknown().optional(),
  to: z.unknown().optional(),
});

export type Attachment = z.infer<typeof attachmentSchema>;

export type AgentEvent =
  | {
      kind: 'message';
      id: string;
      by: string;
      text: string;
      to: string[];
      attachments: Attachment[];
      replyTo?: string;
      mentionUserIds: string[];
      /** To the user (or everyone), as opposed to agent-to-agent traffic. */
      userFacing: boolean;
      /** The agent waits for the user's answer (CCCC's `message_mode: "request_reply"` to `user`). */
      requestsReply: boolean;
      /** The stream this message completes: chats that saw it end well in a card need no copy. */
      streamId?: string;
    }
  | { kind: 'notify'; id: string; title?: string; message: string; visibility: 'public' | 'internal' }
  | {
      kind: 'stream';
      id: string;
      by: string;
      /** When CCCC wrote it (ms since epoch). */
      at: number;
      streamId: string;
      op: 'start' | 'update' | 'end';
      /** The whole text so far (`delta`: only what is new). */
      text: string;
      delta: boolean;
      to: string[];
      senderTitle?: string;
      userFacing: boolean;
    };

/**
 * A chat message is for the person when its `to` names the user. `@all` is not the user: CCCC's
 * message standard makes it "all collaboration actors" (docs/cccc-contract.md §4), and the daemon refuses a message addressing both the user and any agent
 * selector (`mixed_recipient_kinds`), so a message to `@all` is, by construction, agent traffic.
 * (CCCC's own IM bridges still count `@all` as user-facing, from before that rule.) An empty `to`
 * is never stored by a daemon with that rule (it writes the default, `@foreman` or `@all`); in
 * older ledgers it meant everyone, the user included, and is read so.
 */
const USER_TOKENS = new Set(['user', '@user']);

/**
 * A notice leaves CCCC only as CCCC's own bridge lets it (ports/im/bridge.py `_should_forward`):
 * marked public, aimed at no single actor, and with a `to`, if any, that includes the user or
 * everyone — for notices `@all` is a broadcast to everyone, as CCCC's bridge reads it.
 */
const NOTICE_AUDIENCE = new Set(['user', '@user', '@all']);

const named = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';

const forTheUser = (to: string[]): boolean => to.length === 0 || to.some((t) => USER_TOKENS.has(t.trim()));

function noticeIsPublic(d: z.infer<typeof notifySchema>): boolean {
  if (d.im_visibility?.trim().toLowerCase() !== 'public') return false;
  if (named(d.target_actor_id) || named(d.actor_id)) return false;
  const to = Array.isArray(d.to) ? d.to : [];
  return to.length === 0 || to.some((t) => typeof t === 'string' && NOTICE_AUDIENCE.has(t.trim()));
}

/** Reads a ledger event as something the chat may see; undefined when it is never forwarded. */
export function readAgentEvent(event: LedgerEvent): AgentEvent | undefined {
  if (event.by === 'user') return undefined; // never echo what people wrote
  if (event.kind === 'chat.message') {
    const parsed = chatMessageSchema.safeParse(event.data);
    if (!parsed.success) return undefined;
    const d = parsed.data;
    const out: AgentEvent = {
      kind: 'message',
      id: event.id,
      by: event.by,
      text: d.text,
      to: d.to,
      attachments: d.attachments,
      mentionUserIds: d.mention_user_ids ?? [],
      userFacing: forTheUser(d.to),
      requestsReply: d.message_mode === 'request_reply' && d.to.some((t) => t === 'user' || t === '@user'),
    };
    if (d.reply_to) out.replyTo = d.reply_to;
    if (d.stream_id) out.streamId = d.stream_id;
    return out;
  }
  if (event.kind === 'chat.stream') {
    const parsed = chatStreamSchema.safeParse(event.data);
    if (!parsed.success) return undefined;
    const d = parsed.data;
    const out: AgentEvent = {
      kind: 'stream',
      id: event.id,
      by: event.by,
      at: Date.parse(event.ts) || 0,
      streamId: d.stream_id,
      op: d.op,
      text: d.text,
      delta: d.mode === 'delta',
      to: d.to,
      userFacing: forTheUser(d.to),
    };
    if (d.sender_title) out.senderTitle = d.sender_title;
    return out;
  }
  if (event.kind === 'system.notify') {
    const parsed = notifySchema.safeParse(event.data);
    if (!parsed.success) return undefined;
    const out: AgentEvent = {
      kind: 'notify',
      id: event.id,
      message: parsed.data.message,
      visibility: noticeIsPublic(parsed.data) ? 'public' : 'internal',
    };
    if (parsed.data.title) out.title = parsed.data.title;
    return out;
  }
  return undefined;
}

export interface ChatFlags {
  verbose: boolean;
}

/** CCCC's rules: non-verbose chats get messages (and streams) for the user; verbose ones all; notices only public ones (above). */
export function wantsEvent(event: AgentEvent, chat: ChatFlags): boolean {
  if (event.kind === 'notify') return event.visibility === 'public';
  return chat.verbose || event.userFacing;
}

/** Whether agents spoke to the people (not only among themselves) in these events. */
export function agentsAnsweredPeople(events: readonly LedgerEvent[]): boolean {
  return events.some((e) => {
    const event = readAgentEvent(e);
    return event?.kind === 'message' && event.userFacing;
  });
}
