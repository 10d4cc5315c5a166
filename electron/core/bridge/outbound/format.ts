/**
 * Turns an agent's ledger event into DingTalk messages: who speaks (and to whom, when it is not
 * the user), in the format that suits the content — a link card for a bare URL, Markdown
 * (in DingTalk's subset) when the text has structure, plain text otherwise — split losslessly
 * when long. Attachments follow the text, as their caption comes first.
 */
import type { OutboundMessage } from '../../dingtalk/outbound-message';
import { chunkMarkdown, chunkText, DINGTALK_CHUNK_LIMITS, type ChunkLimits } from '../chunk';
import type { AgentEvent, Attachment } from './agent-event';
import { looksLikeMarkdown, previewTitle, toDingTalkMarkdown } from './markdown';

export interface FormatContext {
  /** Display title of an actor id (falls back to the id). */
  title(actorId: string): string;
  /** Who speaks in a CCCC notice, in the chat's language. */
  systemLabel: string;
}

export interface Formatted {
  messages: OutboundMessage[];
  files: Attachment[];
}

/** Room kept in each chunk for the sender header. */
const HEADER_BUDGET = 200;

const BODY_LIMITS: ChunkLimits = {
  maxChars: DINGTALK_CHUNK_LIMITS.maxChars - HEADER_BUDGET,
  maxLines: DINGTALK_CHUNK_LIMITS.maxLines - 2,
  maxBytes: DINGTALK_CHUNK_LIMITS.maxBytes - HEADER_BUDGET * 3,
};

function recipientLabel(token: string, ctx: FormatContext): string {
  return token.startsWith('@') ? token : `@${ctx.title(token)}`;
}

/** Who speaks, and to whom when it is not the user: `Boss`, `Boss → @Helper` (messages and live cards alike). */
export function speaker(event: Pick<Extract<AgentEvent, { kind: 'message' | 'stream' }>, 'by' | 'userFacing' | 'to'>, ctx: FormatContext): string {
  const from = ctx.title(event.by);
  if (event.userFacing) return from;
  return `${from} → ${event.to.map((t) => recipientLabel(t, ctx)).join(', ')}`;
}

/**
 * The one way every message names its sender — text, Markdown (its body and its preview), link
 * cards, cards, each chunk: `[Boss]`, `[Boss (2/3)]` for the second of three chunks.
 */
export function senderHead(label: string, i = 0, n = 1): string {
  return `[${n > 1 ? `${label} (${i + 1}/${n})` : label}]`;
}

function asText(label: string, text: string): OutboundMessage[] {
  const chunks = chunkText(text, BODY_LIMITS);
  return chunks.map((chunk, i) => {
    const head = senderHead(label, i, chunks.length);
    return { kind: 'text', content: chunk.includes('\n') ? `${head}\n${chunk}` : `${head} ${chunk}` };
  });
}

function asMarkdown(label: string, text: string): OutboundMessage[] {
  const chunks = chunkMarkdown(toDingTalkMarkdown(text), BODY_LIMITS);
  const preview = previewTitle(text);
  return chunks.map((chunk, i) => ({
    kind: 'markdown',
    title: `${senderHead(label)} ${preview}`.slice(0, 60),
    text: `**${senderHead(label, i, chunks.length)}**\n\n${chunk}`,
  }));
}

const BARE_URL = /^\s*(https?:\/\/\S+)\s*$/;

export function formatBody(label: string, text: string): OutboundMessage[] {
  if (text.trim() === '') return [];
  const url = BARE_URL.exec(text)?.[1];
  if (url) return [{ kind: 'link', title: senderHead(label), text: url, messageUrl: url }];
  return looksLikeMarkdown(text) ? asMarkdown(label, text) : asText(label, text);
}

/** A message or a notice as DingTalk messages (streams become live cards instead: bridge/cards). */
export type MessageEvent = Exclude<AgentEvent, { kind: 'stream' }>;

export function formatAgentEvent(event: MessageEvent, ctx: FormatContext): Formatted {
  if (event.kind === 'notify') {
    const body = event.title ? `${event.title}\n${event.message}` : event.message;
    return { messages: formatBody(ctx.systemLabel, body), files: [] };
  }
  return { messages: formatBody(speaker(event, ctx), event.text), files: event.attachments };
}
