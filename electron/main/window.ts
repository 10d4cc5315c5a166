/**
 * The one app window, hardened: isolated and sandboxed renderer, a strict CSP, no navigation
 * away from the app's own page, no new windows (allowed links open in the system browser), no
 * permissions, no <webview>. Closing it hides it; only the tray or app menu quits.
 */
import { BrowserWindow, session as electronSession, type Session, type WebContents } from 'electron';
import { isAllowedExternal } from '../shared/api';
import { CONTENT_SECURITY_POLICY } from '../shared/csp';

/** Where the app's page is: app://bundle/index.html, or the dev server under `electron-vite dev`. */
export interface AppPage {
  url: string;
}

/** Whether `url` is on the app's own origin (any path, hash or query), so IPC and navigation may trust it. */
export function isAppUrl(url: string, page: AppPage): boolean {
  try {
    const u = new URL(url);
    const own = new URL(page.url);
    // Compared by scheme and host: URL.origin is "null" for custom schemes such as app:.
    return u.protocol === own.protocol && u.host === own.host;
  } catch {
    return false;
  }
}

export interface MainWindowOptions {
  page: AppPage;
  /** The bundled CommonJS preload. */
  preload: string;
  title: string;
  /** Painted before the page, so opening in dark mode does not flash white. */
  backgroundColor: string;
  /** Show it once painted; false when launched at login (it stays in the tray). */
  showWhenReady: boolean;
  /** False while the app is quitting: then a close really closes. */
  hideOnClose: () => boolean;
  /** Opens an allowed https URL in the system browser. */
  openExternal: (url: string) => void;
  icon?: string;
}

/** Blocks navigation, new windows, <webview> and every permission request for one web contents. */
export function hardenContents(contents: WebContents, page: AppPage, openExternal: (url: string) => void): void {
  const leave = (event: { preventDefault(): void }, url: string): void => {
    if (isAppUrl(url, page)) return;
    event.preventDefault();
    if (isAllowedExternal(url)) openExternal(url);
  };
  contents.on('will-navigate', (event) => leave(event, event.url));
  contents.on('will-redirect', (event) => leave(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/** The one permission the page needs: the wizard's copy buttons write to the clipboard. */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);

/**
 * The CSP as a response header of the dev server too (app:// answers carry it themselves, and
 * the page has it as a meta tag); every permission denied except writing to the clipboard from
 * the app's own page.
 */
export function hardenSession(page: AppPage, session: Session = electronSession.defaultSession): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  const allowed = (contents: WebContents | null, permission: string): boolean =>
    ALLOWED_PERMISSIONS.has(permission) && contents !== null && isAppUrl(contents.getURL(), page);
  session.setPermissionRequestHandler((contents, permission, callback) => callback(allowed(contents, permission)));
  session.setPermissionCheckHandler((contents, permission) => allowed(contents, permission));
}

export function createMainWindow(o: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1040,
    height: 720,
    minWidth: 720,
    minHeight: 520,
    title: o.title,
    show: false,
    backgroundColor: o.backgroundColor,
    ...(o.icon ? { icon: o.icon } : {}),
    webPreferences: {
      preload: o.preload,
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
    },
  });
  hardenContents(win.webContents, o.page, o.openExternal);
  if (o.showWhenReady) win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    if (!o.hideOnClose()) return;
    event.preventDefault();
    win.hide();
  });
  void win.loadURL(o.page.url);
  return win;
}

/** Brings the window to the front (second launch, tray, notification click). */
export function revealWindow(win: BrowserWindow): void {
  if (win.isMinimized()) win.restore();
  if (!win.isVisible()) win.show();
  win.focus();
}
