/** An Outbox wired to the fake DingTalk in a temporary directory, with its callbacks recorded. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox, type OutboxOptions } from '../../../../electron/core/bridge/outbox';
import type { ChatAddress, DeliveryVia, OutboxItem } from '../../../../electron/core/bridge/outbox';
import { DingTalkApi } from '../../../../electron/core/dingtalk/openapi-client';
import type { Problem } from '../../../../electron/core/errors';
import { AuditLog } from '../../../../electron/core/log/audit';
import { startFakeDingTalk, type FakeDingTalk, type FakeDingTalkOptions, type SentMessage } from '../../../fakes/dingtalk';

/** Short pauses so retries do not slow the tests; the real defaults are 1–2 s and 1 s·2^n. */
export const FAST_RETRY = { rateLimitedMinMs: 50, rateLimitedMaxMs: 100, backoff: { baseMs: 20, capMs: 200, jitterMs: 20 }, setupWaitMs: 50 };

export interface Harness {
  dt: FakeDingTalk;
  dir: string;
  audit: AuditLog;
  failures: Array<{ item: OutboxItem; problem: Problem }>;
  delivered: Array<{ id: string; via: DeliveryVia }>;
  waiting: Array<{ item: OutboxItem; problem: Problem }>;
  /** A new, opened Outbox on the harness directory. */
  outbox(options?: Partial<OutboxOptions>): Promise<Outbox>;
  close(): Promise<void>;
}

export async function startHarness(fake: FakeDingTalkOptions = {}): Promise<Harness> {
  const dt = await startFakeDingTalk(fake);
  const dir = await mkdtemp(join(tmpdir(), 'outbox-'));
  const audit = new AuditLog({ dir: join(dir, 'audit') });
  const app = dt.apps[0]!;
  const api = new DingTalkApi({ credentials: { appKey: app.appKey, appSecret: app.appSecret }, endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase } });
  const outboxes: Outbox[] = [];
  const h: Harness = {
    dt,
    dir,
    audit,
    failures: [],
    delivered: [],
    waiting: [],
    async outbox(options = {}) {
      const box = new Outbox({
        dir: join(dir, 'outbox'),
        api,
        audit,
        retryPolicy: FAST_RETRY,
        onFailure: (item, problem) => h.failures.push({ item, problem }),
        onDelivered: (item, via) => h.delivered.push({ id: item.id, via }),
        onWaiting: (item, problem) => h.waiting.push({ item, problem }),
        ...options,
      });
      outboxes.push(box);
      await box.open();
      return box;
    },
    async close() {
      await Promise.all(outboxes.map((b) => b.close()));
      await audit.close();
      await dt.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return h;
}

export const groupChat = (n: number | string): ChatAddress => ({ conversationId: `cidGroup${n}`, conversationType: 'group' });
export const singleChat = (staffId: string): ChatAddress => ({ conversationId: `cidSingle${staffId}`, conversationType: 'single', userId: staffId });

let seq = 0;
export function textItem(chat: ChatAddress, content: string, extra: Partial<OutboxItem> = {}): OutboxItem {
  seq += 1;
  return { id: `item-${content}-${seq}`, chat, payload: { kind: 'message', message: { kind: 'text', content } }, createdAt: Date.now(), ...extra };
}

/** Text contents DingTalk received for one chat, in arrival order (group, webhook and single sends). */
export function contentsFor(sent: SentMessage[], chat: ChatAddress): string[] {
  return sent
    .filter((m) => (chat.conversationType === 'single' && m.via === 'oto' ? m.userIds?.includes(chat.userId ?? '') : m.conversationId === chat.conversationId))
    .map((m) => String(m.msgParam['content']));
}
