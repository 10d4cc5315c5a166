import { TokenBucket } from '../../util/token-bucket';
import type { Gates } from './deliver';

/**
 * One token bucket per DingTalk API an app calls, shared by all its groups: the outbox's
 * (deliver.ts `Gates`; `card` is the create, for button cards and live cards alike), then the
 * card calls made outside the outbox — live cards' `streaming` and card redraws' `update`
 * (docs/dingtalk-protocol.md §4: each endpoint is an API of its own).
 */
export type AppBuckets = Record<keyof Gates | 'streaming' | 'update', TokenBucket>;

/** `now`: the buckets' clock (tests with fake timers pass theirs). */
export function appBuckets(qpsPerApi = 19, now?: () => number): AppBuckets {
  const bucket = (): TokenBucket => new TokenBucket(qpsPerApi, 1, now);
  return { group: bucket(), single: bucket(), media: bucket(), card: bucket(), streaming: bucket(), update: bucket() };
}
