/**
 * One-scan setup through the control services against the fake DingTalk: the secret goes into
 * the secret store and never out, a bridge saved with the scan gets it, the checks run, and
 * every other ending is said plainly.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanView } from '../../../electron/shared/api';
import { waitFor } from '../../helpers/wait';
import { everythingShown, startControlWorld, type ControlWorld } from './helpers';

let w: ControlWorld;
afterEach(async () => w?.close());

const secretsFile = async (): Promise<string> => readFile(join(w.configHome, 'secrets.json'), 'utf8').catch(() => '');
const status = (scanId: string): Promise<ScanView> => w.call('scanStatus', { scanId });
const until = (scanId: string, check: (v: ScanView) => boolean, what: string): Promise<ScanView> =>
  waitFor(
    async () => {
      const v = await status(scanId);
      return check(v) ? v : undefined;
    },
    what,
    8_000,
    50,
  );

describe('one-scan setup (control services)', () => {
  it('success: Client ID shown, secret stored (never shown), checks run, and the saved bridge connects with it', async () => {
    w = await startControlWorld({ dingtalk: { registration: { intervalSeconds: 1 } } });
    const started = await w.call('startScan', {});
    expect(started).toMatchObject({
      state: 'waiting',
      verificationUrl: expect.stringContaining('/registration/verify?user_code='),
      userCode: expect.any(String),
    });
    expect(started.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(started.qr!.split(',')[1]!, 'base64').toString()).toContain('<svg');

    const app = w.dt.approveRegistration();
    const done = await until(started.scanId, (v) => v.state === 'success' && v.checks !== undefined, 'the scan and its checks');
    expect(done).toMatchObject({
      appKey: app.appKey,
      secret: 'stored',
      checks: { token: { state: 'ok' }, permissions: { state: 'ok' }, stream: { state: 'ok' } },
    });
    expect(await secretsFile()).toContain(app.appSecret);

    const saved = await w.call('saveBridge', { name: 'Scanned', groupId: w.groupId, appKey: app.appKey, scanId: started.scanId, autoStart: true });
    expect(saved.secretSet).toBe(true);
    // Moved to the bridge: one copy, under the bridge's id.
    const file = JSON.parse(await secretsFile()) as { secrets: Record<string, { value: string }> };
    expect(
      Object.entries(file.secrets)
        .filter(([, s]) => s.value === app.appSecret)
        .map(([k]) => k),
    ).toEqual([saved.id]);

    await w.call('startBridge', { bridgeId: saved.id });
    await waitFor(async () => (await w.h.getBridge({ bridgeId: saved.id })).status.dingtalk.status === 'connected', 'the bridge connected', 10_000, 50);
    expect(everythingShown(w)).not.toContain(app.appSecret);
  });

  it('a refused source, a declined scan and an expired code are said plainly; nothing is stored', async () => {
    w = await startControlWorld({ dingtalk: { registration: { intervalSeconds: 1 } } });
    w.dt.setRegistrationPolicy({ refuse: { errcode: 400104, errmsg: '该来源暂不支持应用注册' } });
    expect(await w.call('startScan', {})).toMatchObject({
      state: 'refused',
      problem: { code: 'dingtalk.registration_refused', message: expect.stringContaining('400104') },
    });

    w.dt.setRegistrationPolicy({ refuse: null });
    const declined = await w.call('startScan', {});
    w.dt.declineRegistration();
    expect(await until(declined.scanId, (v) => v.state !== 'waiting', 'the decline')).toMatchObject({
      state: 'failed',
      problem: { code: 'dingtalk.registration_failed' },
    });

    const expired = await w.call('startScan', {});
    w.dt.expireRegistration();
    expect(await until(expired.scanId, (v) => v.state !== 'waiting', 'the expiry')).toMatchObject({
      state: 'expired',
      problem: { code: 'dingtalk.registration_expired' },
    });
    expect(await secretsFile()).toBe('');
  });

  it('a new scan replaces the last (its unclaimed secret deleted); a cancelled one stops; saving with a stale scan says so', async () => {
    w = await startControlWorld({ dingtalk: { registration: { intervalSeconds: 1 } } });
    const first = await w.call('startScan', {});
    const app = w.dt.approveRegistration();
    await until(first.scanId, (v) => v.state === 'success', 'the first scan');
    expect(await secretsFile()).toContain(app.appSecret);

    const second = await w.call('startScan', {});
    expect(await secretsFile()).not.toContain(app.appSecret);
    await expect(w.call('scanStatus', { scanId: first.scanId })).rejects.toMatchObject({ code: 'scan.unknown' });
    await expect(w.call('saveBridge', { name: 'Stale', groupId: w.groupId, appKey: app.appKey, scanId: first.scanId })).rejects.toMatchObject({
      code: 'scan.unknown',
    });

    expect(await w.call('cancelScan', { scanId: second.scanId })).toMatchObject({ state: 'cancelled' });
    const polls = w.dt.registrations()[1]!.polls;
    expect(w.dt.registrations()[1]!.status).toBe('WAITING');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(w.dt.registrations()[1]!.polls).toBe(polls);
  });

  it('env-var mode: the Client ID is filled, the secret is not kept here', async () => {
    w = await startControlWorld({ dingtalk: { registration: { intervalSeconds: 1 } } });
    await w.call('setAppSettings', { envSecretMode: true });
    const started = await w.call('startScan', {});
    const app = w.dt.approveRegistration();
    expect(await until(started.scanId, (v) => v.state === 'success', 'the scan')).toMatchObject({ appKey: app.appKey, secret: 'not_stored' });
    expect(await secretsFile()).toBe('');
    await expect(w.call('saveBridge', { name: 'X', groupId: w.groupId, appKey: app.appKey, scanId: started.scanId })).rejects.toMatchObject({
      code: 'scan.no_secret',
    });
  });

  it('the scan asks the app-wide DingTalk, never the sandbox, and in the fake’s words: source CCCC_DINGTALK', async () => {
    w = await startControlWorld({ dingtalk: { registration: { intervalSeconds: 1 } } });
    await w.call('startScan', {});
    expect(w.dt.registrations()[0]!.source).toBe('CCCC_DINGTALK');
    expect(
      w.dt
        .requests()
        .filter((r) => r.api.startsWith('registration.'))
        .map((r) => r.api),
    ).toEqual(['registration.init', 'registration.begin']);
  });
});
