/**
 * A robot message as DingTalk sends it (docs/dingtalk-protocol.md §3), validated, and normalized into one
 * typed `InboundMessage` the bridge can route without knowing DingTalk's quirks.
 */
import { z } from 'zod';

const downloadable = z.object({ downloadCode: z.string().min(1), pictureDownloadCode: z.string().optional() }).passthrough();

const richTextNode = z.union([
  z.object({ type: z.literal('picture'), downloadCode: z.string().min(1), pictureDownloadCode: z.string().optional() }).passthrough(),
  z.object({ text: z.string(), type: z.string().optional() }).passthrough(),
]);

// A digit string too long for a double becomes Infinity, which JSON cannot write back: refuse it here.
const looseNumber = z.union([
  z.number(),
  z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number)
    .pipe(z.number()),
]);
const conversationTypeSchema = z
  .union([z.literal('1'), z.literal('2'), z.literal(1), z.literal(2)])
  .transform((v) => (String(v) === '1' ? 'single' : 'group') as 'single' | 'group');

export const robotMessageSchema = z
  .object({
    msgId: z.string().min(1),
    msgtype: z.string().min(1),
    conversationId: z.string().min(1),
    conversationType: conversationTypeSchema,
    conversationTitle: z.string().optional(),
    senderNick: z.string().default(''),
    senderId: z.string().default(''),
    senderStaffId: z.string().optional(),
    senderCorpId: z.string().optional(),
    isAdmin: z.boolean().optional(),
    chatbotUserId: z.string().optional(),
    chatbotCorpId: z.string().optional(),
    robotCode: z.string().optional(),
    createAt: looseNumber.optional(),
    sessionWebhook: z.string().url().optional(),
    sessionWebhookExpiredTime: looseNumber.optional(),
    isInAtList: z.boolean().optional(),
    atUsers: z.array(z.object({ dingtalkId: z.string(), staffId: z.string().optional() }).passthrough()).optional(),
    text: z.object({ content: z.string() }).passthrough().optional(),
    content: z.unknown().optional(),
  })
  .passthrough();

export type RobotMessage = z.input<typeof robotMessageSchema>;

export interface Picture {
  downloadCode: string;
}

export type InboundContent =
  | { type: 'text'; text: string }
  /** Text and pictures in order; `text` joins the text parts as written. */
  | { type: 'richText'; text: string; pictures: Picture[] }
  | { type: 'picture'; downloadCode: string }
  | { type: 'file'; downloadCode: string; fileName: string }
  | { type: 'audio'; downloadCode: string; recognition?: string; durationMs?: number }
  | { type: 'video'; downloadCode: string; durationSec?: number; videoType?: string }
  | { type: 'unsupported'; msgtype: string };

export interface InboundMessage {
  msgId: string;
  conversationId: string;
  conversationType: 'single' | 'group';
  conversationTitle?: string;
  sender: { nick: string; id: string; staffId?: string; corpId?: string; isAdmin: boolean };
  robotCode?: string;
  chatbotUserId?: string;
  createAt: number;
  /** The reply path without a token, valid until `expiresAt` (~90 min). */
  sessionWebhook?: { url: string; expiresAt: number };
  isInAtList: boolean;
  atUsers: { dingtalkId: string; staffId?: string }[];
  content: InboundContent;
  /** The message this one quotes (DingTalk's "reply"), when it does. */
  quote?: Quote;
}

/**
 * A quoted message: `text.isReplyMsg` and `text.repliedMsg` of a text message (undocumented;
 * docs/dingtalk-protocol.md §3). Its `msgId` is DingTalk's id of the quoted message, which the
 * robot never learns for the messages it sends itself, so the bridge matches on the text.
 */
export interface Quote {
  text: string;
  msgId?: string;
}

const repliedTextSchema = z.object({
  isReplyMsg: z.boolean().optional(),
  repliedMsg: z
    .object({
      msgId: z.string().optional(),
      content: z
        .union([
          z.string(),
          z.object({ text: z.string().optional(), richText: z.array(z.object({ text: z.string().optional() }).passthrough()).optional() }).passthrough(),
        ])
        .optional(),
    })
    .passthrough()
    .optional(),
});

function quoteOf(text: unknown): Quote | undefined {
  const parsed = repliedTextSchema.safeParse(text);
  if (!parsed.success || !parsed.data.repliedMsg) return undefined;
  const { msgId, content } = parsed.data.repliedMsg;
  const quoted = typeof content === 'string' ? content : (content?.text ?? (content?.richText ?? []).map((n) => n.text ?? '').join(''));
  return { text: quoted, ...(msgId ? { msgId } : {}) };
}

const fileContent = downloadable.extend({ fileName: z.string().default('file') });
const audioContent = downloadable.extend({ recognition: z.string().optional(), duration: looseNumber.optional() });
const videoContent = downloadable.extend({ duration: looseNumber.optional(), videoType: z.string().optional() });
const richTextContent = z.object({ richText: z.array(richTextNode) }).passthrough();

function normalizeContent(msg: z.output<typeof robotMessageSchema>): InboundContent {
  const unsupported: InboundContent = { type: 'unsupported', msgtype: msg.msgtype };
  switch (msg.msgtype) {
    case 'text':
      return msg.text ? { type: 'text', text: msg.text.content } : unsupported;
    case 'richText': {
      const parsed = richTextContent.safeParse(msg.content);
      if (!parsed.success) return unsupported;
      const pictures: Picture[] = [];
      let text = '';
      for (const node of parsed.data.richText) {
        const { type, downloadCode, text: part } = node as { type?: string; downloadCode?: string; text?: string };
        if (type === 'picture' && downloadCode) pictures.push({ downloadCode });
        else if (typeof part === 'string') text += part;
      }
      return { type: 'richText', text, pictures };
    }
    case 'picture': {
      const parsed = downloadable.safeParse(msg.content);
      return parsed.success ? { type: 'picture', downloadCode: parsed.data.downloadCode } : unsupported;
    }
    case 'file': {
      const parsed = fileContent.safeParse(msg.content);
      return parsed.success ? { type: 'file', downloadCode: parsed.data.downloadCode, fileName: parsed.data.fileName } : unsupported;
    }
    case 'audio': {
      const parsed = audioContent.safeParse(msg.content);
      if (!parsed.success) return unsupported;
      const out: InboundContent = { type: 'audio', downloadCode: parsed.data.downloadCode };
      if (parsed.data.recognition !== undefined) out.recognition = parsed.data.recognition;
      if (parsed.data.duration !== undefined) out.durationMs = parsed.data.duration;
      return out;
    }
    case 'video': {
      const parsed = videoContent.safeParse(msg.content);
      if (!parsed.success) return unsupported;
      const out: InboundContent = { type: 'video', downloadCode: parsed.data.downloadCode };
      if (parsed.data.duration !== undefined) out.durationSec = parsed.data.duration;
      if (parsed.data.videoType !== undefined) out.videoType = parsed.data.videoType;
      return out;
    }
    default:
      return unsupported;
  }
}

/** Validates a robot callback's `data`; returns undefined when it is not a robot message. */
export function normalizeRobotMessage(data: unknown, now: () => number = Date.now): InboundMessage | undefined {
  const parsed = robotMessageSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const m = parsed.data;
  const out: InboundMessage = {
    msgId: m.msgId,
    conversationId: m.conversationId,
    conversationType: m.conversationType,
    sender: { nick: m.senderNick, id: m.senderId, isAdmin: m.isAdmin ?? false },
    createAt: m.createAt ?? now(),
    isInAtList: m.isInAtList ?? false,
    atUsers: (m.atUsers ?? []).map((u) => (u.staffId ? { dingtalkId: u.dingtalkId, staffId: u.staffId } : { dingtalkId: u.dingtalkId })),
    content: normalizeContent(m),
  };
  if (m.conversationTitle !== undefined) out.conversationTitle = m.conversationTitle;
  if (m.senderStaffId) out.sender.staffId = m.senderStaffId;
  if (m.senderCorpId) out.sender.corpId = m.senderCorpId;
  if (m.robotCode) out.robotCode = m.robotCode;
  if (m.chatbotUserId) out.chatbotUserId = m.chatbotUserId;
  if (m.sessionWebhook && m.sessionWebhookExpiredTime) out.sessionWebhook = { url: m.sessionWebhook, expiresAt: m.sessionWebhookExpiredTime };
  const quote = m.msgtype === 'text' ? quoteOf(m.text) : undefined;
  if (quote) out.quote = quote;
  return out;
}

/** Where a message the bridge will not take came from: enough to answer it, nothing more. */
export interface RefusedChat {
  conversationId: string;
  conversationType: 'single' | 'group';
  msgId?: string;
  senderStaffId?: string;
  sessionWebhook?: { url: string; expiresAt: number };
  /** Length of the text, when the message has one. */
  chars?: number;
}

const refusedChatSchema = z.object({
  conversationId: z.string().min(1),
  conversationType: conversationTypeSchema,
  msgId: z.string().min(1).optional().catch(undefined),
  senderStaffId: z.string().min(1).optional().catch(undefined),
  sessionWebhook: z.string().url().optional().catch(undefined),
  sessionWebhookExpiredTime: looseNumber.optional().catch(undefined),
  text: z.object({ content: z.string() }).optional().catch(undefined),
});

/** Reads the chat of a robot message that failed validation or is too large to take; undefined if even that is missing. */
export function refusedChatOf(data: unknown): RefusedChat | undefined {
  const parsed = refusedChatSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const m = parsed.data;
  const chat: RefusedChat = { conversationId: m.conversationId, conversationType: m.conversationType };
  if (m.msgId) chat.msgId = m.msgId;
  if (m.senderStaffId) chat.senderStaffId = m.senderStaffId;
  if (m.sessionWebhook && m.sessionWebhookExpiredTime) chat.sessionWebhook = { url: m.sessionWebhook, expiresAt: m.sessionWebhookExpiredTime };
  if (m.text) chat.chars = charCount(m.text.content);
  return chat;
}

/** The same facts for a message that was read in full. */
export function refusedChatOfMessage(m: InboundMessage): RefusedChat {
  const chat: RefusedChat = { conversationId: m.conversationId, conversationType: m.conversationType, msgId: m.msgId, chars: textLength(m.content) };
  if (m.sender.staffId) chat.senderStaffId = m.sender.staffId;
  if (m.sessionWebhook) chat.sessionWebhook = m.sessionWebhook;
  return chat;
}

/** Characters (code points, as a person counts them) of the text a message carries. */
export function textLength(content: InboundContent): number {
  if (content.type === 'text' || content.type === 'richText') return charCount(content.text);
  if (content.type === 'audio') return charCount(content.recognition ?? '');
  return 0;
}

function charCount(text: string): number {
  // A surrogate pair is one character; counting without splitting keeps a 10 MB text cheap.
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

const contentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('richText'), text: z.string(), pictures: z.array(z.object({ downloadCode: z.string() })) }),
  z.object({ type: z.literal('picture'), downloadCode: z.string() }),
  z.object({ type: z.literal('file'), downloadCode: z.string(), fileName: z.string() }),
  z.object({ type: z.literal('audio'), downloadCode: z.string(), recognition: z.string().optional(), durationMs: z.number().optional() }),
  z.object({ type: z.literal('video'), downloadCode: z.string(), durationSec: z.number().optional(), videoType: z.string().optional() }),
  z.object({ type: z.literal('unsupported'), msgtype: z.string() }),
]);

/** The normalized message, for reading it back from the bridge's own journal. */
export const inboundMessageSchema: z.ZodType<InboundMessage> = z.object({
  msgId: z.string().min(1),
  conversationId: z.string().min(1),
  conversationType: z.enum(['single', 'group']),
  conversationTitle: z.string().optional(),
  sender: z.object({ nick: z.string(), id: z.string(), staffId: z.string().optional(), corpId: z.string().optional(), isAdmin: z.boolean() }),
  robotCode: z.string().optional(),
  chatbotUserId: z.string().optional(),
  createAt: z.number(),
  sessionWebhook: z.object({ url: z.string(), expiresAt: z.number() }).optional(),
  isInAtList: z.boolean(),
  atUsers: z.array(z.object({ dingtalkId: z.string(), staffId: z.string().optional() })),
  content: contentSchema,
  quote: z.object({ text: z.string(), msgId: z.string().optional() }).optional(),
});
