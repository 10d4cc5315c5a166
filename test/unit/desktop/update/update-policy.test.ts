import { describe, expect, it } from 'vitest';
import {
  canCheck,
  nextUpdateState,
  NO_UPDATES_ENV,
  parseUpdateFeed,
  releasesPage,
  shortUpdateError,
  updateMenuItem,
  updateNotice,
  updateSupport,
  type UpdateEvent,
  type UpdateState,
  type UpdateSupportInput,
} from '../../../../electron/desktop/update';

const FEED = 'provider: github\nowner: acme\nrepo: cccc-dingtalk-bridge\nupdaterCacheDirName: cccc-dingtalk-bridge-updater\n';

function input(o: Partial<UpdateSupportInput> = {}): UpdateSupportInput {
  return { isPackaged: true, platform: 'win32', env: {}, feedText: FEED, linuxPackageType: undefined, ...o };
}

describe('update feed', () => {
  it('reads owner and repo of the GitHub feed electron-builder writes', () => {
    expect(parseUpdateFeed(FEED)).toEqual({ owner: 'acme', repo: 'cccc-dingtalk-bridge' });
    expect(releasesPage({ owner: 'acme', repo: 'cccc-dingtalk-bridge' })).toBe('https://github.com/acme/cccc-dingtalk-bridge/releases/latest');
  });

  it('no feed without a GitHub provider, an owner and a repo (or for text that is not YAML)', () => {
    expect(parseUpdateFeed('updaterCacheDirName: x\n')).toBeUndefined();
    expect(parseUpdateFeed('provider: generic\nurl: https://example.com\n')).toBeUndefined();
    expect(parseUpdateFeed('provider: github\nowner: acme\n')).toBeUndefined();
    expect(parseUpdateFeed('provider: github\nowner: ""\nrepo: r\n')).toBeUndefined();
    expect(parseUpdateFeed('{ unclosed')).toBeUndefined();
    expect(parseUpdateFeed('just text')).toBeUndefined();
  });
});

describe('updateSupport: who checks for updates', () => {
  it('never in development (not packaged), even with a feed', () => {
    expect(updateSupport(input({ isPackaged: false }))).toEqual({ enabled: false, reason: 'dev' });
  });

  it(`off when ${NO_UPDATES_ENV}=1, or when the build has no feed`, () => {
    expect(updateSupport(input({ env: { [NO_UPDATES_ENV]: '1' } }))).toEqual({ enabled: false, reason: 'disabled' });
    expect(updateSupport(input({ env: { [NO_UPDATES_ENV]: '0' } })).enabled).toBe(true);
    expect(updateSupport(input({ feedText: undefined }))).toEqual({ enabled: false, reason: 'no-feed' });
    expect(updateSupport(input({ feedText: 'updaterCacheDirName: x\n' }))).toEqual({ enabled: false, reason: 'no-feed' });
  });

  it('macOS and Windows: on, installing on quit', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      expect(updateSupport(input({ platform }))).toEqual({ enabled: true, feed: { owner: 'acme', repo: 'cccc-dingtalk-bridge' }, installOnQuit: true });
    }
  });

  it('Linux: the AppImage installs on quit, the .deb only when asked, anything else cannot update itself', () => {
    expect(updateSupport(input({ platform: 'linux', env: { APPIMAGE: '/home/u/Apps/cccc.AppImage' } }))).toMatchObject({ enabled: true, installOnQuit: true });
    expect(updateSupport(input({ platform: 'linux', linuxPackageType: 'deb\n' }))).toMatchObject({ enabled: true, installOnQuit: false });
    expect(updateSupport(input({ platform: 'linux', linuxPackageType: 'rpm' }))).toEqual({ enabled: false, reason: 'unsupported-package' });
    expect(updateSupport(input({ platform: 'linux' }))).toEqual({ enabled: false, reason: 'unsupported-package' });
  });
});

function run(events: UpdateEvent[], from: UpdateState = { kind: 'idle' }): UpdateState {
  return events.reduce(nextUpdateState, from);
}

describe('nextUpdateState', () => {
  it('check → available → progress → downloaded: ready to restart', () => {
    expect(run([{ type: 'check', manual: false }])).toEqual({ kind: 'checking', manual: false });
    expect(
      run([
        { type: 'check', manual: true },
        { type: 'available', version: '1.2.0' },
      ]),
    ).toEqual({ kind: 'downloading', version: '1.2.0', percent: 0, manual: true });
    expect(
      run([
        { type: 'check', manual: false },
        { type: 'available', version: '1.2.0' },
        { type: 'progress', percent: 41.6 },
      ]),
    ).toMatchObject({ percent: 42 });
    expect(
      run([
        { type: 'check', manual: false },
        { type: 'available', version: '1.2.0' },
        { type: 'progress', percent: 140 },
      ]),
    ).toMatchObject({ percent: 100 });
    expect(
      run([
        { type: 'check', manual: false },
        { type: 'available', version: '1.2.0' },
        { type: 'downloaded', version: '1.2.0' },
      ]),
    ).toEqual({ kind: 'ready', version: '1.2.0' });
  });

  it('nothing new → idle; a failure remembers whether the user asked', () => {
    expect(run([{ type: 'check', manual: true }, { type: 'not-available' }])).toEqual({ kind: 'idle' });
    expect(
      run([
        { type: 'check', manual: true },
        { type: 'error', message: 'offline' },
      ]),
    ).toEqual({ kind: 'failed', manual: true, message: 'offline' });
    expect(
      run([
        { type: 'check', manual: false },
        { type: 'available', version: '2.0.0' },
        { type: 'error', message: 'x' },
      ]),
    ).toEqual({ kind: 'failed', manual: false, message: 'x' });
  });

  it('a ready update stays ready through later events; progress outside a download changes nothing', () => {
    const ready: UpdateState = { kind: 'ready', version: '1.2.0' };
    for (const e of [{ type: 'check', manual: true }, { type: 'error', message: 'x' }, { type: 'not-available' }] as UpdateEvent[])
      expect(nextUpdateState(ready, e)).toBe(ready);
    expect(nextUpdateState(ready, { type: 'downloaded', version: '1.3.0' })).toEqual({ kind: 'ready', version: '1.3.0' });
    const idle: UpdateState = { kind: 'idle' };
    expect(nextUpdateState(idle, { type: 'progress', percent: 5 })).toBe(idle);
  });

  it('a manual check joining an automatic one makes it manual; checks start only when nothing runs', () => {
    expect(
      run([
        { type: 'check', manual: false },
        { type: 'check', manual: true },
      ]),
    ).toEqual({ kind: 'checking', manual: true });
    expect(canCheck({ kind: 'idle' })).toBe(true);
    expect(canCheck({ kind: 'failed', manual: false, message: 'x' })).toBe(true);
    expect(canCheck({ kind: 'checking', manual: false })).toBe(false);
    expect(canCheck({ kind: 'downloading', version: '1', percent: 3, manual: false })).toBe(false);
    expect(canCheck({ kind: 'ready', version: '1' })).toBe(false);
  });
});

describe('what the tray and notifications say', () => {
  it('menu entry per state, in English and Chinese', () => {
    expect(updateMenuItem({ kind: 'idle' }, 'en')).toEqual({ label: 'Check for updates…', action: 'check' });
    expect(updateMenuItem({ kind: 'failed', manual: true, message: 'x' }, 'zh')).toEqual({ label: '检查更新…', action: 'check' });
    expect(updateMenuItem({ kind: 'checking', manual: true }, 'en')).toEqual({ label: 'Checking for updates…' });
    expect(updateMenuItem({ kind: 'downloading', version: '1.2.0', percent: 42, manual: false }, 'zh')).toEqual({ label: '正在下载 1.2.0… 42%' });
    expect(updateMenuItem({ kind: 'ready', version: '1.2.0' }, 'en')).toEqual({ label: 'Restart to update to 1.2.0', action: 'install' });
  });

  const o = { language: 'en' as const, currentVersion: '1.1.0', installOnQuit: true };

  it('a downloaded update is announced once per version; clicking installs', () => {
    const downloading: UpdateState = { kind: 'downloading', version: '1.2.0', percent: 99, manual: false };
    expect(updateNotice(downloading, { kind: 'ready', version: '1.2.0' }, o)).toEqual({
      title: 'Update 1.2.0 is ready',
      body: 'Click to restart now, or it installs when you quit the app.',
      onClick: 'install',
    });
    expect(updateNotice({ kind: 'ready', version: '1.2.0' }, { kind: 'ready', version: '1.2.0' }, o)).toBeUndefined();
    expect(updateNotice({ kind: 'ready', version: '1.2.0' }, { kind: 'ready', version: '1.3.0' }, o)?.title).toBe('Update 1.3.0 is ready');
    expect(updateNotice(downloading, { kind: 'ready', version: '1.2.0' }, { ...o, installOnQuit: false })?.body).toBe('Click to restart and install it now.');
  });

  it('"up to date" and failures only for a check the user asked for', () => {
    expect(updateNotice({ kind: 'checking', manual: true }, { kind: 'idle' }, o)).toEqual({
      title: 'You are up to date',
      body: '1.1.0 is the newest version.',
    });
    expect(updateNotice({ kind: 'checking', manual: false }, { kind: 'idle' }, o)).toBeUndefined();
    const failed: UpdateState = { kind: 'failed', manual: true, message: 'net::ERR_INTERNET_DISCONNECTED' };
    expect(updateNotice({ kind: 'checking', manual: true }, failed, { ...o, language: 'zh' })).toEqual({
      title: '无法更新',
      body: 'net::ERR_INTERNET_DISCONNECTED — 点击到发布页面下载新版本。',
      onClick: 'open-releases',
    });
    expect(updateNotice({ kind: 'checking', manual: false }, { ...failed, manual: false }, o)).toBeUndefined();
    expect(updateNotice(failed, failed, o)).toBeUndefined();
  });

  it('errors become one short line', () => {
    expect(shortUpdateError(new Error('HttpError: 404\n"method: GET url: https://github.com/…"\nstack'))).toBe('HttpError: 404');
    expect(shortUpdateError('x'.repeat(400))).toHaveLength(158);
    expect(shortUpdateError(new Error(''))).toBe('Unknown error');
  });
});
