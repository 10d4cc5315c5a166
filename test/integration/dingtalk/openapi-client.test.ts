import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessTokenProvider } from '../../../electron/core/dingtalk/access-token';
import { isAllowedWebhook } from '../../../electron/core/dingtalk/endpoints';
import { DingTalkApi } from '../../../electron/core/dingtalk/openapi-client';
import type { BridgeError } from '../../../electron/core/errors';
import { memoryLogger } from '../../../electron/core/log/logger';
import { startFakeDingTalk, type FakeDingTalk } from '../../fakes/dingtalk';
import { rejection } from '../../helpers/problem';

let dt: FakeDingTalk;
let api: DingTalkApi;
let log: ReturnType<typeof memoryLogger>;

function makeApi(overrides: { appSecret?: string; robotCode?: string; tokens?: AccessTokenProvider } = {}): DingTalkApi {
  const app = dt.apps[0]!;
  const credentials = { appKey: app.appKey, appSecret: overrides.appSecret ?? app.appSecret, robotCode: overrides.robotCode ?? app.robotCode };
  return new DingTalkApi({
    credentials,
    endpoints: { apiBase: dt.apiBase, oapiBase: dt.oapiBase },
    logger: log,
    ...(overrides.tokens ? { tokens: overrides.tokens } : {}),
  });
}

beforeEach(async () => {
  dt = await startFakeDingTalk({ qpsLimit: 1000 });
  log = memoryLogger('t', () => [dt.apps[0]!.appSecret]);
  api = makeApi();
});
afterEach(async () => dt.close());

describe('access token', () => {
  it('is fetched once and shared by concurrent callers (single flight)', async () => {
    const tokens = await Promise.all([api.tokens.get(), api.tokens.get(), api.tokens.get()]);
    expect(new Set(tokens).size).toBe(1);
    expect(dt.requests().filter((r) => r.api === 'accessToken')).toHaveLength(1);
  });

  it('is refreshed ahead of expiry', async () => {
    let now = 1_000_000;
    const app = dt.apps[0]!;
    const tokens = new AccessTokenProvider(
      { appKey: app.appKey, appSecret: app.appSecret },
      { apiBase: dt.apiBase, oapiBase: dt.oapiBase },
      { now: () => now },
    );
    const tokenRequests = () => dt.requests().filter((r) => r.api === 'accessToken').length;
    const first = await tokens.get();
    now += (7200 - 6 * 60) * 1000; // 6 minutes before expiry: still cached
    expect(await tokens.get()).toBe(first);
    expect(tokenRequests()).toBe(1);
    now += 2 * 60 * 1000; // 4 minutes before expiry: inside the 5-minute margin
    await tokens.get();
    expect(tokenRequests()).toBe(2);
  });

  it('is refreshed once and the call retried when DingTalk rejects it', async () => {
    await api.sendToGroup('cidGroup1', { kind: 'text', content: 'a' });
    dt.expireToken();
    await api.sendToGroup('cidGroup1', { kind: 'text', content: 'b' });
    expect(dt.sentMessages().map((m) => m.msgParam['content'])).toEqual(['a', 'b']);
    expect(dt.requests().filter((r) => r.api === 'accessToken')).toHaveLength(2);
  });

  it('reports bad credentials with where to copy them, and no secret', async () => {
    const bad = makeApi({ appSecret: 'wrong-secret-value' });
    const err = await rejection(bad.checkCredentials());
    expect(err.code).toBe('dingtalk.invalid_credentials');
    expect(err.hint).toContain('Credentials & Basic Info');
    expect(JSON.stringify(err.toProblem())).not.toContain('wrong-secret-value');
  });
});

describe('sending', () => {
  it('sends to a group with the robot code and a JSON msgParam', async () => {
    await api.sendToGroup('cidGroup1', { kind: 'markdown', title: '回复', text: '**粗体** text' });
    expect(dt.sentMessages()).toEqual([
      expect.objectContaining({
        via: 'group',
        conversationId: 'cidGroup1',
        robotCode: dt.apps[0]!.robotCode,
        msgKey: 'sampleMarkdown',
        msgParam: { title: '回复', text: '**粗体** text' },
      }),
    ]);
  });

  it('sends to single chats and treats undelivered users as failures', async () => {
    await api.sendToUsers(['staff1'], { kind: 'text', content: 'hi' });
    expect(dt.sentMessages()[0]).toMatchObject({ via: 'oto', userIds: ['staff1'], msgKey: 'sampleText' });
    dt.setFault({ otoFlowControlled: ['staff2'] });
    const flow = await rejection(api.sendToUsers(['staff2'], { kind: 'text', content: 'x' }));
    expect(flow).toMatchObject({ code: 'dingtalk.rate_limited', retryable: true });
    dt.setFault({ otoInvalidStaff: ['staff3'] });
    const invalid = await rejection(api.sendToUsers(['staff3'], { kind: 'text', content: 'x' }));
    expect(invalid).toMatchObject({ code: 'dingtalk.invalid_user', retryable: false });
    await expect(api.sendToUsers([], { kind: 'text', content: 'x' })).rejects.toThrow(RangeError);
  });

  it('replies through a valid session webhook with an @-mention, and reports an expired one', async () => {
    const msg = dt.injectMessage({ text: 'hi', conversationType: '2' });
    await api.sendViaWebhook(msg.sessionWebhook, { kind: 'markdown', title: 't', text: 'answer' }, { atUserIds: ['staff1'] });
    expect(dt.sentMessages()[0]).toMatchObject({ via: 'webhook', msgKey: 'markdown', webhookBody: { at: { atUserIds: ['staff1'] } } });
    dt.setFault({ webhookExpired: true });
    const err = await rejection(api.sendViaWebhook(msg.sessionWebhook, { kind: 'text', content: 'late' }));
    expect(err.code).toBe('dingtalk.webhook_expired');
  });

  it('posts to a session webhook only on the host its endpoints are on, never elsewhere', async () => {
    const hits: string[] = [];
    const other = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0}');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      const foreign = `http://127.0.0.1:${(other.address() as AddressInfo).port}/robot/sendBySession?session=x`;
      for (const url of [foreign, 'https://evil.example/robot/sendBySession', `${dt.oapiBase.replace('127.0.0.1', 'user:pw@127.0.0.1')}/robot/sendBySession`]) {
        const err = await rejection(api.sendViaWebhook(url, { kind: 'text', content: 'the agents said something private' }));
        expect(err).toMatchObject({ code: 'dingtalk.webhook_not_allowed', retryable: false });
      }
      expect(hits).toEqual([]);
      expect(dt.sentMessages()).toEqual([]);
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });

  it("DingTalk's own webhook host is allowed with DingTalk's endpoints; the fake's with the fake's", () => {
    const real = { apiBase: 'https://api.dingtalk.com', oapiBase: 'https://oapi.dingtalk.com' };
    expect(isAllowedWebhook('https://oapi.dingtalk.com/robot/sendBySession?session=abc', real)).toBe(true);
    expect(isAllowedWebhook('http://oapi.dingtalk.com/robot/sendBySession?session=abc', real)).toBe(false);
    expect(isAllowedWebhook('https://oapi.dingtalk.com.evil.example/robot/sendBySession', real)).toBe(false);
    expect(isAllowedWebhook('https://oapi.dingtalk.com:8443/robot/sendBySession', real)).toBe(false);
    expect(isAllowedWebhook(dt.injectMessage({ text: 'hi' }).sessionWebhook, { apiBase: dt.apiBase, oapiBase: dt.oapiBase })).toBe(true);
    expect(isAllowedWebhook(dt.injectMessage({ text: 'hi' }).sessionWebhook, real)).toBe(false);
  });

  it.each([
    [{ permissionDenied: { 'groupMessages.send': ['qyapi_robot_sendmsg'] } }, 'dingtalk.no_permission', 'No permission: qyapi_robot_sendmsg'],
    [{ robotNotFound: true }, 'dingtalk.robot_not_found', 'Robot not found / RobotCode mismatch'],
    [{ ipNotInWhitelist: true }, 'dingtalk.ip_not_whitelisted', 'IP not in whitelist'],
  ])('maps fault %j to %s', async (fault, code, message) => {
    await api.tokens.get();
    dt.setFault(fault);
    const err = await rejection(api.sendToGroup('cidGroup1', { kind: 'text', content: 'x' }));
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
  });

  it('reports QPS throttling as retryable', async () => {
    await dt.close();
    dt = await startFakeDingTalk({ qpsLimit: 2 });
    api = makeApi();
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => api.sendToGroup('cid', { kind: 'text', content: String(i) })));
    const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as BridgeError] : []));
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) expect(f).toMatchObject({ code: 'dingtalk.rate_limited', retryable: true });
  });

  it('turns a dropped connection into a retryable network problem', async () => {
    await api.tokens.get();
    dt.setFault({ networkErrorNext: 1 });
    const err = await rejection(api.sendToGroup('cid', { kind: 'text', content: 'x' }));
    expect(err).toMatchObject({ code: 'dingtalk.network', retryable: true });
  });
});

describe('files', () => {
  it('downloads a file a user sent, with the robotCode from the message', async () => {
    const content = Buffer.from('PDF-bytes-'.repeat(1000));
    const msg = dt.injectMessage({ file: { content, fileName: 'report.pdf' }, conversationType: '1' });
    const code = (msg.content as { downloadCode: string }).downloadCode;
    const dl = await api.downloadFile(code, { maxBytes: 1_000_000, robotCode: msg.robotCode });
    const chunks: Buffer[] = [];
    for await (const c of dl.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
  });

  it('stops a download over the size cap', async () => {
    const { downloadCode } = dt.addFile(Buffer.alloc(50_000, 1), { fileName: 'big.zip' });
    const err = await rejection(
      (async () => {
        const dl = await api.downloadFile(downloadCode, { maxBytes: 10_000 });
        for await (const _ of dl.body) void _;
      })(),
    );
    expect(err.code).toBe('dingtalk.file_too_large');
  });

  it('uploads media and enforces type and size rules before sending', async () => {
    const data = Buffer.from('%PDF-1.4 test');
    const { mediaId } = await api.uploadMedia('file', '报告.pdf', data);
    expect(mediaId).toMatch(/^@/);
    expect(dt.uploadedMedia()[0]).toMatchObject({ mediaId, type: 'file', bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    await api.sendToGroup('cid', { kind: 'file', mediaId, fileName: '报告.pdf', fileType: 'pdf' });
    expect(dt.sentMessages()[0]).toMatchObject({ msgKey: 'sampleFile', msgParam: { mediaId, fileName: '报告.pdf', fileType: 'pdf' } });
    const err = await rejection(api.uploadMedia('file', 'notes.txt', data));
    expect(err.code).toBe('dingtalk.unsupported_media');
    const uploads = dt.requests().filter((r) => r.api === 'media.upload');
    expect(uploads).toHaveLength(1);
  });

  it('never logs the token or the secret', async () => {
    await api.uploadMedia('image', 'a.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const token = await api.tokens.get();
    const text = JSON.stringify(log.records);
    expect(text).not.toContain(token);
    expect(text).not.toContain(dt.apps[0]!.appSecret);
  });
});
