/**
 * What chats that are not subscribed may cost: anyone who can message the robot can write to
 * it. /subscribe creates a key and notifies the admins; any other message there gets a short
 * answer on how to subscribe. Both are limited per chat and overall, so a flood costs neither a
 * pile of keys, nor of notifications, nor of replies (a chat over its limit is told once, then
 * ignored until it may ask again).
 */
import { TokenBucket } from '../../util/token-bucket';
import { BoundedMap } from '../../util/bounded';

export interface ChatLimits {
  /** Requests one chat may make at once, then one per `perChatEveryMs`. */
  perChatBurst: number;
  perChatEveryMs: number;
  /** Requests all chats together may make at once, then one per `overallEveryMs`. */
  overallBurst: number;
  overallEveryMs: number;
}

export const DEFAULT_SUBSCRIBE_LIMITS: ChatLimits = { perChatBurst: 3, perChatEveryMs: 10 * 60_000, overallBurst: 20, overallEveryMs: 60_000 };

/** How to subscribe, told to a chat that is not subscribed: once per chat every 30 minutes. */
export const DEFAULT_HINT_LIMITS: ChatLimits = { perChatBurst: 1, perChatEveryMs: 30 * 60_000, overallBurst: 20, overallEveryMs: 60_000 };

/** Chats remembered at most; the least recently asking ones are forgotten first. */
const MAX_CHATS = 1_000;

export type ChatVerdict = { allowed: true } | { allowed: false; retryInMs: number; tell: boolean };

export class ChatThrottle {
  private readonly overall: TokenBucket;
  private readonly chats = new BoundedMap<string, { bucket: TokenBucket; told: boolean }>(MAX_CHATS);

  constructor(
    private readonly limits: ChatLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.overall = new TokenBucket(1000 / limits.overallEveryMs, limits.overallBurst, now, 0);
  }

  take(chatId: string): ChatVerdict {
    let chat = this.chats.get(chatId);
    if (chat) this.chats.delete(chatId);
    chat ??= { bucket: new TokenBucket(1000 / this.limits.perChatEveryMs, this.limits.perChatBurst, this.now, 0), told: false };
    this.chats.set(chatId, chat);

    const wait = chat.bucket.tryTake();
    const overallWait = wait === 0 ? this.overall.tryTake() : 0;
    if (wait === 0 && overallWait === 0) {
      chat.told = false;
      return { allowed: true };
    }
    const tell = !chat.told;
    chat.told = true;
    return { allowed: false, retryInMs: Math.max(wait, overallWait), tell };
  }
}
