/**
 * Error bodies in DingTalk's exact shapes (docs/dingtalk-protocol.md §1, §4, §6).
 * v1.0: `{"requestid","code","message"}` (+ `accessdenieddetail` for permission errors).
 * Legacy OAPI: `{"errcode","errmsg"}`, HTTP 200.
 * Codes marked [?] are plausible guesses; the doc does not pin them down.
 */
import { requestId } from './ids';

export interface V1Error {
  status: number;
  body: { requestid: string; code: string; message: string; accessdenieddetail?: { requiredScopes: string[] } };
}

export function v1Error(status: number, code: string, message: string): V1Error {
  return { status, body: { requestid: requestId(), code, message } };
}

export const v1 = {
  authFailed: (): V1Error => v1Error(401, 'authFailed', '鉴权失败'),
  systemError: (): V1Error => v1Error(400, 'systemError', '系统错误'),
  invalidClient: (): V1Error => v1Error(400, 'invalidClientIdOrSecret', '无效的clientId或者clientSecret'),
  invalidAuthentication: (): V1Error => v1Error(400, 'InvalidAuthentication', '不合法的access_token'),
  /** Alibaba-gateway style, e.g. `MissingrobotCode` / "robotCode is mandatory for this action." */
  missing: (param: string): V1Error => v1Error(400, `Missing${param}`, `${param} is mandatory for this action.`),
  invalidParameter: (param: string, message: string): V1Error => v1Error(400, `invalidParameter.${param}`, message), // [?]
  badJson: (): V1Error => v1Error(400, 'InvalidParameter.Body', '请求体不是合法的JSON'), // [?]
  robotNotFound: (): V1Error => v1Error(400, 'invalidParameter.robotCode.notExsit', 'robot 不存在'),
  /** The code DingTalk documents for a robot card naming an unknown template; createAndDeliver's is assumed the same [?]. */
  cardTemplateNotFound: (): V1Error => v1Error(400, 'invalidParameter.cardTemplate.notFound', '不存在的卡片模板'), // [?]
  msgParamTooLarge: (bytes: number, limit: number): V1Error =>
    v1Error(400, 'invalidParameter.msgParam.size', `body 大小不合法, 当前 ${bytes}bytes, 不能超过 ${limit}bytes`),
  qps: (): V1Error => v1Error(403, 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', '应用调用该接口的QPS超过限制'),
  ipNotInWhitelist: (): V1Error => v1Error(403, 'Forbidden.AccessDenied.IpNotInWhiteList', '访问IP不在白名单之中，请检查应用的IP白名单设置'),
  permissionDenied: (requiredScopes: string[]): V1Error => {
    const e = v1Error(
      403,
      'Forbidden.AccessDenied.AccessTokenPermissionDenied',
      `没有调用该接口的权限，接口权限申请参考：https://open.dingtalk.com/document/orgapp/add-api-permission`,
    );
    e.body.accessdenieddetail = { requiredScopes: [...requiredScopes] };
    return e;
  },
  notFound: (): V1Error => v1Error(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.'),
};

export interface LegacyError {
  errcode: number;
  errmsg: string;
}

export const legacy = {
  badCredentials: (): LegacyError => ({ errcode: 40096, errmsg: '不合法的appKey或appSecret' }),
  missing: (param: string): LegacyError => ({ errcode: 40035, errmsg: `缺少参数 ${param}` }),
  invalidToken: (): LegacyError => ({ errcode: 40014, errmsg: '不合法的access_token' }),
  expiredToken: (): LegacyError => ({ errcode: 42001, errmsg: 'access_token超时' }),
  badMediaType: (): LegacyError => ({ errcode: 40004, errmsg: '不合法的媒体文件类型' }),
  badFileType: (ext: string, allowed: string[]): LegacyError => ({
    errcode: 40005,
    errmsg: `不合法的文件类型: ${ext || '(none)'}, 支持 ${allowed.join(' ')}`,
  }),
  badFileSize: (bytes: number, limit: number): LegacyError => ({
    errcode: 40006,
    errmsg: `不合法的文件大小: ${bytes}bytes, 不能超过 ${limit}bytes`,
  }),
  emptyFile: (): LegacyError => ({ errcode: 40006, errmsg: '不合法的文件大小: 文件为空' }),
  ipNotInWhitelist: (): LegacyError => ({ errcode: 60020, errmsg: '访问ip不在白名单之中' }),
  noPermission: (scopes: string[]): LegacyError => ({ errcode: 60011, errmsg: `没有调用该接口的权限: ${scopes.join(',')}` }),
  qps: (): LegacyError => ({ errcode: 90018, errmsg: '当前企业调用该接口超过限制' }),
  sessionGone: (): LegacyError => ({ errcode: 300001, errmsg: 'session 不存在' }),
  sendTooFast: (): LegacyError => ({ errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }),
  webhookTooLarge: (bytes: number): LegacyError => ({
    errcode: 460101,
    errmsg: `body 大小不合法, 当前 ${bytes}bytes, 不能超过 20000bytes`,
  }),
  badMsgtype: (msgtype: unknown): LegacyError => ({ errcode: 40035, errmsg: `不合法的参数 msgtype: ${String(msgtype)}` }),
  notFound: (): LegacyError => ({ errcode: 404, errmsg: '请求的URI地址不存在' }),
  /** Registration (docs/dingtalk-protocol.md §11): the codes are the fake's own [?]. */
  registrationRefused: (): LegacyError => ({ errcode: 400104, errmsg: '该来源暂不支持应用注册' }),
  nonceInvalid: (): LegacyError => ({ errcode: 400105, errmsg: 'nonce 无效或已过期' }),
  deviceCodeInvalid: (): LegacyError => ({ errcode: 400106, errmsg: 'device_code 无效' }),
};
