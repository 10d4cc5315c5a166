/**
 * Which way a message goes: the chat's session webhook while it is valid (with a safety
 * margin) and under its per-chat rate, else the OpenAPI group or single-chat send. Webhooks
 * live in memory only: they are short-lived capabilities, and after a restart the next
 * inbound message brings a fresh one.
 */
import { BridgeError } from '../../errors';
import { webhookCanSend, type OutboundMessage } from '../../dingtalk/outbound-message';
import type { ChatAddress } from './item';

export type OpenApiRoute = { via: 'group'; conversationId: string } | { via: 'single'; userId: string };
export type Route = { via: 'webhook'; url: string } | OpenApiRoute;

export interface RouterOptions {
  /** Custom-robot style limit of the session webhook per chat (DingTalk: 20 per minute). */
  webhookPerChatPerMinute: number;
  /** A webhook this close to its expiry is no longer used: the request may arrive after it. */
  webhookMarginMs?: number;
  now?: () => number;
}

const MINUTE = 60_000;

export class Router {
  private readonly webhooks = new Map<string, { url: string; expiresAt: number }>();
  /** Per chat: times of recent webhook sends, oldest first. */
  private readonly webhookSends = new Map<string, number[]>();
  private readonly now: () => number;
  private readonly marginMs: number;

  constructor(private readonly options: RouterOptions) {
    this.now = options.now ?? Date.now;
    this.marginMs = options.webhookMarginMs ?? 60_000;
  }

  /** Keeps the chat's newest-lasting webhook. */
  remember(conversationId: string, url: string, expiresAt: number): void {
    const known = this.webhooks.get(conversationId);
    if (!known || known.expiresAt <= expiresAt) this.webhooks.set(conversationId, { url, expiresAt });
  }

  /** DingTalk said the session is gone (300001): never use this webhook again. */
  forget(conversationId: string, url: string): void {
    if (this.webhooks.get(conversationId)?.url === url) this.webhooks.delete(conversationId);
  }

  /** DingTalk said the chat's webhook is sending too fast: leave it alone for a minute. */
  throttled(conversationId: string): void {
    const t = this.now();
    this.webhookSends.set(
      conversationId,
      Array.from({ length: this.options.webhookPerChatPerMinute }, () => t),
    );
  }

  /**
   * The webhook if it may carry this message now (the send is counted against the chat's
   * per-minute budget), else the OpenAPI route.
   */
  choose(chat: ChatAddress, message: OutboundMessage): Route {
    const hook = this.webhooks.get(chat.conversationId);
    const t = this.now();
    if (hook && webhookCanSend(message)) {
      if (hook.expiresAt - this.marginMs <= t) this.webhooks.delete(chat.conversationId);
      else if (this.takeWebhookSlot(chat.conversationId, t)) return { via: 'webhook', url: hook.url };
    }
    return openApiRoute(chat);
  }

  private takeWebhookSlot(conversationId: string, t: number): boolean {
    const limit = this.options.webhookPerChatPerMinute;
    if (limit <= 0) return false;
    const sends = (this.webhookSends.get(conversationId) ?? []).filter((at) => at > t - MINUTE);
    if (sends.length >= limit) {
      this.webhookSends.set(conversationId, sends);
      return false;
    }
    sends.push(t);
    this.webhookSends.set(conversationId, sends);
    return true;
  }
}

/** The OpenAPI send for a chat; a single chat without a staff id cannot be reached that way. */
export function openApiRoute(chat: ChatAddress): OpenApiRoute {
  if (chat.conversationType === 'group') return { via: 'group', conversationId: chat.conversationId };
  if (chat.userId) return { via: 'single', userId: chat.userId };
  throw new BridgeError({
    code: 'outbox.no_recipient',
    message: 'Cannot message this single chat: the user has no staff id and its reply session has expired',
    hint: 'External users (without a staff id) can only be answered while their message is fresh; ask them to write again.',
    retryable: false,
  });
}
