/**
 * An agent's question waiting for the people's answer (CCCC's reply request), as DingTalk shows
 * it: marked "needs your reply" with the request's tag, how to answer, and two quick answers as
 * buttons (an ActionCard whose buttons send `<tag> OK` / `<tag> No` into the chat when tapped,
 * docs/dingtalk-protocol.md §4). A question too long for one card comes as the usual chunks
 * (each labelled with the tag) followed by the card.
 */
import type { OutboundMessage } from '../../dingtalk/outbound-message';
import type { ConversationTexts } from '../../i18n/conversation';
import { commandLink } from '../../i18n/replies';
import { chunkMarkdown, DINGTALK_CHUNK_LIMITS } from '../chunk';
import { requestTag, type OpenRequest } from '../reply-requests';
import type { AgentEvent } from './agent-event';
import { formatBody, type FormatContext } from './format';
import { previewTitle, toDingTalkMarkdown } from './markdown';

/** Room kept for the card's header, how-to line and buttons. */
const CARD_BUDGET = 600;

export function formatReplyRequest(event: Extract<AgentEvent, { kind: 'message' }>, ctx: FormatContext, t: ConversationTexts): OutboundMessage[] {
  const who = ctx.title(event.by);
  const tag = requestTag(event.id);
  const head = `**❓ ${t.needsReply(who)}** ${tag}`;
  const foot = `> ${t.howToAnswer(tag)}`;
  const body = toDingTalkMarkdown(event.text);
  const card = (text: string): OutboundMessage => ({
    kind: 'actionCard',
    title: `❓ ${who}: ${previewTitle(event.text) || tag}`.slice(0, 60),
    text,
    buttons: [
      { title: `👍 ${t.quickYes}`, url: commandLink(`${tag} ${t.quickYes}`) },
      { title: `👎 ${t.quickNo}`, url: commandLink(`${tag} ${t.quickNo}`) },
    ],
    horizontal: true,
  });
  const limits = {
    maxLines: DINGTALK_CHUNK_LIMITS.maxLines - 6,
    maxChars: DINGTALK_CHUNK_LIMITS.maxChars - CARD_BUDGET,
    maxBytes: DINGTALK_CHUNK_LIMITS.maxBytes - CARD_BUDGET * 3,
  };
  if (body.trim() !== '' && chunkMarkdown(body, limits).length === 1) return [card(`${head}\n\n${body}\n\n${foot}`)];
  return [...formatBody(`${who} ❓ ${tag}`, event.text), card(`${head}\n\n${foot}`)];
}

/** The questions still open in a chat, as a /context section; '' when there are none. */
export function openRequestsMarkdown(open: readonly OpenRequest[], ctx: FormatContext, t: ConversationTexts): string {
  if (open.length === 0) return '';
  return [`**${t.openRequests}**`, ...open.map((r) => `- ${r.tag} · ${ctx.title(r.by)}: ${previewTitle(r.text, 80) || '…'}`)].join('\n');
}
