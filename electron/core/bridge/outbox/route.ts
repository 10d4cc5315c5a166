/**
 * Chooses the delivery route of one message: the chat's session webhook while it is valid and
 * under its per-chat rate, else the OpenAPI group or single-chat send. The webhooks themselves
 * live in SessionWebhooks (filled by the inbound side); this only spends their per-chat budget.
 */
import { BridgeError } from '../../errors';
import { webhookCanSend, type OutboundMessage } from '../../dingtalk/outbound-message';
import type { ChatAddress } from '../chat-address';
import type { SessionWebhooks } from '../session-webhooks';

export type OpenApiRoute = { via: 'group'; conversationId: string } | { via: 'single'; userId: string };
export type Route = { via: 'webhook'; url: string } | OpenApiRoute;

export interface RouteChooserOptions {
  webhooks: SessionWebhooks;
  /** Custom-robot style limit of the session webhook per chat (DingTalk: 20 per minute). */
  webhookPerChatPerMinute: number;
  now?: () => number;
}

const MINUTE = 60_000;

export class RouteChooser {
  /** Per chat: times of recent webhook sends, oldest first. */
  private readonly webhookSends = new Map<string, number[]>();
  private readonly now: () => number;

  constructor(private readonly options: RouteChooserOptions) {
    this.now = options.now ?? Date.now;
  }

  /** DingTalk said the session is gone (300001): never use this webhook again. */
  forget(conversationId: string, url: string): void {
    this.options.webhooks.forget(conversationId, url);
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
    if (!webhookCanSend(message)) return openApiRoute(chat);
    const url = this.options.webhooks.usable(chat.conversationId);
    if (url && this.takeWebhookSlot(chat.conversationId, this.now())) return { via: 'webhook', url };
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
