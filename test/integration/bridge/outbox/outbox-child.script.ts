/**
 * Run as a child process by restart.test.ts: opens an Outbox on the given directory against the
 * parent's fake DingTalk and enqueues `count` messages for each chat. Mode `run` delivers until
 * the parent kills it; mode `close` closes the outbox once every chat's first item failed and
 * waits in its backoff, and then must exit on its own (no timer or socket left behind).
 * Args: apiBase oapiBase appKey appSecret dir chats count mode
 */
import { Outbox } from '../../../../electron/core/bridge/outbox';
import { DingTalkApi } from '../../../../electron/core/dingtalk/openapi-client';
import { memoryLogger } from '../../../../electron/core/log/logger';
import { waitFor } from '../../../helpers/wait';

const [apiBase, oapiBase, appKey, appSecret, dir, chats, count, mode] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  'run' | 'close',
];
const api = new DingTalkApi({ credentials: { appKey, appSecret }, endpoints: { apiBase, oapiBase } });
const logger = memoryLogger();
const box = new Outbox({ dir, api, qpsPerApi: 200, logger });
await box.open();
const items = Array.from({ length: Number(count) }, (_, i) =>
  Array.from({ length: Number(chats) }, (_, c) => ({
    id: `c${c}-m${i}`,
    chat: { conversationId: `cidKill${c}`, conversationType: 'group' as const },
    payload: { kind: 'message' as const, message: { kind: 'text' as const, content: `c${c}-m${i}` } },
    createdAt: Date.now(),
  })),
).flat();
await box.enqueue(items);
process.stdout.write('enqueued\n');
if (mode === 'close') {
  // The outbox logs a retry just before it starts the backoff timer of that chat.
  const waiting = (): number => new Set(logger.records.filter((r) => r.msg === 'Delivery failed, will retry').map((r) => r.fields?.['chat'])).size;
  await waitFor(() => waiting() === Number(chats), 'every chat waiting in its backoff');
  await box.close();
  process.stdout.write(`closed ${JSON.stringify(process.getActiveResourcesInfo().filter((r) => r === 'Timeout'))}\n`);
} else {
  await box.idle();
}
