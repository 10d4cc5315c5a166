/**
 * Tests of the fake DingTalk itself, with plain fetch and ws — so the real clients can trust it.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { startFakeDingTalk, type FakeDingTalk, type FakeDingTalkOptions, type RobotMessage } from '../../fakes/dingtalk/index';
import { expectQuietFor, killAfter, waitFor, within } from '../../helpers/wait';

const APP = { appKey: 'dingfakeappkey', appSecret: 'fake-app-secret-0123456789' };
const ROBOT_SUB = [{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' }];

interface Frame {
  specVersion: string;
  type: 'SYSTEM' | 'EVENT' | 'CALLBACK';
  headers: { appId: string; connectionId: string; contentType: string; messageId: string; time: string; topic: string };
  data: string;
}

let fake: FakeDingTalk | undefined;
const sockets: WebSocket[] = [];

async function start(opts: FakeDingTalkOptions = {}): Promise<FakeDingTalk> {
  fake = await startFakeDingTalk(opts);
  return fake;
}

afterEach(async () => {
  vi.useRealTimers();
  for (const ws of sockets.splice(0)) ws.terminate();
  await fake?.close();
  fake = undefined;
});

/**
 * Expiry tests move the fake's clock instead of waiting for it: only `Date` is faked, so sockets
 * and the fake's own timers run as usual while tickets, tokens, sessions and the QPS window read
 * the moved clock.
 */
function fakeClock(): { advance(ms: number): void } {
  vi.useFakeTimers({ toFake: ['Date'] });
  return { advance: (ms) => vi.setSystemTime(Date.now() + ms) };
}

async function openTicket(
  dt: FakeDingTalk,
  body: Record<string, unknown> = { clientId: APP.appKey, clientSecret: APP.appSecret, subscriptions: ROBOT_SUB, ua: 'test/1' },
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${dt.apiBase}/v1.0/gateway/connections/open`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** A minimal Stream client: collects frames, optionally auto-ACKs. */
class Client {
  readonly frames: Frame[] = [];
  constructor(
    readonly ws: WebSocket,
    autoAck: boolean,
  ) {
    ws.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as Frame;
      this.frames.push(f);
      if (!autoAck) return;
      if (f.type === 'CALLBACK') this.ack(f, JSON.stringify({ response: null }));
      else if (f.type === 'SYSTEM' && f.headers.topic === 'ping') this.ack(f, f.data);
    });
  }
  ack(f: Frame, data: string): void {
    this.ws.send(JSON.stringify({ code: 200, headers: { contentType: 'application/json', messageId: f.headers.messageId }, message: 'OK', data }));
  }
  callbacks(): Frame[] {
    return this.frames.filter((f) => f.type === 'CALLBACK');
  }
  async next(pred: (f: Frame) => boolean): Promise<Frame> {
    return waitFor(() => this.frames.find(pred), 'a matching frame');
  }
  closed(): Promise<{ code: number }> {
    return new Promise((resolve) => {
      if (this.ws.readyState === WebSocket.CLOSED) return resolve({ code: -1 });
      this.ws.once('close', (code) => resolve({ code }));
    });
  }
}

function wsConnect(url: string, autoAck = true): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    sockets.push(ws);
    // Listen before 'open': frames can arrive in the same chunk as the handshake answer.
    const client = new Client(ws, autoAck);
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function connect(dt: FakeDingTalk, opts: { autoAck?: boolean; subscriptions?: unknown[] } = {}): Promise<Client> {
  const { json } = await openTicket(dt, { clientId: APP.appKey, clientSecret: APP.appSecret, subscriptions: opts.subscriptions ?? ROBOT_SUB });
  const before = dt.connections().length;
  const client = await wsConnect(`${String(json['endpoint'])}?ticket=${encodeURIComponent(String(json['ticket']))}`, opts.autoAck ?? true);
  await waitFor(() => dt.connections().length > before, 'the fake to see the connection');
  return client;
}

async function token(dt: FakeDingTalk): Promise<string> {
  const res = await fetch(`${dt.apiBase}/v1.0/oauth2/accessToken`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ appKey: APP.appKey, appSecret: APP.appSecret }),
  });
  const json = (await res.json()) as { accessToken: string };
  return json.accessToken;
}

async function api(dt: FakeDingTalk, path: string, tok: string | undefined, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (tok !== undefined) headers['x-acs-dingtalk-access-token'] = tok;
  const res = await fetch(`${dt.apiBase}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('fake DingTalk: Stream gateway', () => {
  it('checks credentials on connections/open and answers the exact authFailed body', async () => {
    const dt = await start();
    const bad = await openTicket(dt, { clientId: APP.appKey, clientSecret: 'wrong', subscriptions: ROBOT_SUB });
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual({ requestid: expect.any(String), code: 'authFailed', message: '鉴权失败' });
    const ok = await openTicket(dt);
    expect(ok.status).toBe(200);
    expect(ok.json['endpoint']).toBe(`${dt.apiBase.replace('http', 'ws')}/connect`);
    expect(typeof ok.json['ticket']).toBe('string');
    const log = dt.openRequests();
    expect(log.map((r) => r.outcome)).toEqual(['authFailed', 'ok']);
    expect(JSON.stringify(log)).not.toContain(APP.appSecret);
    expect(JSON.stringify(dt.requests())).not.toContain(APP.appSecret);
    expect(log[1]).toMatchObject({ clientId: APP.appKey, ua: 'test/1', acceptJson: true, status: 200 });
  });

  it('answers XML without Accept: application/json', async () => {
    const dt = await start();
    const res = await fetch(`${dt.apiBase}/v1.0/gateway/connections/open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: APP.appKey, clientSecret: APP.appSecret, subscriptions: ROBOT_SUB }),
    });
    expect(res.headers.get('content-type')).toContain('xml');
    expect(await res.text()).toContain('<ticket>');
  });

  it('applies openAuthFail and openSystemError faults', async () => {
    const dt = await start();
    dt.setFault({ openSystemError: 2 });
    expect((await openTicket(dt)).json['code']).toBe('systemError');
    expect((await openTicket(dt)).status).toBe(400);
    expect((await openTicket(dt)).status).toBe(200);
    dt.setFault({ openAuthFail: true });
    expect((await openTicket(dt)).status).toBe(401);
  });

  it('tickets are single-use', async () => {
    const dt = await start();
    const { json } = await openTicket(dt);
    const url = `${String(json['endpoint'])}?ticket=${encodeURIComponent(String(json['ticket']))}`;
    const c = await wsConnect(url);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    await expect(wsConnect(url)).rejects.toThrow('HTTP 401');
    await expect(wsConnect(`${String(json['endpoint'])}?ticket=nope`)).rejects.toThrow('HTTP 401');
  });

  it('tickets expire after ticketTtlMs', async () => {
    const clock = fakeClock();
    const dt = await start({ ticketTtlMs: 50 });
    const { json } = await openTicket(dt);
    clock.advance(80);
    await expect(wsConnect(`${String(json['endpoint'])}?ticket=${String(json['ticket'])}`)).rejects.toThrow('HTTP 401');
  });

  it('refuses upgrades with wsRefuse and bad tickets with invalidTicketOnConnect', async () => {
    const dt = await start();
    dt.setFault({ wsRefuse: true });
    let { json } = await openTicket(dt);
    await expect(wsConnect(`${String(json['endpoint'])}?ticket=${String(json['ticket'])}`)).rejects.toThrow('HTTP 502');
    dt.setFault({ wsRefuse: false, invalidTicketOnConnect: true });
    ({ json } = await openTicket(dt));
    await expect(wsConnect(`${String(json['endpoint'])}?ticket=${String(json['ticket'])}`)).rejects.toThrow('HTTP 401');
  });

  it('pushes robot messages in the exact envelope, with CONNECTED/REGISTERED first', async () => {
    const dt = await start();
    const c = await connect(dt);
    const msg = dt.injectMessage({ text: 'hello' });
    const f = await c.next((x) => x.type === 'CALLBACK');
    expect(c.frames.slice(0, 2).map((x) => `${x.type}:${x.headers.topic}`)).toEqual(['SYSTEM:CONNECTED', 'SYSTEM:REGISTERED']);
    expect(f).toMatchObject({
      specVersion: '1.0',
      type: 'CALLBACK',
      headers: { contentType: 'application/json', topic: '/v1.0/im/bot/messages/get', connectionId: dt.connections()[0]?.id },
    });
    expect(typeof f.data).toBe('string');
    const data = JSON.parse(f.data) as RobotMessage;
    expect(data).toEqual(msg);
    expect(data.conversationId.startsWith('cid')).toBe(true);
    expect(data.text).toEqual({ content: ' hello' });
    expect(data.robotCode).toBe(APP.appKey);
    expect(data.sessionWebhookExpiredTime - data.createAt).toBe(90 * 60_000);
    await waitFor(() => dt.acked().length === 1, 'the ACK');
    expect(dt.acked()[0]).toMatchObject({ messageId: f.headers.messageId, msgId: msg.msgId, data: '{"response":null}', code: 200 });
  });

  it('queues messages until a connection subscribed to the topic opens', async () => {
    const dt = await start();
    const msg = dt.injectMessage({ text: 'early', conversationType: '1' });
    expect(dt.queuedCount()).toBe(1);
    const wrong = await connect(dt, { subscriptions: [{ type: 'EVENT', topic: '*' }] });
    await expectQuietFor(30, 'no callback on the EVENT-only connection', () => wrong.callbacks().length === 0);
    expect(wrong.callbacks()).toHaveLength(0);
    const c = await connect(dt);
    const f = await c.next((x) => x.type === 'CALLBACK');
    expect((JSON.parse(f.data) as RobotMessage).msgId).toBe(msg.msgId);
    expect((JSON.parse(f.data) as RobotMessage).text).toEqual({ content: 'early' });
  });

  it('redelivers un-ACKed callbacks with the same msgId and a new messageId, up to maxRedeliveries', async () => {
    const dt = await start({ redeliveryDelayMs: 40, maxRedeliveries: 2 });
    const c = await connect(dt, { autoAck: false });
    const msg = dt.injectMessage({ text: 'x' });
    await waitFor(() => c.callbacks().length === 3, 'the first push and two redeliveries');
    await expectQuietFor(120, 'no redelivery past maxRedeliveries', () => c.callbacks().length === 3);
    const cbs = c.callbacks();
    expect(cbs).toHaveLength(3);
    const ids = cbs.map((f) => (JSON.parse(f.data) as RobotMessage).msgId);
    expect(new Set(ids)).toEqual(new Set([msg.msgId]));
    expect(new Set(cbs.map((f) => f.headers.messageId)).size).toBe(3);
    expect(dt.deliveries().map((d) => d.attempt)).toEqual([1, 2, 3]);
  });

  it('an ACK stops redelivery; dropAcks forces it', async () => {
    const dt = await start({ redeliveryDelayMs: 40 });
    const c = await connect(dt);
    dt.injectMessage({ text: 'once' });
    await waitFor(() => dt.acked().length === 1, 'the ACK');
    await expectQuietFor(150, 'no redelivery of the ACKed callback', () => c.callbacks().length === 1);
    expect(c.callbacks()).toHaveLength(1);
    dt.setFault({ dropAcks: true });
    dt.injectMessage({ text: 'twice' });
    await waitFor(() => c.callbacks().length >= 3, 'redeliveries despite the ACK');
    expect(dt.acked().some((a) => a.ignored)).toBe(true);
  });

  it('spreads pushes over several connections of the same app', async () => {
    const dt = await start();
    const a = await connect(dt);
    const b = await connect(dt);
    await waitFor(() => dt.connections().length === 2, 'two connections');
    for (let i = 0; i < 40; i++) dt.injectMessage({ text: `m${i}` });
    await waitFor(() => a.callbacks().length + b.callbacks().length === 40, 'all 40 pushes');
    expect(a.callbacks().length).toBeGreaterThan(0);
    expect(b.callbacks().length).toBeGreaterThan(0);
    const target = dt.connections()[1]!.id;
    dt.injectMessage({ text: 'pinned' }, { connectionId: target });
    await waitFor(() => dt.deliveries().length === 41, 'the pinned push');
    expect(dt.deliveries()[40]!.connectionId).toBe(target);
  });

  it('SYSTEM pings carry an opaque and expect the data echoed', async () => {
    const dt = await start({ pingIntervalMs: 30 });
    const c = await connect(dt);
    const ping = await c.next((f) => f.type === 'SYSTEM' && f.headers.topic === 'ping');
    expect(JSON.parse(ping.data)).toEqual({ opaque: expect.any(String) });
    await waitFor(() => dt.connections()[0]?.lastPingAckAt, 'a ping ACK');
    expect(dt.protocolErrors()).toEqual([]);
    c.ack(ping, '{"wrong":1}');
    await waitFor(() => dt.protocolErrors().length > 0, 'a protocol error');
    expect(dt.protocolErrors()[0]!.problem).toContain('echo');
  });

  it('SYSTEM disconnect: stops delivering to the socket, then closes it after the delay', async () => {
    const dt = await start({ disconnectCloseDelayMs: 100 });
    const old = await connect(dt);
    const oldId = dt.connections()[0]!.id;
    dt.disconnect(oldId);
    const f = await old.next((x) => x.type === 'SYSTEM' && x.headers.topic === 'disconnect');
    expect(JSON.parse(f.data)).toEqual({ reason: 'connection is expired' });
    expect(dt.connections()[0]!.draining).toBe(true);
    const fresh = await connect(dt);
    dt.injectMessage({ text: 'after' });
    await fresh.next((x) => x.type === 'CALLBACK');
    expect(old.callbacks()).toHaveLength(0);
    const t0 = Date.now();
    await old.closed();
    expect(Date.now() - t0).toBeLessThan(1500);
    await waitFor(() => dt.connections().length === 1, 'the old connection gone');
  });

  it('killConnection destroys the socket; the message is redelivered on the next connection', async () => {
    const dt = await start({ redeliveryDelayMs: 50 });
    const c = await connect(dt, { autoAck: false });
    dt.injectMessage({ text: 'lost' });
    await c.next((x) => x.type === 'CALLBACK');
    dt.killConnection();
    await c.closed();
    await waitFor(() => dt.connections().length === 0, 'the killed connection gone');
    const c2 = await connect(dt);
    await c2.next((x) => x.type === 'CALLBACK');
    expect(dt.deliveries().map((d) => d.attempt)).toEqual([1, 2]);
  });

  it('silent: answers WS pings but delivers nothing; noPong: no pongs', async () => {
    const dt = await start({ pingIntervalMs: 20 });
    const c = await connect(dt);
    dt.setFault({ silent: true });
    const before = c.frames.length;
    dt.injectMessage({ text: 'void' });
    const pong = within(new Promise<boolean>((resolve) => c.ws.once('pong', () => resolve(true))), 5_000, 'a pong while silent');
    c.ws.ping();
    expect(await pong).toBe(true);
    expect(c.frames.length).toBe(before);
    dt.setFault({ silent: false, noPong: true });
    let ponged = false;
    const onPong = (): void => void (ponged = true);
    c.ws.once('pong', onPong);
    c.ws.ping();
    await expectQuietFor(200, 'no pong with noPong', () => !ponged);
    c.ws.off('pong', onPong);
    expect(ponged).toBe(false);
    expect(c.callbacks()).toHaveLength(0);
    dt.clearFaults();
    await c.next((x) => x.type === 'CALLBACK');
  });

  it('delivers EVENT frames only to connections subscribed to them', async () => {
    const dt = await start();
    const robotOnly = await connect(dt);
    dt.injectEvent('chat_update_title', { title: 'x' });
    await expectQuietFor(30, 'no EVENT on the robot-only connection', () => !robotOnly.frames.some((f) => f.type === 'EVENT'));
    expect(robotOnly.frames.some((f) => f.type === 'EVENT')).toBe(false);
    const ev = await connect(dt, { subscriptions: [{ type: 'EVENT', topic: '*' }] });
    const f = await ev.next((x) => x.type === 'EVENT');
    expect(f.headers.topic).toBe('chat_update_title');
    expect(JSON.parse(f.data)).toEqual({ title: 'x' });
  });
});

describe('fake DingTalk: OpenAPI', () => {
  const group = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    robotCode: APP.appKey,
    openConversationId: 'cidABC==',
    msgKey: 'sampleMarkdown',
    msgParam: JSON.stringify({ title: 't', text: '**hi**' }),
    ...extra,
  });

  it('issues tokens (bad credentials → invalidClientIdOrSecret) and records group sends', async () => {
    const dt = await start();
    const bad = await api(dt, '/v1.0/oauth2/accessToken', undefined, { appKey: APP.appKey, appSecret: 'nope' });
    expect(bad).toEqual({ status: 400, json: { requestid: expect.any(String), code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' } });
    const tok = await token(dt);
    const res = await api(dt, '/v1.0/robot/groupMessages/send', tok, group());
    expect(res.status).toBe(200);
    expect(typeof res.json['processQueryKey']).toBe('string');
    expect(dt.sentMessages()).toEqual([
      {
        via: 'group',
        appKey: APP.appKey,
        robotCode: APP.appKey,
        conversationId: 'cidABC==',
        msgKey: 'sampleMarkdown',
        msgParam: { title: 't', text: '**hi**' },
        at: expect.any(Number),
      },
    ]);
    dt.clearSent();
    expect(dt.sentMessages()).toEqual([]);
    expect(dt.requests().map((r) => r.api)).toEqual(['accessToken', 'accessToken', 'groupMessages.send']);
    expect(JSON.stringify(dt.requests())).not.toContain(tok);
  });

  it('legacy gettoken: errcode 40096 on bad credentials', async () => {
    const dt = await start();
    const bad = await (await fetch(`${dt.oapiBase}/gettoken?appkey=${APP.appKey}&appsecret=x`)).json();
    expect(bad).toMatchObject({ errcode: 40096 });
    const ok = (await (await fetch(`${dt.oapiBase}/gettoken?appkey=${APP.appKey}&appsecret=${APP.appSecret}`)).json()) as Record<string, unknown>;
    expect(ok).toMatchObject({ errcode: 0, access_token: expect.any(String), expires_in: 7200 });
    expect(JSON.stringify(dt.requests())).not.toContain(APP.appSecret);
  });

  it('validates group sends: robotCode, msgKey, msgParam JSON string and size', async () => {
    const dt = await start();
    const tok = await token(dt);
    const send = (extra: Record<string, unknown>) => api(dt, '/v1.0/robot/groupMessages/send', tok, group(extra));
    expect((await send({ robotCode: 'other' })).json['code']).toBe('invalidParameter.robotCode.notExsit');
    expect((await send({ robotCode: undefined })).json['code']).toBe('MissingrobotCode');
    expect((await send({ msgKey: 'sampleNope' })).status).toBe(400);
    expect((await send({ msgParam: { title: 't', text: 'x' } })).status).toBe(400);
    expect((await send({ msgKey: 'sampleText', msgParam: JSON.stringify({ title: 'no content' }) })).status).toBe(400);
    const big = await send({ msgKey: 'sampleText', msgParam: JSON.stringify({ content: '字'.repeat(5001) }) });
    expect(big.status).toBe(400);
    expect(String(big.json['message'])).toContain('大小不合法');
    expect((await send({ msgKey: 'sampleText', msgParam: JSON.stringify({ content: '字'.repeat(4990) }) })).status).toBe(200);
    dt.setFault({ robotNotFound: true });
    expect((await send({})).json).toEqual({ requestid: expect.any(String), code: 'invalidParameter.robotCode.notExsit', message: expect.any(String) });
    expect(dt.sentMessages()).toHaveLength(1);
  });

  it('oToMessages/batchSend: ≤ 20 userIds, invalid and flow-controlled lists', async () => {
    const dt = await start();
    const tok = await token(dt);
    const send = (userIds: unknown) =>
      api(dt, '/v1.0/robot/oToMessages/batchSend', tok, { robotCode: APP.appKey, userIds, msgKey: 'sampleText', msgParam: '{"content":"hi"}' });
    expect((await send(Array.from({ length: 21 }, (_, i) => `u${i}`))).status).toBe(400);
    dt.setFault({ otoInvalidStaff: ['gone'], otoFlowControlled: ['busy'] });
    const res = await send(['ok', 'gone', 'busy']);
    expect(res).toEqual({ status: 200, json: { processQueryKey: expect.any(String), invalidStaffIdList: ['gone'], flowControlledStaffIdList: ['busy'] } });
    expect(dt.sentMessages()).toEqual([
      { via: 'oto', appKey: APP.appKey, robotCode: APP.appKey, userIds: ['ok'], msgKey: 'sampleText', msgParam: { content: 'hi' }, at: expect.any(Number) },
    ]);
  });

  it('missing or expired token → 400 InvalidAuthentication; a refreshed token works', async () => {
    const clock = fakeClock();
    const dt = await start({ tokenTtlSeconds: 0.1 });
    const invalid = { status: 400, json: { requestid: expect.any(String), code: 'InvalidAuthentication', message: expect.any(String) } };
    expect(await api(dt, '/v1.0/robot/groupMessages/send', undefined, group())).toEqual(invalid);
    const t1 = await token(dt);
    expect((await api(dt, '/v1.0/robot/groupMessages/send', t1, group())).status).toBe(200);
    clock.advance(150);
    expect(await api(dt, '/v1.0/robot/groupMessages/send', t1, group())).toEqual(invalid);
    const t2 = await token(dt);
    expect(t2).not.toBe(t1);
    expect((await api(dt, '/v1.0/robot/groupMessages/send', t2, group())).status).toBe(200);
  });

  it('expireToken() invalidates current tokens; tokens are reused while valid', async () => {
    const dt = await start();
    const t1 = await token(dt);
    expect(await token(dt)).toBe(t1);
    dt.expireToken();
    expect((await api(dt, '/v1.0/robot/groupMessages/send', t1, group())).json['code']).toBe('InvalidAuthentication');
    const t2 = await token(dt);
    expect(t2).not.toBe(t1);
    expect((await api(dt, '/v1.0/robot/groupMessages/send', t2, group())).status).toBe(200);
  });

  it('QPS limit per app per API → 403 QpsLimitForAppkeyAndApi', async () => {
    const clock = fakeClock();
    const dt = await start({ qpsLimit: 3 });
    const tok = await token(dt);
    const results = await Promise.all(Array.from({ length: 5 }, () => api(dt, '/v1.0/robot/groupMessages/send', tok, group())));
    const limited = results.filter((r) => r.status === 403);
    expect(limited).toHaveLength(2);
    expect(limited[0]!.json).toEqual({ requestid: expect.any(String), code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: expect.any(String) });
    // another API has its own budget
    expect(
      (await api(dt, '/v1.0/robot/oToMessages/batchSend', tok, { robotCode: APP.appKey, userIds: ['u'], msgKey: 'sampleText', msgParam: '{"content":"x"}' }))
        .status,
    ).toBe(200);
    clock.advance(1050);
    expect((await api(dt, '/v1.0/robot/groupMessages/send', tok, group())).status).toBe(200);
  });

  it('permission fault → 403 AccessTokenPermissionDenied with requiredScopes', async () => {
    const dt = await start();
    const tok = await token(dt);
    dt.setFault({ permissionDenied: { 'groupMessages.send': ['qyapi_robot_sendmsg'] } });
    const res = await api(dt, '/v1.0/robot/groupMessages/send', tok, group());
    expect(res).toEqual({
      status: 403,
      json: {
        requestid: expect.any(String),
        code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
        message: expect.any(String),
        accessdenieddetail: { requiredScopes: ['qyapi_robot_sendmsg'] },
      },
    });
    dt.setFault({ permissionDenied: { accessToken: ['x'] } });
    expect((await api(dt, '/v1.0/oauth2/accessToken', undefined, { appKey: APP.appKey, appSecret: APP.appSecret })).status).toBe(403);
    dt.clearFaults();
    dt.setFault({ ipNotInWhitelist: true });
    expect((await api(dt, '/v1.0/robot/groupMessages/send', tok, group())).json['code']).toBe('Forbidden.AccessDenied.IpNotInWhiteList');
  });

  it('session webhook: records custom-robot bodies; expired → errcode 300001', async () => {
    const clock = fakeClock();
    const dt = await start({ webhookTtlMs: 200 });
    const msg = dt.injectMessage({ text: 'hi', senderStaffId: 'staff9' });
    const post = (body: unknown, contentType = 'application/json') =>
      fetch(msg.sessionWebhook, { method: 'POST', headers: { 'content-type': contentType }, body: JSON.stringify(body) }).then(
        async (r) => (await r.json()) as Record<string, unknown>,
      );
    const body = { msgtype: 'markdown', markdown: { title: 'T', text: 'reply' }, at: { atUserIds: ['staff9'] } };
    expect(await post(body)).toMatchObject({ errcode: 0 });
    expect(dt.sentMessages()).toEqual([
      {
        via: 'webhook',
        appKey: APP.appKey,
        robotCode: APP.appKey,
        conversationId: msg.conversationId,
        msgKey: 'markdown',
        msgParam: body.markdown,
        webhookBody: body,
        at: expect.any(Number),
      },
    ]);
    expect((await post(body, 'text/plain')).errcode).not.toBe(0);
    expect((await post({ msgtype: 'markdown', markdown: { title: 'T' } })).errcode).not.toBe(0);
    expect((await post({ msgtype: 'text', text: { content: 'x'.repeat(20_001) } })).errcode).toBe(460101);
    dt.setFault({ webhookExpired: true });
    expect(await post(body)).toEqual({ errcode: 300001, errmsg: 'session 不存在' });
    dt.clearFaults();
    expect((await post(body)).errcode).toBe(0);
    clock.advance(250);
    expect(await post(body)).toEqual({ errcode: 300001, errmsg: 'session 不存在' });
    expect(dt.sentMessages()).toHaveLength(2);
  });

  it('messageFiles/download → downloadUrl on this server → the bytes', async () => {
    const dt = await start();
    const tok = await token(dt);
    const bytes = Buffer.from([0, 1, 2, 250, 251, 252]);
    const { downloadCode } = dt.addFile(bytes, { fileName: 'a b.bin' });
    const res = await api(dt, '/v1.0/robot/messageFiles/download', tok, { downloadCode, robotCode: APP.appKey });
    expect(res.status).toBe(200);
    const url = String(res.json['downloadUrl']);
    expect(url.startsWith(dt.apiBase)).toBe(true);
    expect(Buffer.from(await (await fetch(url)).arrayBuffer())).toEqual(bytes);
    expect((await api(dt, '/v1.0/robot/messageFiles/download', tok, { downloadCode })).json['code']).toBe('MissingrobotCode');
    expect((await api(dt, '/v1.0/robot/messageFiles/download', tok, { downloadCode: 'nope', robotCode: APP.appKey })).status).toBe(400);
    const pic = dt.injectMessage({ picture: { content: 'PNGDATA' }, conversationType: '1' });
    expect(pic.msgtype).toBe('picture');
    const code = String(pic.content?.['downloadCode']);
    const r2 = await api(dt, '/v1.0/robot/messageFiles/download', tok, { downloadCode: code, robotCode: pic.robotCode });
    expect(await (await fetch(String(r2.json['downloadUrl']))).text()).toBe('PNGDATA');
  });

  it('media/upload: multipart field media, type/extension/size rules, errcode errors', async () => {
    const dt = await start();
    const tok = await token(dt);
    const upload = async (type: string, name: string, content: Buffer | string, field = 'media') => {
      const fd = new FormData();
      fd.append(field, new Blob([content]), name);
      const r = await fetch(`${dt.oapiBase}/media/upload?access_token=${tok}&type=${type}`, { method: 'POST', body: fd });
      return (await r.json()) as Record<string, unknown>;
    };
    const ok = await upload('file', 'report.pdf', '%PDF-1.4 hello');
    expect(ok).toMatchObject({ errcode: 0, type: 'file', media_id: expect.stringMatching(/^@lADP/) });
    expect(dt.uploadedMedia()).toEqual([
      {
        mediaId: ok['media_id'],
        type: 'file',
        fileName: 'report.pdf',
        bytes: 14,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        appKey: APP.appKey,
        at: expect.any(Number),
      },
    ]);
    expect((await upload('image', 'x.png', 'png')).errcode).toBe(0);
    expect((await upload('image', 'x.pdf', 'pdf')).errcode).toBe(40005);
    expect((await upload('file', 'x.exe', 'MZ')).errcode).toBe(40005);
    expect((await upload('sticker', 'x.png', 'png')).errcode).toBe(40004);
    expect((await upload('voice', 'x.mp3', Buffer.alloc(2 * 1024 * 1024 + 1))).errcode).toBe(40006);
    expect((await upload('voice', 'x.mp3', Buffer.alloc(1024))).errcode).toBe(0);
    expect((await upload('file', 'x.pdf', 'x', 'file')).errcode).not.toBe(0);
    const noTok = await (await fetch(`${dt.oapiBase}/media/upload?access_token=bad&type=file`, { method: 'POST', body: new FormData() })).json();
    expect(noTok).toMatchObject({ errcode: 40014 });
    expect(dt.uploadedMedia()).toHaveLength(3);
    expect(JSON.stringify(dt.requests())).not.toContain(tok);
  });

  it('emotion reply/recall answer success', async () => {
    const dt = await start();
    const tok = await token(dt);
    const body = { robotCode: APP.appKey, openMsgId: 'msg1', openConversationId: 'cid1', emotionType: 2, emotionName: '🤔', textEmotion: {} };
    expect((await api(dt, '/v1.0/robot/emotion/reply', tok, body)).status).toBe(200);
    expect((await api(dt, '/v1.0/robot/emotion/recall', tok, body)).status).toBe(200);
    expect(dt.emotions().map((e) => e.action)).toEqual(['reply', 'recall']);
  });

  it('HTTP faults: networkErrorNext destroys the socket, httpDelayMs delays', async () => {
    const dt = await start();
    dt.setFault({ networkErrorNext: 1 });
    await expect(token(dt)).rejects.toThrow();
    expect(typeof (await token(dt))).toBe('string');
    expect(dt.requests()[0]).toMatchObject({ api: 'accessToken', status: 0 });
    dt.setFault({ httpDelayMs: 150 });
    const t0 = Date.now();
    await token(dt);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });
});

describe('fake DingTalk: lifecycle', () => {
  it('close() ends sockets, timers and the port; a process using it exits on its own', async () => {
    const dt = await start({ pingIntervalMs: 20, redeliveryDelayMs: 10_000, disconnectCloseDelayMs: 10_000 });
    const c = await connect(dt, { autoAck: false });
    dt.injectMessage({ text: 'pending' });
    await c.next((f) => f.type === 'CALLBACK');
    dt.disconnect();
    const closed = c.closed();
    await dt.close();
    await closed;
    await expect(fetch(`${dt.apiBase}/v1.0/oauth2/accessToken`, { method: 'POST' })).rejects.toThrow();
    fake = undefined;

    const dir = await mkdtemp(join(tmpdir(), 'fake-dt-'));
    try {
      const script = join(dir, 'run.mts');
      const index = resolve('test/fakes/dingtalk/index.ts');
      const wait = resolve('test/helpers/wait.ts');
      await writeFile(
        script,
        `import { WebSocket } from ${JSON.stringify(resolve('node_modules/ws/wrapper.mjs'))};
import { startFakeDingTalk } from ${JSON.stringify(index)};
import { waitFor } from ${JSON.stringify(wait)};
const dt = await startFakeDingTalk({ pingIntervalMs: 20, redeliveryDelayMs: 60_000, disconnectCloseDelayMs: 60_000 });
const json = { 'content-type': 'application/json', accept: 'application/json' };
const r = await fetch(dt.apiBase + '/v1.0/gateway/connections/open', { method: 'POST', headers: json,
  body: JSON.stringify({ clientId: 'dingfakeappkey', clientSecret: 'fake-app-secret-0123456789', subscriptions: [{ type: 'CALLBACK', topic: '/v1.0/im/bot/messages/get' }] }) });
const { endpoint, ticket } = await r.json();
const ws = new WebSocket(endpoint + '?ticket=' + ticket);
const frames = [];
ws.on('message', (d) => frames.push(JSON.parse(String(d))));
await waitFor(() => frames.length > 0, 'the first frame');
dt.injectMessage({ text: 'x' });
await waitFor(() => frames.some((f) => f.type === 'CALLBACK'), 'the push (its redelivery timer pending)');
const { accessToken } = await (await fetch(dt.apiBase + '/v1.0/oauth2/accessToken', { method: 'POST', headers: json,
  body: JSON.stringify({ appKey: 'dingfakeappkey', appSecret: 'fake-app-secret-0123456789' }) })).json();
dt.setFault({ httpDelayMs: 60_000 });
// The fake records a send before it delays the answer: once recorded, the request is being held.
void fetch(dt.apiBase + '/v1.0/robot/groupMessages/send', { method: 'POST', headers: { ...json, 'x-acs-dingtalk-access-token': accessToken },
  body: JSON.stringify({ robotCode: 'dingfakeappkey', openConversationId: 'cidABC==', msgKey: 'sampleText', msgParam: '{"content":"held"}' }) }).catch(() => {});
await waitFor(() => dt.sentMessages().length === 1, 'the fake holding a delayed request');
dt.disconnect();
await dt.close();
console.log('closed');
`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const cancelKill = killAfter(child, 10_000);
      const code = await new Promise<number | null>((res) => child.on('exit', res));
      cancelKill();
      expect(out).toContain('closed');
      expect(code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
