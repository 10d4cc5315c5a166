/** One-scan setup's polling (docs/dingtalk-protocol.md §11), against scripted DingTalk answers, on fake timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BridgeError } from '../../../electron/core/errors';
import { REGISTRATION_SOURCE, type RegistrationAnswer, type RegistrationPost, type RegistrationStep } from '../../../electron/core/dingtalk/registration-api';
import { registerApp, type RegistrationCode, type RegistrationOptions, type RegistrationOutcome } from '../../../electron/core/dingtalk/registration';

interface Call {
  step: RegistrationStep;
  body: Record<string, string>;
  at: number;
}

const T0 = 1_700_000_000_000;
const ok = (body: Record<string, unknown>): RegistrationAnswer => ({ status: 200, body: { errcode: 0, errmsg: 'ok', ...body } });
const WAITING = ok({ status: 'WAITING' });
const SUCCESS = ok({ status: 'SUCCESS', client_id: 'dingscanned', client_secret: 'scanned-secret-123' });

/** DingTalk as a script: init and begin as given, then each poll takes the next answer (the last one repeats). */
function scripted(
  polls: (RegistrationAnswer | Error)[],
  o: { init?: RegistrationAnswer; begin?: RegistrationAnswer } = {},
): { post: RegistrationPost; calls: Call[]; polls: () => number[] } {
  const calls: Call[] = [];
  const queue = [...polls];
  const post: RegistrationPost = async (step, body) => {
    calls.push({ step, body, at: Date.now() });
    if (step === 'init') return o.init ?? ok({ nonce: 'nonce-1', expires_in: 300 });
    if (step === 'begin')
      return (
        o.begin ??
        ok({
          device_code: 'device-1',
          user_code: 'ABCD-EFGH',
          verification_uri_complete: 'https://open-dev.dingtalk.com/verify?code=ABCD',
          expires_in: 7200,
          interval: 2,
        })
      );
    const next = queue.length > 1 ? queue.shift()! : queue[0]!;
    if (next instanceof Error) throw next;
    return next;
  };
  return { post, calls, polls: () => calls.filter((c) => c.step === 'poll').map((c) => c.at - T0) };
}

function start(post: RegistrationPost, extra: Partial<RegistrationOptions> = {}): { result: Promise<RegistrationOutcome>; codes: RegistrationCode[] } {
  const codes: RegistrationCode[] = [];
  const result = registerApp({ post, onCode: (c) => codes.push(c), random: () => 0, ...extra });
  return { result, codes };
}

describe('registerApp', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks with our own source, shows the code, polls at the interval and returns the app', async () => {
    const dt = scripted([WAITING, WAITING, SUCCESS]);
    const { result, codes } = start(dt.post);
    await vi.advanceTimersByTimeAsync(0);
    expect(codes).toEqual([
      { verificationUrl: 'https://open-dev.dingtalk.com/verify?code=ABCD', userCode: 'ABCD-EFGH', expiresAt: T0 + 600_000, intervalMs: 2_000 },
    ]);
    expect(dt.calls.map((c) => [c.step, c.body])).toEqual([
      ['init', { source: REGISTRATION_SOURCE }],
      ['begin', { nonce: 'nonce-1' }],
    ]);
    expect(REGISTRATION_SOURCE).toBe('CCCC_DINGTALK');
    // Not a moment before the interval.
    await vi.advanceTimersByTimeAsync(1_999);
    expect(dt.polls()).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(dt.polls()).toEqual([2_000]);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(await result).toEqual({ kind: 'success', clientId: 'dingscanned', clientSecret: 'scanned-secret-123' });
    expect(dt.polls()).toEqual([2_000, 4_000, 6_000]);
    expect(dt.calls.filter((c) => c.step === 'poll').every((c) => c.body['device_code'] === 'device-1')).toBe(true);
  });

  it('a refusal (errcode ≠ 0) ends it at once, with what DingTalk said and nothing to scan', async () => {
    const dt = scripted([WAITING], { init: { status: 200, body: { errcode: 400104, errmsg: 'source not allowed' } } });
    const { result, codes } = start(dt.post);
    const outcome = await result;
    expect(outcome).toMatchObject({
      kind: 'refused',
      problem: { code: 'dingtalk.registration_refused', retryable: false, details: { step: 'init', errcode: 400104 } },
    });
    expect(outcome.kind !== 'success' && outcome.kind !== 'cancelled' && outcome.problem.message).toContain('source not allowed');
    expect(codes).toEqual([]);
    expect(dt.calls.map((c) => c.step)).toEqual(['init']);
  });

  it('a refusal of begin, or an HTTP 4xx, is a refusal too', async () => {
    const begin = scripted([WAITING], { begin: { status: 200, body: { errcode: 11, errmsg: 'nonce expired' } } });
    expect(await start(begin.post).result).toMatchObject({ kind: 'refused', problem: { details: { step: 'begin', errcode: 11 } } });
    const http = scripted([WAITING], { init: { status: 404, body: undefined } });
    expect(await start(http.post).result).toMatchObject({ kind: 'refused', problem: { message: expect.stringContaining('HTTP 404') } });
  });

  it('FAIL ends with the reason; EXPIRED with a new code to ask for', async () => {
    const failed = start(scripted([WAITING, ok({ status: 'FAIL', fail_reason: 'the admin declined' })]).post);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(await failed.result).toMatchObject({
      kind: 'failed',
      problem: { code: 'dingtalk.registration_failed', message: expect.stringContaining('the admin declined') },
    });

    const expired = start(scripted([ok({ status: 'EXPIRED' })]).post);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await expired.result).toMatchObject({ kind: 'expired', problem: { code: 'dingtalk.registration_expired' } });
  });

  it('waits no longer than its bound, or than DingTalk keeps the code', async () => {
    const dt = scripted([WAITING]);
    const bounded = start(dt.post, { maxWaitMs: 5_000 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await bounded.result).toMatchObject({ kind: 'expired' });
    expect(dt.polls()).toEqual([2_000, 4_000]);

    const short = scripted([WAITING], {
      begin: ok({ device_code: 'd', verification_uri_complete: 'https://open-dev.dingtalk.com/v', expires_in: 3, interval: 2 }),
    });
    const startedAt = Date.now();
    const run = start(short.post);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(await run.result).toMatchObject({ kind: 'expired' });
    expect(run.codes[0]?.expiresAt).toBe(startedAt + 3_000);
  });

  it('slows down when asked: a rate-limit answer doubles the interval, a longer `interval` is adopted', async () => {
    const tooFast = { status: 200, body: { errcode: 90018, errmsg: 'too frequent' } };
    const dt = scripted([tooFast, ok({ status: 'WAITING', interval: 5 }), WAITING, SUCCESS]);
    const { result } = start(dt.post);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await result).toMatchObject({ kind: 'success' });
    // 2 s, then 4 s (doubled), then 5 s as asked, and 5 s again.
    expect(dt.polls()).toEqual([2_000, 6_000, 11_000, 16_000]);
  });

  it('never polls faster than once a second, whatever the interval says', async () => {
    const dt = scripted([WAITING, SUCCESS], {
      begin: ok({ device_code: 'd', verification_uri_complete: 'https://open-dev.dingtalk.com/v', expires_in: 60, interval: 0.001 }),
    });
    const { result } = start(dt.post);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await result).toMatchObject({ kind: 'success' });
    expect(dt.polls()).toEqual([1_000, 2_000]);
  });

  it('keeps polling through network trouble, later and later, until an answer comes', async () => {
    const down = new BridgeError({ code: 'dingtalk.network', message: 'Cannot reach DingTalk (ECONNRESET) — will retry', retryable: true });
    const dt = scripted([down, down, { status: 502, body: undefined }, SUCCESS]);
    const { result } = start(dt.post);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await result).toMatchObject({ kind: 'success' });
    // The interval, then backoff 2 s · 2^n (at least the interval): 2, +2, +4, +8.
    expect(dt.polls()).toEqual([2_000, 4_000, 8_000, 16_000]);
  });

  it('cancelling ends the wait at once and polls no more', async () => {
    const dt = scripted([WAITING]);
    const abort = new AbortController();
    const { result } = start(dt.post, { signal: abort.signal });
    await vi.advanceTimersByTimeAsync(2_500);
    abort.abort();
    expect(await result).toEqual({ kind: 'cancelled' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dt.polls()).toEqual([2_000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cancelled before DingTalk answered: cancelled, not an error', async () => {
    const abort = new AbortController();
    const post: RegistrationPost = (_step, _body, signal) =>
      new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new BridgeError({ code: 'aborted', message: 'Cancelled', retryable: false }))));
    const { result, codes } = start(post, { signal: abort.signal });
    abort.abort();
    expect(await result).toEqual({ kind: 'cancelled' });
    expect(codes).toEqual([]);
  });

  it('answers it cannot use are errors, never a half-made app', async () => {
    const scriptUrl = scripted([WAITING], { begin: ok({ device_code: 'd', verification_uri_complete: 'javascript:alert(1)', expires_in: 60 }) });
    expect(await start(scriptUrl.post).result).toMatchObject({ kind: 'error', problem: { code: 'dingtalk.bad_answer' } });

    const noSecret = start(scripted([ok({ status: 'SUCCESS', client_id: 'dingx' })]).post);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await noSecret.result).toMatchObject({ kind: 'error', problem: { code: 'dingtalk.bad_answer' } });
  });

  it('a state it does not know yet (scanned, not confirmed) is still waiting', async () => {
    const dt = scripted([ok({ status: 'SCANNED' }), SUCCESS]);
    const { result } = start(dt.post);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(await result).toMatchObject({ kind: 'success' });
  });

  it('logs the app it made, never its secret', async () => {
    const records: string[] = [];
    const logger = {
      debug: (m: string, f?: object) => records.push(m + JSON.stringify(f)),
      info: (m: string, f?: object) => records.push(m + JSON.stringify(f)),
      warn: (m: string, f?: object) => records.push(m + JSON.stringify(f)),
      error: (m: string, f?: object) => records.push(m + JSON.stringify(f)),
      child: () => logger,
    };
    const { result } = start(scripted([SUCCESS]).post, { logger });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await result).toMatchObject({ kind: 'success' });
    expect(records.join('\n')).toContain('dingscanned');
    expect(records.join('\n')).not.toContain('scanned-secret-123');
  });
});
