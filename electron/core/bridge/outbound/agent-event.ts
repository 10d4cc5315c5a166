/**
 * The ledger events the bridge forwards to DingTalk, read into typed shapes. Everything else
 * (actor lifecycle, streams, the user's own messages) is not for the chat.
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
});

const notifySchema = z.looseObject({
  message: z.string().default(''),
  title: z.string().nullish(),
  im_visibility: z.string().nullish(),
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
    }
  | { kind: 'notify'; id: string; title?: string; message: string; visibility: 'public' | 'internal' };

const USER_TOKENS = new Set(['user', '@user', '@all']);

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
      userFacing: d.to.length === 0 || d.to.some((t) => USER_TOKENS.has(t)),
      requestsReply: d.message_mode === 'request_reply' && d.to.some((t) => t === 'user' || t === '@user'),
    };
    if (d.reply_to) out.replyTo = d.reply_to;
    return out;
  }
  if (event.kind === 'system.notify') {
    const parsed = notifySchema.safeParse(event.data);
    if (!parsed.success) return undefined;
    const out: AgentEvent = {
      kind: 'notify',
      id: event.id,
      message: parsed.data.message,
      visibility: parsed.data.im_visibility === 'public' ? 'public' : 'internal',
    };
    if (parsed.data.title) out.title = parsed.data.title;
    return out;
  }
  return undefined;
}

export interface ChatFlags {
  verbose: boolean;
}

/** CCCC's rules: non-verbose chats get messages for the user; verbose ones all; notices only when public. */
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
