/**
 * /subscribe from chats that are not authorized yet: anyone who can message the robot can send
 * it, and each new request notifies the admins. Limited per chat and overall, so a flood costs
 * neither a pile of keys nor a pile of notifications (nor a pile of replies: a chat over its
 * limit is told once, then ignored until it may ask again).
 */
import { TokenBucket } from '../../util/token-bucket';
import { BoundedMap } from '../../util/bounded';

export interface SubscribeLimits {
  /** Requests one chat may make at once, then one per `perChatEveryMs`. */
  perChatBurst: number;
  perChatEveryMs: number;
  /** Requests all chats together may make at once, then one per `overallEveryMs`. */
  overallBurst: number;
  overallEveryMs: number;
}

export const DEFAULT_SUBSCRIBE_LIMITS: SubscribeLimits = { perChatBurst: 3, perChatEveryMs: 10 * 60_000, overallBurst: 20, overallEveryMs: 60_000 };

/** Chats remembered at most; the least recently asking ones are forgotten first. */
const MAX_CHATS = 1_000;

export type SubscribeVerdict = { allowed: true } | { allowed: false; retryInMs: number; tell: boolean };

export class SubscribeThrottle {
  private readonly overall: TokenBucket;
  private readonly chats = new BoundedMap<string, { bucket: TokenBucket; told: boolean }>(MAX_CHATS);

  constructor(
    private readonly limits: SubscribeLimits = DEFAULT_SUBSCRIBE_LIMITS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.overall = new TokenBucket(1000 / limits.overallEveryMs, limits.overallBurst, now, 0);
  }

  take(chatId: string): SubscribeVerdict {
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
