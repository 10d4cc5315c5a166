/** The outbox: durable, ordered per chat, rate-limited delivery to DingTalk. */
export { appBuckets, type AppBuckets } from './app-buckets';
export { Outbox, OUTBOX_JOURNAL, type OutboxOptions } from './outbox';
export type { ChatAddress } from '../chat-address';
export type { DeliveryVia, OutboxItem, OutboxPayload } from './item';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry';
