/**
 * The desktop app's lifecycle. One instance (a second launch shows the window); when Electron
 * is ready: the stores and the vault, the control services, the bridges marked "start
 * automatically", the tray, then the window (hidden when the OS launched us at login). Closing
 * the window keeps the app in the tray; quitting (tray or app menu) first stops every bridge —
 * what is not delivered yet stays in its outbox on disk for the next start.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, dialog, ipcMain, Menu, nativeTheme, powerMonitor, protocol, safeStorage, shell, type BrowserWindow } from 'electron';
import fileLog from 'electron-log/node';
import { createAutostart, launchedAtLogin } from '../desktop/autostart';
import { importDesktopBridges } from '../core/config/import-app-store';
import { resolveConfigHome } from '../core/config/paths';
import { FileProfileStore } from '../core/control/file-stores';
import { LogHub } from '../core/control/log-hub';
import { createControlService, type ControlService } from '../core/control/service';
import type { HostAdapter } from '../core/control/stores';
import { APP_INDEX_URL, APP_SCHEME, serveAppFile } from '../desktop/app-protocol';
import { watchNetwork } from '../desktop/network-watch';
import { toProblem } from '../core/errors';
import { waitAtMost } from '../core/util/sleep';
import { TrayNotifier, trayModel, type TrayAction, type TrayView } from '../desktop/tray/model';
import type { ApiEvent, Language, LogView } from '../shared/api';
import { APP_NAME } from '../shared/app-info';
import { createSandboxHost } from '../sandbox/host';
import { broadcast, registerIpc } from './ipc';
import { finishSmokeTest, isSmokeTest, runSmokeTest, type SmokeExit } from './smoke-test';
import { AppTray } from './tray';
import { createUpdater } from './updater';
import { LEGACY_PROFILES, openAppStore, StoreAppSettings, Vault } from './vault';
import { CONTENT_SECURITY_POLICY } from '../shared/csp';
import { createMainWindow, hardenSession, revealWindow, type AppPage } from './window';

/** Windows shows notifications only for an app with an AppUserModelID. */
export const APP_USER_MODEL_ID = 'io.github.chesterra.cccc-dingtalk-bridge';
/** Quitting waits this long for the bridges to stop; their outboxes are on disk either way. */
const QUIT_TIMEOUT_MS = 15_000;

function appPage(): AppPage {
  const dev = process.env['ELECTRON_RENDERER_URL'];
  return { url: !app.isPackaged && dev ? dev : APP_INDEX_URL };
}

/** app://bundle/… serves the built renderer (see desktop/app-protocol). */
function serveRenderer(): void {
  const root = join(import.meta.dirname, '../renderer');
  protocol.handle(APP_SCHEME, async (request) => {
    const r = await serveAppFile(root, request.url, CONTENT_SECURITY_POLICY);
    return new Response(typeof r.body === 'string' ? r.body : new Uint8Array(r.body), { status: r.status, headers: r.headers });
  });
}

/** The app's language: the one chosen in Settings, else the OS's. */
function languageOf(chosen: Language | undefined): Language {
  return chosen ?? (app.getLocale().toLowerCase().startsWith('zh') ? 'zh' : 'en');
}

/**
 * Every LogHub record (already redacted) also goes to a file that rotates at 5 MB, to read after
 * the app is gone. electron-log's Node flavour: the Electron one would add IPC handlers of its own.
 */
function fileLogSink(): (record: LogView) => void {
  fileLog.transports.file.resolvePathFn = () => join(app.getPath('logs'), 'main.log');
  fileLog.transports.file.maxSize = 5 * 1024 * 1024;
  fileLog.transports.file.level = 'info';
  fileLog.transports.console.level = app.isPackaged ? false : 'info';
  return (r) => fileLog[r.level](`[${r.bridgeId ? `${r.bridgeId} ` : ''}${r.scope}] ${r.msg}`, ...(r.fields ? [r.fields] : []));
}

/** macOS needs an app menu for Quit and for copy/paste in text fields; elsewhere the window has none. */
function installAppMenu(): void {
  if (process.platform !== 'darwin') {
    Menu.setApplicationMenu(null);
    return;
  }
  Menu.setApplicationMenu(Menu.buildFromTemplate([{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }]));
}

export function runApp(): void {
  const smokeTest = isSmokeTest(process.argv);
  const smokeExit = (stop: () => Promise<void>): SmokeExit => ({
    stop,
    exit: (code) => app.exit(code),
    write: (line) => void process.stderr.write(`${line}\n`),
  });
  if (!app.requestSingleInstanceLock()) {
    if (smokeTest)
      void finishSmokeTest(
        { ok: false, message: 'another instance of the app is running' },
        smokeExit(async () => undefined),
      );
    else app.quit();
    return;
  }
  // Before ready, or Chromium will not treat app:// as a secure origin of its own; Vite's module
  // scripts are fetched in CORS mode, which Chromium allows only for CORS-enabled schemes.
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  ]);

  let win: BrowserWindow | undefined;
  let service: ControlService | undefined;
  let quitting = false;
  let closed = false;
  let closing: Promise<void> | undefined;
  const cleanups: (() => void)[] = [];
  const windows = (): BrowserWindow[] => (win && !win.isDestroyed() ? [win] : []);
  const showWindow = (): void => {
    if (win && !win.isDestroyed()) revealWindow(win);
  };
  const open = (view: TrayView): void => {
    showWindow();
    broadcast(windows(), { type: 'navigate', view });
  };

  // Another launch shows this one, unless it was the OS starting us at login again.
  app.on('second-instance', (_event, argv) => {
    if (!launchedAtLogin(argv)) showWindow();
  });
  app.on('activate', showWindow);
  // The app lives in the tray: no window is no reason to quit.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    quitting = true;
    if (closed || !service) return;
    event.preventDefault();
    const s = service;
    closing ??= (async () => {
      await waitAtMost(s.close(), QUIT_TIMEOUT_MS);
      for (const cleanup of cleanups.splice(0)) cleanup();
      closed = true;
      app.quit();
    })();
  });

  const start = async (): Promise<void> => {
    if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
    installAppMenu();
    const logHub = new LogHub();
    cleanups.push(logHub.subscribe(fileLogSink()));
    const log = logHub.logger('app');

    const autostart = createAutostart({
      platform: process.platform,
      env: process.env,
      homedir: homedir(),
      execPath: process.execPath,
      id: 'cccc-dingtalk-bridge',
      name: APP_NAME,
      comment: 'Connects a CCCC working group to DingTalk',
      loginItems: { get: (q) => app.getLoginItemSettings(q), set: (s) => app.setLoginItemSettings(s) },
    });
    // The bridges are the CLI's too: config.json of its config folder (an older app's come in once).
    const configHome = resolveConfigHome({ env: process.env });
    const profiles = new FileProfileStore(configHome, { host: 'app' });
    const store = openAppStore();
    const imported = await importDesktopBridges({
      config: profiles.config,
      profiles: store.get(LEGACY_PROFILES),
      storeFile: store.path,
      oldHome: app.getPath('userData'),
    });
    if (imported.added.length > 0)
      log.info('Bridges of the older app copied into the shared configuration', { file: profiles.config.file, bridges: imported.added });
    if (imported.skipped.length > 0)
      log.warn('Bridges of the older app not copied: the shared configuration has bridges of the same ids', {
        file: profiles.config.file,
        bridges: imported.skipped,
      });
    // A damaged config.json stops the app here, with the file and line in the error box.
    await profiles.list();
    const appSettings = new StoreAppSettings(store, () => autostart.isEnabled());
    const host: HostAdapter = {
      openExternal: (url) =>
        shell.openExternal(url).then(
          () => true,
          () => false,
        ),
      async chooseExportPath(defaultName) {
        const options = { defaultPath: join(app.getPath('downloads'), defaultName), filters: [{ name: 'JSON Lines', extensions: ['jsonl'] }] };
        const w = windows()[0];
        const result = await (w ? dialog.showSaveDialog(w, options) : dialog.showSaveDialog(options));
        return result.canceled || !result.filePath ? undefined : result.filePath;
      },
      async setLaunchAtLogin(enabled) {
        await autostart.setEnabled(enabled);
      },
    };
    const s = createControlService({
      profiles,
      secrets: new Vault(store, safeStorage),
      appSettings,
      host,
      logHub,
      configHome,
      hostKind: 'app',
      env: process.env,
      // Stopped by service.close() when the app quits.
      sandbox: createSandboxHost({ env: process.env, log: (line) => log.info(line) }),
    });
    service = s;

    const page = appPage();
    hardenSession(page);
    serveRenderer();
    cleanups.push(registerIpc({ ipcMain, handlers: s.handlers, page, windows, log }));

    // The tray follows every state change; refreshes that pile up run once.
    let language = languageOf(undefined);
    const names = new Map<string, string>();
    let refreshing = false;
    let again = false;
    const refreshTray = (): void => {
      if (refreshing) {
        again = true;
        return;
      }
      refreshing = true;
      void (async () => {
        do {
          again = false;
          try {
            const [bridges, settings, launchAtLogin] = await Promise.all([s.handlers.listBridges({}), appSettings.get(), autostart.isEnabled()]);
            language = languageOf(settings.language);
            names.clear();
            for (const b of bridges) names.set(b.id, b.name);
            if (!closed) tray.update(trayModel({ bridges, language, launchAtLogin, update: updater.menuItem(language) }));
          } catch (err) {
            log.warn('Could not update the tray', { code: toProblem(err).code });
          }
        } while (again);
        refreshing = false;
      })();
    };
    const act = (action: TrayAction): void => {
      const report = (err: unknown): void => log.warn(`Tray action ${action.type} failed`, { code: toProblem(err).code });
      switch (action.type) {
        case 'start':
          void s.handlers.startBridge({ bridgeId: action.bridgeId }).catch(report);
          return;
        case 'stop':
          void s.handlers.stopBridge({ bridgeId: action.bridgeId }).catch(report);
          return;
        case 'open':
          open(action.view);
          return;
        case 'launch-at-login':
          void s.handlers.setAppSettings({ launchAtLogin: action.enabled }).catch(report).finally(refreshTray);
          return;
        case 'check-updates':
          updater.check();
          return;
        case 'install-update':
          updater.install();
          return;
        case 'quit':
          app.quit();
      }
    };
    const tray = new AppTray({ iconsDir: join(app.getAppPath(), 'assets', 'tray'), platform: process.platform, onAction: act });
    cleanups.push(() => tray.destroy());
    // Update checks (packaged builds with a release feed only): news goes to the tray and its notifications.
    const updater = createUpdater({
      log: logHub.logger('updater'),
      language: () => language,
      notify: (notice, onClick) => tray.notify({ key: `update:${notice.title}`, title: notice.title, body: notice.body, view: 'dashboard' }, onClick),
      onChange: refreshTray,
      openExternal: (url) => void host.openExternal(url),
      beforeInstall: () => {
        quitting = true;
      },
    });
    cleanups.push(() => updater.dispose());

    const notifier = new TrayNotifier();
    cleanups.push(
      s.events.subscribe((event: ApiEvent) => {
        broadcast(windows(), event);
        const notice = notifier.notice(event, language, (id) => names.get(id));
        if (notice) tray.notify(notice, () => open(notice.view));
        if (event.type !== 'log') refreshTray();
      }),
    );

    // After sleep or a network change, connections are replaced at once rather than left to time out.
    const onResume = (): void => s.supervisor.onResume();
    powerMonitor.on('resume', onResume);
    cleanups.push(() => powerMonitor.off('resume', onResume));
    cleanups.push(watchNetwork({ onChange: () => s.supervisor.onNetworkChange() }));

    log.info('Started', { version: app.getVersion(), platform: process.platform });
    // A smoke test connects to nothing.
    if (!smokeTest) void s.supervisor.autoStart();
    refreshTray();

    const macLogin = process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin;
    win = createMainWindow({
      page,
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      title: APP_NAME,
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#ffffff',
      showWhenReady: !launchedAtLogin(process.argv, macLogin),
      hideOnClose: () => !quitting,
      openExternal: (url) => void host.openExternal(url),
    });
    if (smokeTest) {
      const stop = async (): Promise<void> => {
        await s.close();
        for (const cleanup of cleanups.splice(0)) cleanup();
        closed = true;
      };
      void runSmokeTest({ tray: () => tray.isAlive(), page: () => win?.webContents }).then((result) => finishSmokeTest(result, smokeExit(stop)));
    }
  };

  void app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      // Nothing works without the stores (e.g. a damaged settings file): say so, do not linger in the tray.
      const p = toProblem(err, 'app.start_failed');
      if (smokeTest)
        return finishSmokeTest(
          { ok: false, message: [p.message, p.hint].filter(Boolean).join(' — ') },
          smokeExit(async () => undefined),
        );
      dialog.showErrorBox(APP_NAME, [p.message, p.hint].filter(Boolean).join('\n\n'));
      closed = true;
      app.quit();
    });
}
