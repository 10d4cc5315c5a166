import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeSession, resetFakes, type FakeBrowserWindow, type fakeElectron } from './fake-electron';

const electron = vi.hoisted(() => ({ current: undefined as unknown as ReturnType<typeof fakeElectron> }));
vi.mock('electron', async () => {
  const { fakeElectron: make } = await import('./fake-electron');
  electron.current = make();
  return electron.current;
});

const { createMainWindow, hardenSession, isAppUrl, revealWindow } = await import('../../../electron/main/window');
const { CONTENT_SECURITY_POLICY } = await import('../../../electron/shared/csp');

const page = { url: 'app://bundle/index.html' };

function open(overrides: Partial<Parameters<typeof createMainWindow>[0]> = {}) {
  const openExternal = vi.fn();
  let hide = true;
  const win = createMainWindow({
    page,
    preload: '/opt/app/out/preload/index.cjs',
    title: 'CCCC DingTalk Bridge',
    backgroundColor: '#fff',
    showWhenReady: true,
    hideOnClose: () => hide,
    openExternal,
    ...overrides,
  }) as unknown as FakeBrowserWindow;
  return { win, openExternal, quitting: () => (hide = false) };
}

beforeEach(() => resetFakes());

describe('the app window', () => {
  it('is isolated, sandboxed, without Node, and loads the app page with the CommonJS preload', () => {
    const { win } = open();
    expect(win.options['webPreferences']).toEqual({
      preload: '/opt/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    });
    expect(win.options['show']).toBe(false);
    expect(win.loaded).toBe('app://bundle/index.html');
    win.emit('ready-to-show');
    expect(win.isVisible()).toBe(true);
  });

  it('loads the dev server in development, and stays hidden when launched at login', () => {
    const { win } = open({ page: { url: 'http://localhost:5173/' }, showWhenReady: false });
    expect(win.loaded).toBe('http://localhost:5173/');
    win.emit('ready-to-show');
    expect(win.isVisible()).toBe(false);
  });

  it('blocks navigation away from the app; allowed links go to the system browser', () => {
    const { win, openExternal } = open();
    const wc = win.webContents;
    expect(wc.fire('will-navigate', { url: 'app://bundle/index.html#/logs' })).toBe(false);
    expect(wc.fire('will-navigate', { url: 'https://evil.example/' })).toBe(true);
    expect(wc.fire('will-navigate', { url: 'file:///etc/passwd' })).toBe(true);
    expect(openExternal).not.toHaveBeenCalled();
    expect(wc.fire('will-navigate', { url: 'https://open-dev.dingtalk.com/fe/app' })).toBe(true);
    expect(openExternal).toHaveBeenCalledWith('https://open-dev.dingtalk.com/fe/app');
    expect(wc.fire('will-redirect', { url: 'http://open-dev.dingtalk.com/' })).toBe(true);
    expect(openExternal).toHaveBeenCalledTimes(1);
    expect(wc.fire('will-attach-webview')).toBe(true);
  });

  it('never opens a new window; an allowed https link opens in the system browser', () => {
    const { win, openExternal } = open();
    const handler = win.webContents.openHandler!;
    expect(handler({ url: 'https://github.com/ChesterRa/cccc' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://github.com/ChesterRa/cccc');
    expect(handler({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledTimes(1);
  });

  it('closing hides it to the tray, unless the app is quitting', () => {
    const { win, quitting } = open();
    win.show();
    win.close();
    expect(win.isDestroyed()).toBe(false);
    expect(win.isVisible()).toBe(false);
    quitting();
    win.close();
    expect(win.isDestroyed()).toBe(true);
  });

  it('reveal restores, shows and focuses it', () => {
    const { win } = open();
    win.minimized = true;
    revealWindow(win as never);
    expect([win.isMinimized(), win.isVisible(), win.focused]).toEqual([false, true, true]);
  });
});

describe('the session', () => {
  it('sets a strict CSP header on every response, replacing any other', () => {
    const session = fakeSession();
    hardenSession(page, session as never);
    const listener = session.webRequest.onHeadersReceived.mock.calls[0]![0] as (d: unknown, cb: (r: unknown) => void) => void;
    const callback = vi.fn();
    listener({ responseHeaders: { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] } }, callback);
    expect(callback).toHaveBeenCalledWith({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline/);
  });

  it('denies every permission but clipboard writes from the app page', () => {
    const session = fakeSession();
    hardenSession(page, session as never);
    const request = session.setPermissionRequestHandler.mock.calls[0]![0] as (wc: unknown, p: string, cb: (ok: boolean) => void) => void;
    const check = session.setPermissionCheckHandler.mock.calls[0]![0] as (wc: unknown, p: string) => boolean;
    const appPage = { getURL: () => 'app://bundle/index.html#/wizard' };
    const foreign = { getURL: () => 'https://evil.example/' };
    const answer = (wc: unknown, permission: string): boolean => {
      let granted: boolean | undefined;
      request(wc, permission, (ok) => (granted = ok));
      expect(check(wc, permission)).toBe(granted);
      return granted!;
    };
    expect(answer(appPage, 'clipboard-sanitized-write')).toBe(true);
    expect(answer(foreign, 'clipboard-sanitized-write')).toBe(false);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) expect(answer(appPage, permission)).toBe(false);
    expect(check(null, 'clipboard-sanitized-write')).toBe(false);
  });

  it('applies to the default session when none is given', () => {
    hardenSession(page);
    expect(electron.current.session.defaultSession.webRequest.onHeadersReceived).toHaveBeenCalled();
  });
});

describe('isAppUrl', () => {
  it('matches the app:// bundle by scheme and host, with any path, hash or query', () => {
    expect(isAppUrl('app://bundle/index.html', page)).toBe(true);
    expect(isAppUrl('app://bundle/index.html?x=1#/settings', page)).toBe(true);
    expect(isAppUrl('app://bundle/assets/x.js', page)).toBe(true);
    expect(isAppUrl('app://other/index.html', page)).toBe(false);
    expect(isAppUrl('file:///opt/app/out/renderer/index.html', page)).toBe(false);
    expect(isAppUrl('https://bundle/index.html', page)).toBe(false);
    expect(isAppUrl('not a url', page)).toBe(false);
  });

  it('matches the dev server by scheme, host and port', () => {
    const dev = { url: 'http://localhost:5173/' };
    expect(isAppUrl('http://localhost:5173/#/logs', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5173/', dev)).toBe(false);
    expect(isAppUrl('https://localhost:5173/', dev)).toBe(false);
  });
});
