import { EventEmitter } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memoryLogger } from '../../../electron/core/log/logger';
import type { AppUpdater } from 'electron-updater';
import { CHECK_INTERVAL_MS, FIRST_CHECK_DELAY_MS, type UpdateNotice, type UpdateSupport } from '../../../electron/desktop/update';
import type { Signedness } from '../../../electron/desktop/update/signature';

const fake = vi.hoisted(() => ({ app: { isPackaged: true, getVersion: () => '1.1.0' } }));

vi.mock('electron', () => ({ app: fake.app }));

const { createUpdater, detectUpdateSupport } = await import('../../../electron/main/updater');

class FakeAutoUpdater extends EventEmitter {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  logger: unknown = null;
  checkForUpdates = vi.fn(() => Promise.resolve(null));
  quitAndInstall = vi.fn();
}

const FEED = { owner: 'acme', repo: 'cccc-dingtalk-bridge' };
const ON: UpdateSupport = { enabled: true, feed: FEED, installOnQuit: true };

async function harness(
  support: UpdateSupport = ON,
  load: () => Promise<AppUpdater> = () => Promise.resolve(au as unknown as AppUpdater),
  signing: { platform?: NodeJS.Platform; running?: Signedness } = {},
) {
  const notices: { notice: UpdateNotice; click: () => void }[] = [];
  const opened: string[] = [];
  const log = memoryLogger();
  const options = {
    log,
    language: () => 'en' as const,
    notify: (notice: UpdateNotice, click: () => void) => notices.push({ notice, click }),
    onChange: vi.fn(),
    openExternal: (url: string) => opened.push(url),
    beforeInstall: vi.fn(),
    ...(signing.platform ? { platform: signing.platform } : {}),
    ...(signing.running ? { signedness: () => Promise.resolve(signing.running!) } : {}),
  };
  const updater = createUpdater(options, support, load);
  await updater.ready;
  return { updater, notices, opened, log, options };
}

let au: FakeAutoUpdater;

beforeEach(() => {
  vi.useFakeTimers();
  au = new FakeAutoUpdater();
  fake.app.isPackaged = true;
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('updater: off', () => {
  it('a build that does not update itself touches no electron-updater and shows no tray entry', async () => {
    const { updater, log } = await harness({ enabled: false, reason: 'dev' });
    updater.check();
    vi.advanceTimersByTime(CHECK_INTERVAL_MS * 2);
    expect(au.checkForUpdates).not.toHaveBeenCalled();
    expect(au.listenerCount('error')).toBe(0);
    expect(updater.menuItem('en')).toBeUndefined();
    expect(log.records.map((r) => r.msg)).toContain('Update checks are off');
  });
});

describe('updater: detectUpdateSupport reads what electron-builder put beside the app', () => {
  let resources: string;
  beforeEach(async () => {
    resources = await mkdtemp(join(tmpdir(), 'cccc-updater-'));
  });
  afterEach(async () => {
    await rm(resources, { recursive: true, force: true });
  });

  it('development (not packaged): off, whatever files exist', async () => {
    fake.app.isPackaged = false;
    await writeFile(join(resources, 'app-update.yml'), 'provider: github\nowner: acme\nrepo: r\n');
    expect(detectUpdateSupport(resources)).toEqual({ enabled: false, reason: 'dev' });
  });

  it('packaged: the feed from app-update.yml; without one, off', async () => {
    expect(detectUpdateSupport(resources)).toEqual({ enabled: false, reason: 'no-feed' });
    await writeFile(join(resources, 'app-update.yml'), 'provider: github\nowner: acme\nrepo: r\n');
    if (process.platform === 'linux') {
      vi.stubEnv('APPIMAGE', '');
      expect(detectUpdateSupport(resources)).toEqual({ enabled: false, reason: 'unsupported-package' });
      await writeFile(join(resources, 'package-type'), 'deb\n');
      expect(detectUpdateSupport(resources)).toEqual({ enabled: true, feed: { owner: 'acme', repo: 'r' }, installOnQuit: false });
    } else {
      expect(detectUpdateSupport(resources)).toEqual({ enabled: true, feed: { owner: 'acme', repo: 'r' }, installOnQuit: true });
    }
  });
});

describe('updater: on', () => {
  it('downloads in the background and installs on quit; checks after start-up, then every few hours', async () => {
    const { updater } = await harness();
    expect(au.autoDownload).toBe(true);
    expect(au.autoInstallOnAppQuit).toBe(true);
    expect(au.logger).not.toBeNull();
    expect(updater.menuItem('en')).toEqual({ label: 'Check for updates…', action: 'check' });
    vi.advanceTimersByTime(FIRST_CHECK_DELAY_MS - 1);
    expect(au.checkForUpdates).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(au.checkForUpdates).toHaveBeenCalledTimes(1);
    au.emit('update-not-available', { version: '1.1.0' });
    vi.advanceTimersByTime(CHECK_INTERVAL_MS);
    expect(au.checkForUpdates).toHaveBeenCalledTimes(2);
    updater.dispose();
  });

  it('a .deb never installs silently on quit', async () => {
    await harness({ enabled: true, feed: FEED, installOnQuit: false });
    expect(au.autoInstallOnAppQuit).toBe(false);
  });

  it('manual check with nothing new: "up to date"; the tray shows the check while it runs', async () => {
    const { updater, notices, options } = await harness();
    updater.check();
    expect(au.checkForUpdates).toHaveBeenCalledTimes(1);
    expect(updater.menuItem('en')).toEqual({ label: 'Checking for updates…' });
    updater.check();
    expect(au.checkForUpdates).toHaveBeenCalledTimes(1);
    au.emit('update-not-available', { version: '1.1.0' });
    expect(notices.map((n) => n.notice.title)).toEqual(['You are up to date']);
    expect(updater.menuItem('en')).toEqual({ label: 'Check for updates…', action: 'check' });
    expect(options.onChange).toHaveBeenCalled();
    updater.dispose();
  });

  it('an update found by an automatic check downloads quietly, then offers a restart that installs it', async () => {
    const { updater, notices, options } = await harness();
    vi.advanceTimersByTime(FIRST_CHECK_DELAY_MS);
    au.emit('update-available', { version: '1.2.0' });
    au.emit('download-progress', { percent: 37.2 });
    expect(updater.menuItem('en')).toEqual({ label: 'Downloading 1.2.0… 37%' });
    expect(notices).toEqual([]);
    au.emit('update-downloaded', { version: '1.2.0' });
    expect(updater.menuItem('en')).toEqual({ label: 'Restart to update to 1.2.0', action: 'install' });
    expect(notices.map((n) => n.notice)).toEqual([
      { title: 'Update 1.2.0 is ready', body: 'Click to restart now, or it installs when you quit the app.', onClick: 'install' },
    ]);
    // Later checks do not run while the update waits for its restart.
    vi.advanceTimersByTime(CHECK_INTERVAL_MS);
    expect(au.checkForUpdates).toHaveBeenCalledTimes(1);
    notices[0]!.click();
    expect(options.beforeInstall).toHaveBeenCalledTimes(1);
    expect(au.quitAndInstall).toHaveBeenCalledTimes(1);
    expect(options.beforeInstall.mock.invocationCallOrder[0]).toBeLessThan(au.quitAndInstall.mock.invocationCallOrder[0]!);
    updater.dispose();
  });

  it('install does nothing before an update is downloaded', async () => {
    const { updater, options } = await harness();
    updater.install();
    expect(options.beforeInstall).not.toHaveBeenCalled();
    expect(au.quitAndInstall).not.toHaveBeenCalled();
    updater.dispose();
  });

  it('a manual check that fails (error event and rejected promise) is reported once and leads to the releases page', async () => {
    const { updater, notices, opened, log } = await harness();
    au.checkForUpdates.mockImplementationOnce(() => {
      au.emit('error', new Error('net::ERR_NAME_NOT_RESOLVED\n    at stack'));
      return Promise.reject(new Error('net::ERR_NAME_NOT_RESOLVED'));
    });
    updater.check();
    await vi.waitFor(() => expect(log.records.some((r) => r.msg === 'Update check failed')).toBe(true));
    await Promise.resolve();
    expect(notices.map((n) => n.notice)).toEqual([
      { title: 'Could not update', body: 'net::ERR_NAME_NOT_RESOLVED — click to download the new version from the releases page.', onClick: 'open-releases' },
    ]);
    notices[0]!.click();
    expect(opened).toEqual(['https://github.com/acme/cccc-dingtalk-bridge/releases/latest']);
    expect(updater.menuItem('en')).toEqual({ label: 'Check for updates…', action: 'check' });
    updater.dispose();
  });

  it('an automatic check that fails is only logged', async () => {
    const { updater, notices, log } = await harness();
    vi.advanceTimersByTime(FIRST_CHECK_DELAY_MS);
    au.emit('error', new Error('HttpError: 403 rate limited'));
    expect(notices).toEqual([]);
    expect(log.records.find((r) => r.msg === 'Update check failed')?.fields).toEqual({ message: 'HttpError: 403 rate limited' });
    updater.dispose();
  });

  it('electron-updater that fails to load: a manual check says so instead of hanging', async () => {
    const { updater, notices, log } = await harness(ON, () => Promise.reject(new Error('Cannot find module')));
    expect(log.records.find((r) => r.msg === 'Could not load the updater')?.fields).toEqual({ message: 'Cannot find module' });
    updater.check();
    await vi.waitFor(() =>
      expect(notices.map((n) => n.notice.body)).toEqual(['The updater is not available — click to download the new version from the releases page.']),
    );
    updater.dispose();
  });

  it('dispose stops the timers and unsubscribes', async () => {
    const { updater } = await harness();
    updater.dispose();
    vi.advanceTimersByTime(CHECK_INTERVAL_MS * 2);
    expect(au.checkForUpdates).not.toHaveBeenCalled();
    for (const event of ['update-available', 'update-not-available', 'download-progress', 'update-downloaded', 'error'])
      expect(au.listenerCount(event)).toBe(0);
  });
});

describe('updater: signatures', () => {
  const RELEASES = 'https://github.com/acme/cccc-dingtalk-bridge/releases/latest';

  it.each([
    ['win32', 'signed', false, /not signed, unlike this copy/],
    ['darwin', 'signed', false, /not signed, unlike this copy/],
    ['win32', 'unsigned', true, /This copy of the app is unsigned/],
    ['darwin', 'unsigned', true, /This copy of the app is unsigned/],
  ] as const)('%s, %s build, update signed=%s: not installed, and an automatic check says why and how', async (platform, running, signed, why) => {
    const { updater, notices, opened, log } = await harness(ON, undefined, { platform, running });
    vi.advanceTimersByTime(FIRST_CHECK_DELAY_MS);
    au.emit('update-available', { version: '1.2.0', signed });
    expect(au.autoInstallOnAppQuit).toBe(false);
    au.emit('update-downloaded', { version: '1.2.0', signed });
    expect(notices).toHaveLength(1);
    expect(notices[0]!.notice.title).toBe('Update 1.2.0 was not installed');
    expect(notices[0]!.notice.body).toMatch(why);
    expect(notices[0]!.notice.body).toMatch(/install it by hand/);
    expect(updater.menuItem('en')).toEqual({ label: 'Update 1.2.0: download it by hand…', action: 'install' });
    updater.install();
    expect(au.quitAndInstall).not.toHaveBeenCalled();
    expect(opened).toEqual([RELEASES]);
    notices[0]!.click();
    expect(opened).toEqual([RELEASES, RELEASES]);
    expect(log.records.some((r) => r.msg.startsWith('Update not installed'))).toBe(true);
    updater.dispose();
  });

  it('in 中文 too', async () => {
    const fakeNotices: UpdateNotice[] = [];
    const updater = createUpdater(
      {
        log: memoryLogger(),
        language: () => 'zh',
        notify: (n) => fakeNotices.push(n),
        onChange: vi.fn(),
        openExternal: vi.fn(),
        beforeInstall: vi.fn(),
        platform: 'win32',
        signedness: () => Promise.resolve('unsigned'),
      },
      ON,
      () => Promise.resolve(au as unknown as AppUpdater),
    );
    await updater.ready;
    au.emit('update-available', { version: '1.2.0', signed: true });
    expect(fakeNotices[0]).toMatchObject({ title: '未安装更新 1.2.0', body: expect.stringMatching(/当前应用未签名.*手动安装/) });
    updater.dispose();
  });

  it('a signed Windows build refusing an unsigned download is said, not only logged', async () => {
    const { updater, notices } = await harness(ON, undefined, { platform: 'win32', running: 'signed' });
    vi.advanceTimersByTime(FIRST_CHECK_DELAY_MS);
    au.emit('update-available', { version: '1.2.0' });
    au.emit('error', Object.assign(new Error('New version 1.2.0 is not signed by the application owner'), { code: 'ERR_UPDATER_INVALID_SIGNATURE' }));
    expect(notices.map((n) => n.notice.title)).toEqual(['Update 1.2.0 was not installed']);
    updater.dispose();
  });

  it.each([
    ['win32', 'signed', true],
    ['darwin', 'unsigned', false],
    ['linux', 'unsigned', true],
    ['win32', 'unsigned', undefined],
  ] as const)('%s, %s build, update signed=%s: installs as before', async (platform, running, signed) => {
    const { updater, notices } = await harness(ON, undefined, { platform, running });
    au.emit('update-available', { version: '1.2.0', signed });
    au.emit('update-downloaded', { version: '1.2.0', signed });
    expect(au.autoInstallOnAppQuit).toBe(true);
    expect(notices.map((n) => n.notice.title)).toEqual(['Update 1.2.0 is ready']);
    updater.install();
    expect(au.quitAndInstall).toHaveBeenCalledTimes(1);
    updater.dispose();
  });
});
