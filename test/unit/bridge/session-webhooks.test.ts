import { describe, expect, it } from 'vitest';
import { SessionWebhooks } from '../../../electron/core/bridge/session-webhooks';
import { memoryLogger } from '../../../electron/core/log/logger';

describe('SessionWebhooks', () => {
  it('ignores (and logs) a webhook its host check refuses', () => {
    const log = memoryLogger();
    const hooks = new SessionWebhooks({ accepts: (url) => url.startsWith('https://oapi.dingtalk.com/'), logger: log, now: () => 0 });
    hooks.remember('cidA', { url: 'https://evil.example/hook', expiresAt: 3_600_000 });
    expect(hooks.usable('cidA')).toBeUndefined();
    expect(log.records.some((r) => r.msg.startsWith('Ignored a reply address'))).toBe(true);
    hooks.remember('cidA', { url: 'https://oapi.dingtalk.com/robot/sendBySession?session=1', expiresAt: 3_600_000 });
    expect(hooks.usable('cidA')).toBe('https://oapi.dingtalk.com/robot/sendBySession?session=1');
  });

  it('stops handing out a webhook within the safety margin of its expiry', () => {
    let now = 0;
    const hooks = new SessionWebhooks({ marginMs: 1_000, now: () => now });
    hooks.remember('cidA', { url: 'http://hook', expiresAt: 10_000 });
    now = 8_999;
    expect(hooks.usable('cidA')).toBe('http://hook');
    now = 9_000;
    expect(hooks.usable('cidA')).toBeUndefined();
    // Dropped, not just hidden: an older one remembered later is taken.
    hooks.remember('cidA', { url: 'http://older', expiresAt: 20_000 });
    expect(hooks.usable('cidA')).toBe('http://older');
  });
});
