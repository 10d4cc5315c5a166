/**
 * Session webhooks: the reply address each DingTalk message carries for its chat, written by the
 * inbound side (a message or a refused one arrives) and read by the outbox when it picks a route.
 * In memory only: they are short-lived capabilities, and after a restart the next message brings
 * a fresh one.
 */
import { silentLogger, type Logger } from '../log/logger';

export interface SessionWebhook {
  url: string;
  expiresAt: number;
}

export interface SessionWebhooksOptions {
  /** Whether a URL may be used at all (the bridge's own DingTalk host); default any. */
  accepts?: (url: string) => boolean;
  /** A webhook this close to its expiry is no longer used: the request may arrive after it. */
  marginMs?: number;
  logger?: Logger;
  now?: () => number;
}

export class SessionWebhooks {
  private readonly hooks = new Map<string, SessionWebhook>();
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly marginMs: number;

  constructor(private readonly options: SessionWebhooksOptions = {}) {
    this.log = (options.logger ?? silentLogger).child('webhooks');
    this.now = options.now ?? Date.now;
    this.marginMs = options.marginMs ?? 60_000;
  }

  /** Keeps the chat's newest-lasting webhook; one on another host is ignored (replies then go through the OpenAPI). */
  remember(conversationId: string, webhook: SessionWebhook): void {
    if (this.options.accepts && !this.options.accepts(webhook.url)) {
      this.log.warn("Ignored a reply address that is not on DingTalk's host; replies go through the OpenAPI", { chat: conversationId });
      return;
    }
    const known = this.hooks.get(conversationId);
    if (!known || known.expiresAt <= webhook.expiresAt) this.hooks.set(conversationId, { ...webhook });
  }

  /** DingTalk said the session is gone (300001): never use this webhook again. */
  forget(conversationId: string, url: string): void {
    if (this.hooks.get(conversationId)?.url === url) this.hooks.delete(conversationId);
  }

  /** The chat's webhook URL while it is valid with the safety margin; an expiring one is dropped. */
  usable(conversationId: string): string | undefined {
    const hook = this.hooks.get(conversationId);
    if (!hook) return undefined;
    if (hook.expiresAt - this.marginMs > this.now()) return hook.url;
    this.hooks.delete(conversationId);
    return undefined;
  }
}
