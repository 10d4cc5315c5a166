/**
 * One-scan registration (docs/dingtalk-protocol.md §11) as the fake serves it: `init`, `begin` and
 * `poll` under `/oapi/app/registration/`, and the page the QR code opens, `/registration/verify`,
 * which shows the code as DingTalk's page would and lets a person "scan" it: approving makes a
 * robot app (Stream mode, like every app of the fake), declining makes the poll answer FAIL.
 */
import { randomInt } from 'node:crypto';
import { qrSvg } from '../../core/util/qr';
import { legacy } from './errors';
import { hex } from './ids';
import { isNonEmptyString, legacyReply, okReply, parseJsonObject, type Reply, type RouteContext } from './http-util';
import { OAPI_PREFIX } from './oapi';
import type { FakeState } from './state';
import type { FakeApp, RegistrationPolicy, RegistrationRecord } from './types';

export const REGISTRATION_PREFIX = `${OAPI_PREFIX}/app/registration`;
export const VERIFY_PATH = '/registration/verify';
export const SCAN_PATH = '/registration/scan';

const NONCE_TTL_S = 300;
/** A poll this much sooner than the interval still counts as on time (timers are not exact). */
const EARLY_TOLERANCE_MS = 50;
const USER_CODE_LETTERS = 'BCDFGHJKLMNPQRSTVWXZ';

export type ResolvedRegistrationPolicy = Required<RegistrationPolicy>;

export function resolveRegistrationPolicy(p: RegistrationPolicy = {}): ResolvedRegistrationPolicy {
  return { refuse: p.refuse ?? null, intervalSeconds: p.intervalSeconds ?? 2, codeTtlSeconds: p.codeTtlSeconds ?? 7200 };
}

interface Pending extends RegistrationRecord {
  lastPollAt?: number;
}

function userCode(): string {
  const part = (): string => Array.from({ length: 4 }, () => USER_CODE_LETTERS[randomInt(USER_CODE_LETTERS.length)]).join('');
  return `${part()}-${part()}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class FakeRegistrations {
  private readonly nonces = new Map<string, { source: string; expiresAt: number }>();
  private readonly codes: Pending[] = [];

  constructor(
    private readonly state: FakeState,
    private readonly apiBase: () => string,
  ) {}

  route(ctx: RouteContext): Reply | Promise<Reply> | undefined {
    const p = ctx.url.pathname;
    if (ctx.method === 'POST' && p === `${REGISTRATION_PREFIX}/init`) return this.init(ctx);
    if (ctx.method === 'POST' && p === `${REGISTRATION_PREFIX}/begin`) return this.begin(ctx);
    if (ctx.method === 'POST' && p === `${REGISTRATION_PREFIX}/poll`) return this.poll(ctx);
    if (ctx.method === 'GET' && p === VERIFY_PATH) return this.page(ctx.url.searchParams.get('user_code') ?? '');
    if (ctx.method === 'POST' && p === SCAN_PATH) return this.scan(ctx);
    return undefined;
  }

  records(): RegistrationRecord[] {
    return this.codes.map((c) => {
      const copy = { ...c };
      delete copy.lastPollAt;
      return copy;
    });
  }

  approve(code?: string): Required<FakeApp> {
    const pending = this.waiting(code);
    const app = { appKey: `ding${hex(8)}`, appSecret: `scan-${hex(24)}`, robotCode: '' };
    app.robotCode = app.appKey;
    this.state.opts.apps.push(app);
    pending.status = 'SUCCESS';
    pending.appKey = app.appKey;
    return { ...app };
  }

  decline(code?: string, reason = '管理员取消了授权 / the admin declined'): void {
    const pending = this.waiting(code);
    pending.status = 'FAIL';
    pending.failReason = reason;
  }

  expire(code?: string): void {
    const pending = this.waiting(code);
    pending.status = 'EXPIRED';
    pending.expiresAt = Math.min(pending.expiresAt, Date.now());
  }

  setPolicy(policy: RegistrationPolicy): void {
    const p = this.state.opts.registration;
    if (policy.refuse !== undefined) p.refuse = policy.refuse;
    if (policy.intervalSeconds !== undefined) p.intervalSeconds = policy.intervalSeconds;
    if (policy.codeTtlSeconds !== undefined) p.codeTtlSeconds = policy.codeTtlSeconds;
  }

  /** The named code, or the newest one still waiting. */
  private waiting(code: string | undefined): Pending {
    const found = code === undefined ? this.codes.findLast((c) => this.statusOf(c) === 'WAITING') : this.codes.find((c) => c.userCode === code);
    if (!found || this.statusOf(found) !== 'WAITING') throw new Error(`fake DingTalk: no waiting registration ${code ?? ''}`);
    return found;
  }

  private statusOf(c: Pending): RegistrationRecord['status'] {
    if (c.status === 'WAITING' && c.expiresAt <= Date.now()) c.status = 'EXPIRED';
    return c.status;
  }

  private init(ctx: RouteContext): Reply {
    const api = 'registration.init';
    const source = parseJsonObject(ctx.body)?.['source'];
    if (!isNonEmptyString(source)) return legacyReply(api, legacy.missing('source'));
    const refuse = this.state.opts.registration.refuse;
    if (refuse) return legacyReply(api, refuse);
    const nonce = hex(16);
    this.nonces.set(nonce, { source, expiresAt: Date.now() + NONCE_TTL_S * 1000 });
    return okReply(api, { errcode: 0, errmsg: 'ok', nonce, expires_in: NONCE_TTL_S });
  }

  private begin(ctx: RouteContext): Reply {
    const api = 'registration.begin';
    const nonce = parseJsonObject(ctx.body)?.['nonce'];
    if (!isNonEmptyString(nonce)) return legacyReply(api, legacy.missing('nonce'));
    const known = this.nonces.get(nonce);
    // A nonce is good for one code.
    this.nonces.delete(nonce);
    if (!known || known.expiresAt <= Date.now()) return legacyReply(api, legacy.nonceInvalid());
    const { intervalSeconds, codeTtlSeconds } = this.state.opts.registration;
    const code = userCode();
    const pending: Pending = {
      source: known.source,
      userCode: code,
      deviceCode: hex(20),
      verificationUrl: `${this.apiBase()}${VERIFY_PATH}?user_code=${code}`,
      status: 'WAITING',
      polls: 0,
      earlyPolls: 0,
      createdAt: Date.now(),
      expiresAt: Date.now() + codeTtlSeconds * 1000,
    };
    this.codes.push(pending);
    return okReply(api, {
      errcode: 0,
      errmsg: 'ok',
      device_code: pending.deviceCode,
      user_code: code,
      verification_uri: `${this.apiBase()}${VERIFY_PATH}`,
      verification_uri_complete: pending.verificationUrl,
      expires_in: codeTtlSeconds,
      interval: intervalSeconds,
    });
  }

  private poll(ctx: RouteContext): Reply {
    const api = 'registration.poll';
    const deviceCode = parseJsonObject(ctx.body)?.['device_code'];
    if (!isNonEmptyString(deviceCode)) return legacyReply(api, legacy.missing('device_code'));
    const pending = this.codes.find((c) => c.deviceCode === deviceCode);
    if (!pending) return legacyReply(api, legacy.deviceCodeInvalid());
    const now = Date.now();
    const intervalMs = this.state.opts.registration.intervalSeconds * 1000;
    const early = pending.lastPollAt !== undefined && now - pending.lastPollAt < intervalMs - EARLY_TOLERANCE_MS;
    pending.polls += 1;
    pending.lastPollAt = now;
    if (early) {
      pending.earlyPolls += 1;
      return legacyReply(api, legacy.qps());
    }
    const status = this.statusOf(pending);
    if (status === 'SUCCESS') {
      const app = this.state.app(pending.appKey ?? '');
      return okReply(api, { errcode: 0, errmsg: 'ok', status, client_id: app?.appKey, client_secret: app?.appSecret });
    }
    if (status === 'FAIL') return okReply(api, { errcode: 0, errmsg: 'ok', status, fail_reason: pending.failReason });
    if (status === 'EXPIRED') return okReply(api, { errcode: 0, errmsg: 'ok', status });
    return okReply(api, { errcode: 0, errmsg: 'ok', status, interval: this.state.opts.registration.intervalSeconds });
  }

  private async scan(ctx: RouteContext): Promise<Reply> {
    const form = new URLSearchParams(ctx.body.toString('utf8'));
    const code = form.get('user_code') ?? '';
    const pending = this.codes.find((c) => c.userCode === code);
    if (!pending || this.statusOf(pending) !== 'WAITING') return this.page(code);
    if (form.get('action') === 'approve') this.approve(code);
    else this.decline(code);
    return this.page(code);
  }

  /** What the QR code opens: DingTalk's confirmation, with the code to scan and the buttons a scan would bring. */
  private async page(code: string): Promise<Reply> {
    const pending = this.codes.find((c) => c.userCode === code);
    const status = pending ? this.statusOf(pending) : undefined;
    const body = !pending
      ? '<p>没有这个二维码。<br>No such code.</p>'
      : status === 'WAITING'
        ? `<div class="qr">${await qrSvg(pending.verificationUrl)}</div>
<p>用钉钉扫一扫，创建机器人应用<br>Scan with DingTalk to create a robot app</p>
<p class="who"><strong>${escapeHtml(pending.source)}</strong> 请求创建一个机器人应用（Stream 模式）<br>wants to create a robot app (Stream mode)</p>
<p class="code">${escapeHtml(pending.userCode)}</p>
<form method="post" action="${SCAN_PATH}">
<input type="hidden" name="user_code" value="${escapeHtml(pending.userCode)}">
<button name="action" value="approve" class="primary">模拟扫码并授权 · Scan and approve (sandbox)</button>
<button name="action" value="decline">拒绝 · Decline</button>
</form>`
        : status === 'SUCCESS'
          ? `<p class="done">✓ 已创建应用 ${escapeHtml(pending.appKey ?? '')}<br>App created. Go back to the bridge.</p>`
          : status === 'FAIL'
            ? '<p>已拒绝。<br>Declined.</p>'
            : '<p>二维码已过期。<br>This code has expired.</p>';
    const html = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>钉钉 · 创建应用 · DingTalk sandbox</title>
<style>body{font:15px/1.5 system-ui,sans-serif;background:#f2f3f5;margin:0;display:flex;justify-content:center}
main{background:#fff;margin:40px 16px;padding:24px 32px;border-radius:12px;max-width:420px;text-align:center;box-shadow:0 2px 8px #0001}
h1{font-size:18px;color:#0089ff}.qr svg{width:220px;height:220px}.code{font:600 20px monospace;letter-spacing:2px}
button{font:inherit;padding:8px 16px;margin:6px;border-radius:6px;border:1px solid #c9ccd1;background:#fff;cursor:pointer}
button.primary{background:#0089ff;border-color:#0089ff;color:#fff}.done{color:#00a870}</style></head>
<body><main><h1>钉钉开放平台 · DingTalk (sandbox)</h1>${body}</main></body></html>`;
    return { status: pending ? 200 : 404, body: html, headers: { 'content-type': 'text/html; charset=utf-8' }, api: 'registration.page' };
  }
}
