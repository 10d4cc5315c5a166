/**
 * Every request the bridge sends DingTalk goes through the call counter (core/dingtalk/http.ts),
 * once, under a stable API name with no id or secret in it: token, sends, webhook, reactions,
 * files both ways, the Stream ticket, the permission probe — failures and the token refresh too.
 * The fake DingTalk logs every request it gets, so the two tallies must match one for one.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { DingTalkApi } from '../../../electron/core/dingtalk/openapi-client';
import { probeStream } from '../../../electron/core/dingtalk/stream-probe';
import { startFakeDingTalk, type FakeDingTalk } from '../../fakes/dingtalk';

let dt: FakeDingTalk;
beforeEach(async () => {
  dt = await startFakeDingTalk({ qpsLimit: 1000 });
});
afterEach(async () => dt.close());

it('counts each request once by a stable name, as many as DingTalk received', async () => {
  const counted: string[] = [];
  const counter = (api: string): void => void counted.push(api);
  const app = dt.apps[0]!;
  const credentials = { appKey: app.appKey, appSecret: app.appSecret, robotCode: app.robotCode };
  const endpoints = { apiBase: dt.apiBase, oapiBase: dt.oapiBase };
  const api = new DingTalkApi({ credentials, endpoints, counter });

  await api.checkCredentials();
  await api.sendToGroup('cidGroup1', { kind: 'text', content: 'a' });
  await api.sendToUsers(['staff1'], { kind: 'text', content: 'b' });
  const msg = dt.injectMessage({ text: 'hi', conversationType: '2' });
  await api.sendViaWebhook(msg.sessionWebhook, { kind: 'text', content: 'c' });
  await api.setReaction(msg.msgId, msg.conversationId, true);
  await api.setReaction(msg.msgId, msg.conversationId, false);
  const { downloadCode } = dt.addFile(Buffer.from('bytes'), { fileName: 'a.txt' });
  const download = await api.downloadFile(downloadCode, { maxBytes: 1_000 });
  for await (const _ of download.body) void _;
  await api.uploadMedia('file', 'report.pdf', Buffer.from('%PDF-1.4'));
  await api.probeSendPermission();
  // A rejected token: refreshed and tried again — three calls, all counted.
  dt.expireToken();
  await api.sendToGroup('cidGroup1', { kind: 'text', content: 'd' });
  expect(await probeStream(credentials, endpoints, 5_000, undefined, counter)).toBeUndefined();

  const received = dt.requests().filter((r) => r.api !== 'ws.connect');
  expect(counted).toHaveLength(received.length);
  expect([...new Set(counted)].sort()).toEqual([
    'emotion.recall',
    'emotion.reply',
    'file download',
    'gateway.connections.open',
    'groupMessages.send',
    'media.upload',
    'messageFiles.download',
    'oToMessages.batchSend',
    'oauth2.accessToken',
    'sessionWebhook',
  ]);
  expect(counted.filter((n) => n === 'groupMessages.send')).toHaveLength(4);
  expect(counted.filter((n) => n === 'oauth2.accessToken')).toHaveLength(2);
  for (const name of counted) for (const secret of [app.appKey, app.appSecret, downloadCode, msg.msgId]) expect(name).not.toContain(secret);
});
