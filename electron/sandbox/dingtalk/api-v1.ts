/**
 * The v1.0 OpenAPI (api.dingtalk.com): Stream gateway connections/open, oauth2 token, robot
 * send, file download, emotion, cards (cards.ts). docs/dingtalk-protocol.md §1, §4, §5, §6, §7, §8.
 */
import { hex } from './ids';
import { v1, type V1Error } from './errors';
import { isNonEmptyString, okReply, parseJsonObject, v1Reply, type JsonObject, type Reply, type RouteContext } from './http-util';
import type { FakeState } from './state';
import type { CardAnswer } from './cards';
import type { CardRecord, OpenOutcome, OpenRequestRecord, SentMessage, Subscription } from './types';

/** msgKey → msgParam fields that must be present (§4). */
export const MSG_KEYS: Record<string, string[]> = {
  sampleText: ['content'],
  sampleMarkdown: ['title', 'text'],
  sampleLink: ['text', 'title', 'messageUrl'],
  sampleActionCard: ['title', 'text', 'singleTitle', 'singleURL'],
  sampleActionCard2: ['title', 'text', 'actionTitle1', 'actionURL1', 'actionTitle2', 'actionURL2'],
  sampleActionCard3: ['title', 'text', 'actionTitle1', 'actionURL1', 'actionTitle2', 'actionURL2', 'actionTitle3', 'actionURL3'],
  sampleActionCard4: ['title', 'text', 'actionTitle1', 'actionURL1', 'actionTitle2', 'actionURL2', 'actionTitle3', 'actionURL3', 'actionTitle4', 'actionURL4'],
  sampleActionCard5: [
    'title',
    'text',
    'actionTitle1',
    'actionURL1',
    'actionTitle2',
    'actionURL2',
    'actionTitle3',
    'actionURL3',
    'actionTitle4',
    'actionURL4',
    'actionTitle5',
    'actionURL5',
  ],
  sampleActionCard6: ['title', 'text', 'buttonTitle1', 'buttonUrl1', 'buttonTitle2', 'buttonUrl2'],
  sampleImageMsg: ['photoURL'],
  sampleFile: ['mediaId', 'fileName', 'fileType'],
};

export const MSG_PARAM_MAX_BYTES = 15_000;
export const OTO_MAX_USERS = 20;
export const STREAM_CALLBACK_TOPICS = ['/v1.0/im/bot/messages/get', '/v1.0/card/instances/callback'];

export interface V1Deps {
  state: FakeState;
  apiBase: () => string;
  wsEndpoint: () => string;
}

type Authed = { ok: true; appKey: string; body: JsonObject } | { ok: false; reply: Reply };

export class V1Api {
  constructor(private readonly deps: V1Deps) {}

  private get state(): FakeState {
    return this.deps.state;
  }

  route(ctx: RouteContext): Reply | undefined {
    const p = ctx.url.pathname;
    const m = ctx.method;
    if (m === 'POST' && p === '/v1.0/gateway/connections/open') return this.connectionsOpen(ctx);
    if (m === 'POST' && p === '/v1.0/oauth2/accessToken') return this.accessToken(ctx);
    if (m === 'POST' && p === '/v1.0/robot/groupMessages/send') return this.groupSend(ctx);
    if (m === 'POST' && p === '/v1.0/robot/oToMessages/batchSend') return this.otoSend(ctx);
    if (m === 'POST' && p === '/v1.0/robot/messageFiles/download') return this.fileDownload(ctx);
    if (m === 'POST' && p === '/v1.0/robot/emotion/reply') return this.emotion(ctx, 'reply');
    if (m === 'POST' && p === '/v1.0/robot/emotion/recall') return this.emotion(ctx, 'recall');
    if (m === 'POST' && p === '/v1.0/card/instances/createAndDeliver') {
      return this.card(ctx, 'card.createAndDeliver', 'createAndDeliver', (appKey, body) => this.state.cards.create(appKey, body));
    }
    if (m === 'PUT' && p === '/v1.0/card/streaming')
      return this.card(ctx, 'card.streaming', 'streaming', (appKey, body) => this.state.cards.stream(appKey, body));
    if (m === 'PUT' && p === '/v1.0/card/instances') return this.card(ctx, 'card.update', 'update', (appKey, body) => this.state.cards.update(appKey, body));
    if (p.startsWith('/v1.0/')) return v1Reply('v1.unknown', v1.notFound());
    return undefined;
  }

  // ---- §1 Stream gateway ----------------------------------------------------------------

  private connectionsOpen(ctx: RouteContext): Reply {
    const api = 'connections.open';
    const acceptJson = /application\/json/i.test(String(ctx.headers['accept'] ?? ''));
    const body = parseJsonObject(ctx.body);
    const record: OpenRequestRecord = { at: Date.now(), acceptJson, status: 0, outcome: 'badRequest' };
    if (body) {
      if (typeof body['clientId'] === 'string') record.clientId = body['clientId'];
      if (body['subscriptions'] !== undefined) record.subscriptions = structuredClone(body['subscriptions']);
      if (typeof body['ua'] === 'string') record.ua = body['ua'];
      if (typeof body['localIp'] === 'string') record.localIp = body['localIp'];
    }
    const finish = (outcome: OpenOutcome, reply: Reply): Reply => {
      record.status = reply.status;
      record.outcome = outcome;
      this.state.openLog.push(record);
      if (record.clientId !== undefined && this.state.app(record.clientId)) reply.appKey = record.clientId;
      return acceptJson ? reply : asXml(reply);
    };
    const refused = this.state.hooks.refuseOpen?.();
    if (refused) return finish(refused.outcome, v1Reply(api, refused.error));
    if (!body) return finish('badRequest', v1Reply(api, v1.badJson()));
    if (!isNonEmptyString(body['clientId'])) return finish('badRequest', v1Reply(api, v1.missing('clientId')));
    if (!isNonEmptyString(body['clientSecret'])) return finish('badRequest', v1Reply(api, v1.missing('clientSecret')));
    const app = this.state.checkCredentials(body['clientId'], body['clientSecret']);
    if (!app) return finish('authFailed', v1Reply(api, v1.authFailed()));
    const subs = parseSubscriptions(body['subscriptions']);
    if (!subs) {
      return finish('badRequest', v1Reply(api, v1.invalidParameter('subscriptions', 'subscriptions 不合法: 需要 [{type, topic}]')));
    }
    const ticket = this.state.newTicket(app.appKey, subs, typeof body['ua'] === 'string' ? body['ua'] : undefined);
    return finish('ok', okReply(api, { endpoint: this.deps.wsEndpoint(), ticket: ticket.ticket }, app.appKey));
  }

  // ---- §4 token ---------------------------------------------------------------------------

  private accessToken(ctx: RouteContext): Reply {
    const api = 'accessToken';
    const body = parseJsonObject(ctx.body);
    if (!body) return v1Reply(api, v1.badJson());
    if (!isNonEmptyString(body['appKey'])) return v1Reply(api, v1.missing('appKey'));
    if (!isNonEmptyString(body['appSecret'])) return v1Reply(api, v1.missing('appSecret'));
    const app = this.state.checkCredentials(body['appKey'], body['appSecret']);
    if (!app) return v1Reply(api, v1.invalidClient());
    if (!this.state.takeQps(app.appKey, api)) return v1Reply(api, v1.qps(), app.appKey);
    const gated = this.state.hooks.v1Gate?.(api, 'afterQps');
    if (gated) return v1Reply(api, gated, app.appKey);
    const entry = this.state.issueToken(app.appKey);
    return okReply(api, { accessToken: entry.token, expireIn: this.state.opts.tokenTtlSeconds }, app.appKey);
  }

  /** Token header, IP whitelist, QPS, permission, JSON body — in that order. */
  private authed(ctx: RouteContext, api: string): Authed {
    const token = ctx.headers['x-acs-dingtalk-access-token'];
    const check = this.state.checkToken(Array.isArray(token) ? token[0] : token);
    if (!check.ok) return { ok: false, reply: v1Reply(api, v1.invalidAuthentication()) };
    const appKey = check.appKey;
    const fail = (e: V1Error): Authed => ({ ok: false, reply: v1Reply(api, e, appKey) });
    const early = this.state.hooks.v1Gate?.(api, 'beforeQps');
    if (early) return fail(early);
    if (!this.state.takeQps(appKey, api)) return fail(v1.qps());
    const late = this.state.hooks.v1Gate?.(api, 'afterQps');
    if (late) return fail(late);
    const body = parseJsonObject(ctx.body);
    if (!body) return fail(v1.badJson());
    return { ok: true, appKey, body };
  }

  /** robotCode present and belonging to the token's app. */
  private checkRobot(appKey: string, body: JsonObject, isSend: boolean): V1Error | undefined {
    if (!isNonEmptyString(body['robotCode'])) return v1.missing('robotCode');
    const gated = isSend ? this.state.hooks.robotGate?.() : undefined;
    if (gated) return gated;
    if (this.state.app(appKey)?.robotCode !== body['robotCode']) return v1.robotNotFound();
    return undefined;
  }

  /** msgKey known, msgParam a JSON-object string within the size limit with the fields msgKey needs. */
  private checkMessage(body: JsonObject): { ok: true; msgKey: string; msgParam: JsonObject } | { ok: false; err: V1Error } {
    const msgKey = body['msgKey'];
    const raw = body['msgParam'];
    if (!isNonEmptyString(msgKey)) return { ok: false, err: v1.missing('msgKey') };
    if (raw === undefined || raw === null || raw === '') return { ok: false, err: v1.missing('msgParam') };
    const required = MSG_KEYS[msgKey];
    if (!required) return { ok: false, err: v1.invalidParameter('msgKey', `msgKey 不合法: ${msgKey}`) };
    if (typeof raw !== 'string') {
      return { ok: false, err: v1.invalidParameter('msgParam', 'msgParam 必须是 JSON 字符串') };
    }
    const bytes = Buffer.byteLength(raw, 'utf8');
    if (bytes > MSG_PARAM_MAX_BYTES) return { ok: false, err: v1.msgParamTooLarge(bytes, MSG_PARAM_MAX_BYTES) };
    const msgParam = parseJsonObject(raw);
    if (!msgParam) return { ok: false, err: v1.invalidParameter('msgParam', 'msgParam 不是合法的 JSON 对象') };
    const missing = required.filter((f) => !isNonEmptyString(msgParam[f]));
    if (missing.length > 0) {
      return { ok: false, err: v1.invalidParameter('msgParam', `msgParam 缺少字段: ${missing.join(', ')} (msgKey ${msgKey})`) };
    }
    return { ok: true, msgKey, msgParam };
  }

  // ---- §4 robot send ----------------------------------------------------------------------

  private groupSend(ctx: RouteContext): Reply {
    const api = 'groupMessages.send';
    const a = this.authed(ctx, api);
    if (!a.ok) return a.reply;
    const { appKey, body } = a;
    const bad = (e: V1Error): Reply => v1Reply(api, e, appKey);
    const robotErr = this.checkRobot(appKey, body, true);
    if (robotErr) return bad(robotErr);
    const cid = body['openConversationId'];
    if (!isNonEmptyString(cid)) return bad(v1.missing('openConversationId'));
    if (!cid.startsWith('cid')) return bad(v1.invalidParameter('openConversationId', `openConversationId 不合法: ${cid}`));
    const msg = this.checkMessage(body);
    if (!msg.ok) return bad(msg.err);
    const rec: SentMessage = {
      via: 'group',
      appKey,
      robotCode: body['robotCode'] as string,
      conversationId: cid,
      msgKey: msg.msgKey,
      msgParam: msg.msgParam,
      at: Date.now(),
    };
    this.state.recordSent(rec);
    return okReply(api, { processQueryKey: processQueryKey() }, appKey);
  }

  private otoSend(ctx: RouteContext): Reply {
    const api = 'oToMessages.batchSend';
    const a = this.authed(ctx, api);
    if (!a.ok) return a.reply;
    const { appKey, body } = a;
    const bad = (e: V1Error): Reply => v1Reply(api, e, appKey);
    const robotErr = this.checkRobot(appKey, body, true);
    if (robotErr) return bad(robotErr);
    const userIds = body['userIds'];
    if (userIds === undefined || userIds === null) return bad(v1.missing('userIds'));
    if (!Array.isArray(userIds) || userIds.length === 0 || !userIds.every(isNonEmptyString)) {
      return bad(v1.invalidParameter('userIds', 'userIds 不合法: 需要非空的字符串数组'));
    }
    if (userIds.length > OTO_MAX_USERS) {
      return bad(v1.invalidParameter('userIds', `userIds 数量不合法: 最多 ${OTO_MAX_USERS} 个, 当前 ${userIds.length} 个`));
    }
    const msg = this.checkMessage(body);
    if (!msg.ok) return bad(msg.err);
    const unreached = this.state.hooks.otoUnreached?.(userIds) ?? { invalid: [], flowControlled: [] };
    const invalidStaffIdList = userIds.filter((u) => unreached.invalid.includes(u));
    const flowControlledStaffIdList = userIds.filter((u) => !invalidStaffIdList.includes(u) && unreached.flowControlled.includes(u));
    const delivered = userIds.filter((u) => !invalidStaffIdList.includes(u) && !flowControlledStaffIdList.includes(u));
    if (delivered.length > 0) {
      this.state.recordSent({
        via: 'oto',
        appKey,
        robotCode: body['robotCode'] as string,
        userIds: delivered,
        msgKey: msg.msgKey,
        msgParam: msg.msgParam,
        at: Date.now(),
      });
    }
    return okReply(api, { processQueryKey: processQueryKey(), invalidStaffIdList, flowControlledStaffIdList }, appKey);
  }

  // ---- §5 files ---------------------------------------------------------------------------

  private fileDownload(ctx: RouteContext): Reply {
    const api = 'messageFiles.download';
    const a = this.authed(ctx, api);
    if (!a.ok) return a.reply;
    const { appKey, body } = a;
    const bad = (e: V1Error): Reply => v1Reply(api, e, appKey);
    if (!isNonEmptyString(body['downloadCode'])) return bad(v1.missing('downloadCode'));
    const robotErr = this.checkRobot(appKey, body, false);
    if (robotErr) return bad(robotErr);
    const file = this.state.files.get(body['downloadCode']);
    if (!file) return bad(v1.invalidParameter('downloadCode', 'downloadCode 不合法或已过期')); // [?]
    const downloadUrl = `${this.deps.apiBase()}/files/${file.urlToken}/${encodeURIComponent(file.fileName)}`;
    return okReply(api, { downloadUrl }, appKey);
  }

  // ---- §8 emotion, §7 cards ------------------------------------------------------------------

  private emotion(ctx: RouteContext, action: 'reply' | 'recall'): Reply {
    const api = `emotion.${action}`;
    const a = this.authed(ctx, api);
    if (!a.ok) return a.reply;
    const { appKey, body } = a;
    const bad = (e: V1Error): Reply => v1Reply(api, e, appKey);
    const robotErr = this.checkRobot(appKey, body, true);
    if (robotErr) return bad(robotErr);
    if (!isNonEmptyString(body['openMsgId'])) return bad(v1.missing('openMsgId'));
    if (!isNonEmptyString(body['openConversationId'])) return bad(v1.missing('openConversationId'));
    this.state.recordEmotion({ action, appKey, body, at: Date.now() });
    return okReply(api, { success: true, result: true }, appKey);
  }

  /** §7: token, QPS and permission first (authed), then the card's own checks (cards.ts). */
  private card(ctx: RouteContext, api: string, action: CardRecord['action'], step: (appKey: string, body: JsonObject) => CardAnswer): Reply {
    const a = this.authed(ctx, api);
    if (!a.ok) return a.reply;
    const answer = step(a.appKey, a.body);
    if (!answer.ok) return v1Reply(api, answer.err, a.appKey);
    this.state.cardLog.push({ action, appKey: a.appKey, body: a.body, at: Date.now() });
    return okReply(api, { success: true, result: answer.result }, a.appKey);
  }
}

function processQueryKey(): string {
  return Buffer.from(hex(24)).toString('base64').slice(0, 44);
}

function parseSubscriptions(v: unknown): Subscription[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const out: Subscription[] = [];
  for (const s of v) {
    if (s === null || typeof s !== 'object') return undefined;
    const { type, topic } = s as Record<string, unknown>;
    if (!isNonEmptyString(type) || !isNonEmptyString(topic)) return undefined;
    if (!['EVENT', 'CALLBACK', 'SYSTEM'].includes(type)) return undefined;
    out.push({ type, topic });
  }
  return out;
}

/** Without `Accept: application/json` the gateway answers XML (§1). */
function asXml(reply: Reply): Reply {
  const body = reply.body as Record<string, unknown>;
  const root = reply.status === 200 ? 'OpenConnectionResponse' : 'Error';
  const inner = Object.entries(body)
    .map(([k, v]) => `<${k}>${escapeXml(typeof v === 'string' ? v : JSON.stringify(v))}</${k}>`)
    .join('');
  return {
    ...reply,
    body: `<?xml version="1.0" encoding="UTF-8"?><${root}>${inner}</${root}>`,
    headers: { 'content-type': 'application/xml;charset=utf-8' },
  };
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}
