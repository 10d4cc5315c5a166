import { describe, expect, it } from 'vitest';
import { problemFromResponse } from '../../../electron/core/dingtalk/errors';
import { checkUpload, mediaTypeFor } from '../../../electron/core/dingtalk/media-rules';

describe('problemFromResponse (docs/dingtalk-protocol.md §6)', () => {
  it.each([
    [401, { requestid: 'r', code: 'authFailed', message: '鉴权失败' }, 'dingtalk.invalid_credentials', false],
    [400, { code: 'invalidClientIdOrSecret', message: '无效的clientId或者clientSecret' }, 'dingtalk.invalid_credentials', false],
    [200, { errcode: 40096, errmsg: '不合法的appKey或appSecret' }, 'dingtalk.invalid_credentials', false],
    [400, { code: 'InvalidAuthentication', message: '不合法的access_token' }, 'dingtalk.token_invalid', true],
    [403, { code: 'Forbidden.AccessDenied.QpsLimitForAppkeyAndApi', message: '限流' }, 'dingtalk.rate_limited', true],
    [403, { code: 'Forbidden.AccessDenied.QpsLimitForApi' }, 'dingtalk.rate_limited', true],
    [403, { code: 'Forbidden.AccessDenied.ApiCountLimitForOrg' }, 'dingtalk.quota_exhausted', false],
    [200, { errcode: 130101, errmsg: 'send too fast' }, 'dingtalk.rate_limited', true],
    [200, { errcode: 660026, errmsg: 'send too fast' }, 'dingtalk.rate_limited', true],
    [400, { code: 'invalidParameter.robotCode.notExsit', message: 'robot 不存在' }, 'dingtalk.robot_not_found', false],
    [404, { code: 'resource.not.found' }, 'dingtalk.robot_not_found', false],
    [400, { code: 'invalidParameter.cardTemplate.notFound', message: '不存在的卡片模板' }, 'dingtalk.card_template_not_found', false],
    [400, { code: 'cardTemplateInvalid', message: '卡片模板无效' }, 'dingtalk.card_template_not_found', false],
    [403, { code: 'Forbidden.AccessDenied.IpNotInWhiteList' }, 'dingtalk.ip_not_whitelisted', false],
    [200, { errcode: 300001, errmsg: 'session 不存在' }, 'dingtalk.webhook_expired', false],
    [400, { code: 'systemError', message: 'system error' }, 'dingtalk.server_error', true],
    [502, undefined, 'dingtalk.server_error', true],
  ])('HTTP %s %j → %s', (status, body, code, retryable) => {
    const p = problemFromResponse(status, body, 'test.api');
    expect(p.code).toBe(code);
    expect(p.retryable).toBe(retryable);
    expect(p.message).not.toMatch(/\bat \w+ \(/); // no stack frames
  });

  it('names the missing permission and says to publish again', () => {
    const p = problemFromResponse(
      403,
      {
        code: 'Forbidden.AccessDenied.AccessTokenPermissionDenied',
        message: '没有调用该接口的权限',
        accessdenieddetail: { requiredScopes: ['qyapi_robot_sendmsg'] },
      },
      'groupMessages.send',
    );
    expect(p).toMatchObject({
      code: 'dingtalk.no_permission',
      message: 'No permission: qyapi_robot_sendmsg',
      retryable: false,
      details: { requiredScopes: ['qyapi_robot_sendmsg'] },
    });
    expect(p.hint).toMatch(/权限管理/);
    expect(p.hint).toMatch(/publish/);
  });

  it('says where to copy credentials from', () => {
    expect(problemFromResponse(401, { code: 'authFailed' }, 'x').hint).toMatch(/Credentials & Basic Info/);
  });
});

describe('media rules (docs/dingtalk-protocol.md §5)', () => {
  it('maps extensions to upload types', () => {
    expect(mediaTypeFor('a.PNG')).toBe('image');
    expect(mediaTypeFor('a.mp3')).toBe('voice');
    expect(mediaTypeFor('a.mp4')).toBe('video');
    expect(mediaTypeFor('report.pdf')).toBe('file');
    expect(mediaTypeFor('notes.txt')).toBeUndefined();
  });

  it('checks extension and size per type', () => {
    expect(checkUpload('file', 'a.pdf', 1000)).toBeUndefined();
    expect(checkUpload('file', 'a.txt', 1000)?.code).toBe('dingtalk.unsupported_media');
    expect(checkUpload('voice', 'a.mp3', 2 * 1024 * 1024 + 1)?.code).toBe('dingtalk.media_too_large');
    expect(checkUpload('image', 'a.png', 20 * 1024 * 1024)).toBeUndefined();
    expect(checkUpload('image', 'a.png', 0)?.code).toBe('dingtalk.media_empty');
  });
});
