import { describe, expect, it } from 'vitest';
import { redact } from '../../../electron/core/log/redact';
import { memoryLogger } from '../../../electron/core/log/logger';

describe('redact', () => {
  it('masks secret-named keys at any depth', () => {
    const out = redact({ appKey: 'dingabc', appSecret: 'S3cr3t-value', nested: { headers: { 'x-acs-dingtalk-access-token': 'tok123456' } } });
    expect(out).toEqual({ appKey: 'dingabc', appSecret: '***', nested: { headers: { 'x-acs-dingtalk-access-token': '***' } } });
  });

  it('masks known secret values inside free text and query strings', () => {
    const text = 'GET /gettoken?appkey=k&appsecret=abcdefgh and body {"clientSecret":"zzzzzz"} and raw SUPERSECRET99';
    const out = redact(text, ['SUPERSECRET99']) as string;
    expect(out).not.toContain('abcdefgh');
    expect(out).not.toContain('zzzzzz');
    expect(out).not.toContain('SUPERSECRET99');
    expect(out).toContain('appkey=k');
  });

  it('reduces errors to name and message, without stack', () => {
    const out = redact(new Error('failed with ticket=abc-123')) as Record<string, unknown>;
    expect(out).toEqual({ name: 'Error', message: 'failed with ticket=***' });
  });

  it('logger redacts before the sink sees a record', () => {
    const log = memoryLogger('t', () => ['my-app-secret']);
    log.child('x').warn('leak my-app-secret?', { secret: 'a', note: 'my-app-secret' });
    expect(log.records[0]).toMatchObject({ scope: 't.x', level: 'warn', msg: 'leak ***?', fields: { secret: '***', note: '***' } });
  });
});
