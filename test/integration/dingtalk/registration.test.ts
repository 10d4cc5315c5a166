/**
 * One-scan setup over HTTP against the fake DingTalk (docs/dingtalk-protocol.md §11): the four
 * outcomes, the interval kept, a refused source, and the fake's page that a QR code opens.
 * Real timers: the fake's interval is one second, the client's floor.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpRegistrationPost, REGISTRATION_SOURCE } from '../../../electron/core/dingtalk/registration-api';
import { registerApp, type RegistrationCode, type RegistrationOutcome } from '../../../electron/core/dingtalk/registration';
import { DingTalkApi } from '../../../electron/core/dingtalk/openapi-client';
import { probeStream } from '../../../electron/core/dingtalk/stream-probe';
import { memoryLogger } from '../../../electron/core/log/logger';
import { startFakeDingTalk, type FakeDingTalk } from '../../fakes/dingtalk';
import { expectQuietFor, waitFor, within } from '../../helpers/wait';

let dt: FakeDingTalk;

beforeEach(async () => {
  dt = await startFakeDingTalk({ registration: { intervalSeconds: 1 } });
});
afterEach(async () => dt.close());

function run(extra: { signal?: AbortSignal; maxWaitMs?: number } = {}): { outcome: Promise<RegistrationOutcome>; code: Promise<RegistrationCode> } {
  let shown: (c: RegistrationCode) => void = () => undefined;
  const code = new Promise<RegistrationCode>((resolve) => (shown = resolve));
  const outcome = registerApp({ post: httpRegistrationPost(dt.oapiBase, 5_000), onCode: (c) => shown(c), ...extra });
  return { outcome, code };
}

describe('one-scan registration against the fake DingTalk', () => {
  it('scanned and approved: a new app whose credentials work, with Stream mode', async () => {
    const { outcome, code } = run();
    const shown = await within(code, 5_000, 'the code');
    expect(shown.verificationUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/registration\/verify\?user_code=[A-Z]{4}-[A-Z]{4}$/);
    await waitFor(() => dt.registrations()[0]?.polls, 'a first poll', 5_000);
    const app = dt.approveRegistration();
    const result = await within(outcome, 5_000, 'the outcome');
    expect(result).toEqual({ kind: 'success', clientId: app.appKey, clientSecret: app.appSecret });
    const [record] = dt.registrations();
    expect(record).toMatchObject({ source: REGISTRATION_SOURCE, status: 'SUCCESS', appKey: app.appKey, earlyPolls: 0 });

    const credentials = { appKey: app.appKey, appSecret: app.appSecret };
    const endpoints = { apiBase: dt.apiBase, oapiBase: dt.oapiBase };
    await new DingTalkApi({ credentials, endpoints }).checkCredentials();
    expect(await probeStream(credentials, endpoints, 5_000, memoryLogger('probe'))).toBeUndefined();
  });

  it('declined: FAIL with the reason; expired: EXPIRED', async () => {
    const declined = run();
    await within(declined.code, 5_000, 'the code');
    dt.declineRegistration(undefined, 'not now');
    expect(await within(declined.outcome, 5_000, 'the outcome')).toMatchObject({ kind: 'failed', problem: { message: expect.stringContaining('not now') } });

    const expired = run();
    await within(expired.code, 5_000, 'the code');
    dt.expireRegistration();
    expect(await within(expired.outcome, 5_000, 'the outcome')).toMatchObject({ kind: 'expired', problem: { code: 'dingtalk.registration_expired' } });
  });

  it('a refused source: refused with DingTalk’s errcode, no code given', async () => {
    dt.setRegistrationPolicy({ refuse: { errcode: 400104, errmsg: '该来源暂不支持应用注册' } });
    const { outcome } = run();
    expect(await within(outcome, 5_000, 'the outcome')).toMatchObject({
      kind: 'refused',
      problem: { code: 'dingtalk.registration_refused', details: { errcode: 400104 }, message: expect.stringContaining('该来源暂不支持应用注册') },
    });
    expect(dt.registrations()).toEqual([]);
  });

  it('keeps to the interval, also when DingTalk raises it while waiting', async () => {
    const { outcome, code } = run();
    await within(code, 5_000, 'the code');
    await waitFor(() => dt.registrations()[0]!.polls >= 2, 'two polls', 5_000);
    dt.setRegistrationPolicy({ intervalSeconds: 2 });
    const before = dt.registrations()[0]!.polls;
    await waitFor(() => dt.registrations()[0]!.polls >= before + 2, 'two polls at the new interval', 8_000);
    // At most the one poll already scheduled when the interval rose came early; then it keeps to 2 s.
    const early = dt.registrations()[0]!.earlyPolls;
    expect(early).toBeLessThanOrEqual(1);
    const at = dt.registrations()[0]!.polls;
    await waitFor(() => dt.registrations()[0]!.polls >= at + 1, 'one more poll', 5_000);
    expect(dt.registrations()[0]!.earlyPolls).toBe(early);
    dt.approveRegistration();
    expect((await within(outcome, 5_000, 'the outcome')).kind).toBe('success');
  });

  it('the fake answers a poll before the interval with "too frequent", and the client slows down', async () => {
    const { oapiBase } = dt;
    const post = httpRegistrationPost(oapiBase);
    const init = (await post('init', { source: REGISTRATION_SOURCE })).body as { nonce: string };
    const begin = (await post('begin', { nonce: init.nonce })).body as { device_code: string };
    expect((await post('poll', { device_code: begin.device_code })).body).toMatchObject({ errcode: 0, status: 'WAITING', interval: 1 });
    expect((await post('poll', { device_code: begin.device_code })).body).toMatchObject({ errcode: 90018 });
    expect(dt.registrations()[0]!.earlyPolls).toBe(1);
    // A nonce is good for one code.
    expect((await post('begin', { nonce: init.nonce })).body).toMatchObject({ errcode: 400105 });
  });

  it('cancelled: stops polling', async () => {
    const abort = new AbortController();
    const { outcome, code } = run({ signal: abort.signal });
    await within(code, 5_000, 'the code');
    await waitFor(() => dt.registrations()[0]!.polls >= 1, 'a poll', 5_000);
    abort.abort();
    expect(await within(outcome, 2_000, 'the outcome')).toEqual({ kind: 'cancelled' });
    const polls = dt.registrations()[0]!.polls;
    await expectQuietFor(1_500, 'no more polls', () => dt.registrations()[0]!.polls === polls);
  });

  it('the page the QR code opens shows the code and approves it like a scan', async () => {
    const { outcome, code } = run();
    const shown = await within(code, 5_000, 'the code');
    const page = await fetch(shown.verificationUrl);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('<svg');
    expect(html).toContain(REGISTRATION_SOURCE);
    expect(html).toContain(shown.userCode);
    const scanned = await fetch(new URL('/registration/scan', dt.apiBase), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user_code: shown.userCode!, action: 'approve' }).toString(),
    });
    expect(await scanned.text()).toContain('App created');
    expect(await within(outcome, 5_000, 'the outcome')).toMatchObject({ kind: 'success' });
  });
});
