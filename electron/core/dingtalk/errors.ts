/**
 * DingTalk error bodies → problems a user can act on (docs/dingtalk-protocol.md §6). Nothing from the
 * request (keys, tokens, secrets) is ever copied into a message.
 */
import { z } from 'zod';
import { BridgeError, type Problem } from '../errors';

const CREDENTIALS_HINT =
  'Copy Client ID (AppKey) and Client Secret (AppSecret) from 凭证与基础信息 (Credentials & Basic Info) in the DingTalk developer console, and make sure the app is published.';

const v1ErrorBody = z.object({
  code: z.string(),
  message: z.string().optional(),
  requestid: z.string().optional(),
  accessdenieddetail: z
    .object({ requiredScopes: z.array(z.string()).optional() })
    .passthrough()
    .optional(),
});

const legacyErrorBody = z.object({ errcode: z.number(), errmsg: z.string().optional() });

export const invalidCredentials = (): BridgeError =>
  new BridgeError({ code: 'dingtalk.invalid_credentials', message: 'Invalid AppKey/AppSecret', hint: CREDENTIALS_HINT, retryable: false });

function fromV1(status: number, body: z.infer<typeof v1ErrorBody>, api: string): Problem {
  const code = body.code;
  const said = body.message ? ` (${body.message})` : '';
  if (code === 'authFailed' || code === 'invalidClientIdOrSecret') return invalidCredentials().toProblem();
  if (code === 'InvalidAuthentication') {
    return { code: 'dingtalk.token_invalid', message: 'The access token was rejected', retryable: true };
  }
  if (code === 'Forbidden.AccessDenied.AccessTokenPermissionDenied') {
    const scopes = body.accessdenieddetail?.requiredScopes ?? [];
    return {
      code: 'dingtalk.no_permission',
      message: `No permission: ${scopes.join(', ') || api}`,
      hint: `Enable ${scopes.length ? scopes.join(', ') : 'the missing permission'} under 权限管理 (Permissions), then create and publish a new version (版本管理与发布) — changes only take effect after publishing.`,
      retryable: false,
      details: { requiredScopes: scopes, api },
    };
  }
  if (code === 'Forbidden.AccessDenied.IpNotInWhiteList') {
    return {
      code: 'dingtalk.ip_not_whitelisted',
      message: 'IP not in whitelist',
      hint: "Add this machine's public IP to the app's server IP whitelist (开发管理 → 服务器出口IP) or clear the whitelist.",
      retryable: false,
    };
  }
  if (code === 'Forbidden.AccessDenied.ApiCountLimitForOrg') {
    return {
      code: 'dingtalk.quota_exhausted',
      message: 'DingTalk API quota for this month is used up',
      hint: "Your organisation's DingTalk plan limits API calls per month; upgrade the plan or wait for next month.",
      retryable: false,
    };
  }
  if (code.startsWith('Forbidden.AccessDenied.Qps') || status === 429) {
    return { code: 'dingtalk.rate_limited', message: 'Rate limited — will retry', retryable: true };
  }
  // `invalidParameter.cardTemplate.notFound`, `cardTemplateInvalid`, `param.cardTemplateIdEmpty`: the template, whatever the wording.
  if (/cardTemplate/i.test(code)) {
    return {
      code: 'dingtalk.card_template_not_found',
      message: `DingTalk does not know this card template${said}`,
      hint: "Copy the template's id from its page in the card platform (卡片平台), ending in .schema, and check that the template is published (发布) in this app's organization.",
      retryable: false,
      details: { api },
    };
  }
  if (code === 'invalidParameter.robotCode.notExsit' || code === 'resource.not.found' || /robotCode/i.test(code)) {
    return {
      code: 'dingtalk.robot_not_found',
      message: 'Robot not found / RobotCode mismatch',
      hint: 'Enable the robot (添加应用能力 → 机器人) and copy its RobotCode from the robot page; it usually equals the Client ID.',
      retryable: false,
    };
  }
  if (code === 'systemError' || status >= 500) {
    return { code: 'dingtalk.server_error', message: `DingTalk had a temporary problem${said}`, retryable: true };
  }
  // DingTalk's own code kept for callers that know what it means for their call (card-api.ts).
  return {
    code: 'dingtalk.api_error',
    message: `DingTalk rejected the request: ${code}${said}`,
    retryable: false,
    details: { api, status, dingtalkCode: code },
  };
}

function fromLegacy(body: z.infer<typeof legacyErrorBody>, api: string): Problem {
  const said = body.errmsg ? ` (${body.errmsg})` : '';
  switch (body.errcode) {
    case 40096:
    case 40089:
      return invalidCredentials().toProblem();
    case 300001:
      return { code: 'dingtalk.webhook_expired', message: 'The reply session has expired', retryable: false };
    case 130101:
    case 660026:
    case 90018:
      return { code: 'dingtalk.rate_limited', message: 'Rate limited — will retry', retryable: true };
    case 40014:
    case 42001:
    case 88:
      return { code: 'dingtalk.token_invalid', message: 'The access token was rejected', retryable: true };
    case -1:
      return { code: 'dingtalk.server_error', message: `DingTalk had a temporary problem${said}`, retryable: true };
    default:
      return { code: 'dingtalk.api_error', message: `DingTalk rejected the request: errcode ${body.errcode}${said}`, retryable: false, details: { api } };
  }
}

/** Interprets a failed (or legacy errcode ≠ 0) answer. `body` is the parsed JSON, if any. */
export function problemFromResponse(status: number, body: unknown, api: string): Problem {
  const v1 = v1ErrorBody.safeParse(body);
  if (v1.success) return fromV1(status, v1.data, api);
  const legacy = legacyErrorBody.safeParse(body);
  if (legacy.success && legacy.data.errcode !== 0) return fromLegacy(legacy.data, api);
  if (status === 401) return invalidCredentials().toProblem();
  if (status === 429) return { code: 'dingtalk.rate_limited', message: 'Rate limited — will retry', retryable: true };
  if (status >= 500) return { code: 'dingtalk.server_error', message: `DingTalk answered HTTP ${status}`, retryable: true };
  return { code: 'dingtalk.api_error', message: `DingTalk answered HTTP ${status} to ${api}`, retryable: false, details: { api, status } };
}

export function networkProblem(err: unknown, api: string): Problem {
  const cause = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.name) : 'unknown';
  return {
    code: 'dingtalk.network',
    message: `Cannot reach DingTalk (${cause}) — will retry`,
    hint: 'Check the network connection; behind a corporate proxy set HTTPS_PROXY (and NO_PROXY for local addresses).',
    retryable: true,
    details: { api },
  };
}
