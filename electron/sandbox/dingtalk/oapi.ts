/**
 * Legacy OAPI (oapi.dingtalk.com), served under `/oapi`: gettoken, media/upload, and the
 * session webhook (`/oapi/robot/sendBySession?session=…`). Plus the plain GET behind
 * messageFiles/download URLs. Errors are `{"errcode","errmsg"}` with HTTP 200.
 */
import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import { legacy, type LegacyError } from './errors';
import { mediaId } from './ids';
import { isNonEmptyString, legacyReply, okReply, parseJsonObject, type JsonObject, type Reply, type RouteContext } from './http-util';
import type { FakeState } from './state';

export const OAPI_PREFIX = '/oapi';
export const WEBHOOK_PATH = `${OAPI_PREFIX}/robot/sendBySession`;
export const FILES_PREFIX = '/files/';

const MB = 1024 * 1024;
/** docs/dingtalk-protocol.md §5: type → size limit and extensions. */
export const MEDIA_RULES: Record<string, { maxBytes: number; extensions: string[] }> = {
  image: { maxBytes: 20 * MB, extensions: ['jpg', 'gif', 'png', 'bmp'] },
  voice: { maxBytes: 2 * MB, extensions: ['amr', 'mp3', 'wav'] },
  video: { maxBytes: 20 * MB, extensions: ['mp4'] },
  file: { maxBytes: 20 * MB, extensions: ['doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'zip', 'pdf', 'rar'] },
};

export const WEBHOOK_MAX_BYTES = 20_000;

/** Custom-robot msgtype → required fields of body[msgtype]. */
const WEBHOOK_TYPES: Record<string, string[]> = {
  text: ['content'],
  markdown: ['title', 'text'],
  link: ['title', 'text', 'messageUrl'],
  actionCard: ['title', 'text'],
  feedCard: [],
};

type Authed = { ok: true; appKey: string } | { ok: false; reply: Reply };

export class LegacyApi {
  constructor(private readonly state: FakeState) {}

  route(ctx: RouteContext): Reply | Promise<Reply> | undefined {
    const p = ctx.url.pathname;
    const m = ctx.method;
    if (m === 'GET' && p === `${OAPI_PREFIX}/gettoken`) return this.gettoken(ctx);
    if (m === 'POST' && p === `${OAPI_PREFIX}/media/upload`) return this.mediaUpload(ctx);
    if (m === 'POST' && p === WEBHOOK_PATH) return this.webhook(ctx);
    if (m === 'GET' && p.startsWith(FILES_PREFIX)) return this.fileGet(ctx);
    if (p.startsWith(`${OAPI_PREFIX}/`)) return legacyReply('oapi.unknown', legacy.notFound());
    return undefined;
  }

  private gettoken(ctx: RouteContext): Reply {
    const api = 'gettoken';
    const appkey = ctx.url.searchParams.get('appkey');
    const appsecret = ctx.url.searchParams.get('appsecret');
    if (!appkey) return legacyReply(api, legacy.missing('appkey'));
    if (!appsecret) return legacyReply(api, legacy.missing('appsecret'));
    const app = this.state.checkCredentials(appkey, appsecret);
    if (!app) return legacyReply(api, legacy.badCredentials());
    if (!this.state.takeQps(app.appKey, api)) return legacyReply(api, legacy.qps(), app.appKey);
    const gated = this.state.hooks.legacyGate?.(api, 'afterQps');
    if (gated) return legacyReply(api, gated, app.appKey);
    const entry = this.state.issueToken(app.appKey);
    return okReply(api, { errcode: 0, access_token: entry.token, errmsg: 'ok', expires_in: this.state.opts.tokenTtlSeconds }, app.appKey);
  }

  private authed(ctx: RouteContext, api: string): Authed {
    const check = this.state.checkToken(ctx.url.searchParams.get('access_token'));
    if (!check.ok) {
      const err = check.reason === 'expired' ? legacy.expiredToken() : legacy.invalidToken();
      return { ok: false, reply: legacyReply(api, err) };
    }
    const appKey = check.appKey;
    const fail = (e: LegacyError): Authed => ({ ok: false, reply: legacyReply(api, e, appKey) });
    const early = this.state.hooks.legacyGate?.(api, 'beforeQps');
    if (early) return fail(early);
    if (!this.state.takeQps(appKey, api)) return fail(legacy.qps());
    const late = this.state.hooks.legacyGate?.(api, 'afterQps');
    if (late) return fail(late);
    return { ok: true, appKey };
  }

  private async mediaUpload(ctx: RouteContext): Promise<Reply> {
    const api = 'media.upload';
    const a = this.authed(ctx, api);
    if (!a.ok) return a.reply;
    const appKey = a.appKey;
    const bad = (e: LegacyError): Reply => legacyReply(api, e, appKey);
    const type = ctx.url.searchParams.get('type');
    if (!type) return bad(legacy.missing('type'));
    const rule = MEDIA_RULES[type];
    if (!rule) return bad(legacy.badMediaType());
    const contentType = String(ctx.headers['content-type'] ?? '');
    if (!/^multipart\/form-data/i.test(contentType)) return bad(legacy.missing('media'));
    let media: ReturnType<FormData['get']>;
    try {
      // undici's multipart parser (Node's own fetch implementation).
      const form = await new Response(ctx.body, { headers: { 'content-type': contentType } }).formData();
      media = form.get('media');
    } catch {
      return bad(legacy.missing('media'));
    }
    if (media === null || typeof media === 'string') return bad(legacy.missing('media'));
    const fileName = media.name || '';
    const ext = extname(fileName).slice(1).toLowerCase();
    if (!rule.extensions.includes(ext)) return bad(legacy.badFileType(ext, rule.extensions));
    const bytes = Buffer.from(await media.arrayBuffer());
    if (bytes.length === 0) return bad(legacy.emptyFile());
    if (bytes.length > rule.maxBytes) return bad(legacy.badFileSize(bytes.length, rule.maxBytes));
    const id = mediaId();
    this.state.mediaFiles.set(id, { content: bytes, fileName, type });
    this.state.media.push({
      mediaId: id,
      type,
      fileName,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      appKey,
      at: Date.now(),
    });
    return okReply(api, { errcode: 0, errmsg: 'ok', media_id: id, created_at: Date.now(), type }, appKey);
  }

  private webhook(ctx: RouteContext): Reply {
    const api = 'webhook';
    const session = this.state.sessions.get(ctx.url.searchParams.get('session') ?? '');
    if (!session || this.state.hooks.sessionGone?.() === true || session.expiresAt <= Date.now()) {
      return legacyReply(api, legacy.sessionGone(), session?.appKey);
    }
    const appKey = session.appKey;
    const bad = (e: LegacyError): Reply => legacyReply(api, e, appKey);
    if (!/application\/json/i.test(String(ctx.headers['content-type'] ?? ''))) {
      return bad({ errcode: 43004, errmsg: '无效的HTTP HEADER Content-Type' });
    }
    if (ctx.body.length > WEBHOOK_MAX_BYTES) return bad(legacy.webhookTooLarge(ctx.body.length));
    const body = parseJsonObject(ctx.body);
    if (!body) return bad(legacy.missing('json'));
    const msgtype = body['msgtype'];
    if (!isNonEmptyString(msgtype) || !WEBHOOK_TYPES[msgtype]) return bad(legacy.badMsgtype(msgtype));
    const content = body[msgtype];
    if (content === null || typeof content !== 'object' || Array.isArray(content)) return bad(legacy.missing(msgtype));
    const c = content as JsonObject;
    const missing = (WEBHOOK_TYPES[msgtype] ?? []).filter((f) => !isNonEmptyString(c[f]));
    if (missing.length > 0) return bad(legacy.missing(`${msgtype}.${missing.join(',')}`));
    if (msgtype === 'actionCard') {
      const single = isNonEmptyString(c['singleTitle']) && isNonEmptyString(c['singleURL']);
      const btns = Array.isArray(c['btns']) && c['btns'].length > 0;
      if (!single && !btns) return bad(legacy.missing('actionCard.singleTitle/singleURL or btns'));
    }
    if (msgtype === 'feedCard' && !(Array.isArray(c['links']) && c['links'].length > 0)) return bad(legacy.missing('feedCard.links'));
    const at = body['at'];
    if (at !== undefined && (at === null || typeof at !== 'object' || Array.isArray(at))) return bad(legacy.missing('at'));
    if (!this.state.takeWebhookRate(session.conversationId)) return bad(legacy.sendTooFast());
    this.state.recordSent({
      via: 'webhook',
      appKey,
      robotCode: session.robotCode,
      conversationId: session.conversationId,
      msgKey: msgtype,
      msgParam: c,
      webhookBody: body,
      at: Date.now(),
    });
    return okReply(api, { errcode: 0, errmsg: 'ok' }, appKey);
  }

  private fileGet(ctx: RouteContext): Reply {
    const api = 'file.get';
    const token = ctx.url.pathname.slice(FILES_PREFIX.length).split('/')[0] ?? '';
    const file = this.state.fileByUrlToken(token);
    if (!file) return { status: 404, body: 'Not Found', headers: { 'content-type': 'text/plain' }, api, code: 404 };
    return {
      status: 200,
      body: file.content,
      headers: {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      },
      api,
    };
  }
}
