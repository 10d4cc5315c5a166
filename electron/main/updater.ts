/**
 * "Check for updates" against the GitHub releases feed, with electron-updater. Off unless the
 * app is packaged with a feed (never in development, see electron/core/update). An update
 * downloads in the background, then the tray offers "Restart to update"; automatic checks run
 * shortly after start and every few hours and stay quiet unless an update is ready.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { app } from 'electron';
import electronUpdater, { type ProgressInfo, type UpdateInfo } from 'electron-updater';
import type { Logger } from '../core/log/logger';
import {
  canCheck,
  CHECK_INTERVAL_MS,
  FIRST_CHECK_DELAY_MS,
  nextUpdateState,
  releasesPage,
  shortUpdateError,
  updateMenuItem,
  updateNotice,
  updateSupport,
  type UpdateEvent,
  type UpdateMenuItem,
  type UpdateNotice,
  type UpdateState,
  type UpdateSupport,
} from '../core/update';
import type { Language } from '../shared/api';

export interface UpdaterOptions {
  log: Logger;
  language: () => Language;
  /** Shows a desktop notification; `onClick` runs when it is clicked. */
  notify: (notice: UpdateNotice, onClick: () => void) => void;
  /** The tray's update entry changed. */
  onChange: () => void;
  openExternal: (url: string) => void;
  /** Runs just before quitting to install, so closing the window really quits. */
  beforeInstall: () => void;
}

export interface Updater {
  readonly support: UpdateSupport;
  /** The tray's entry; undefined when this build does not update itself. */
  menuItem(language: Language): UpdateMenuItem | undefined;
  /** A check the user asked for: every outcome is reported. */
  check(): void;
  /** Quits and installs a downloaded update. */
  install(): void;
  dispose(): void;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** What electron-builder put next to the app: the feed and, on Linux, the package type. */
export function detectUpdateSupport(resourcesPath: string = process.resourcesPath): UpdateSupport {
  return updateSupport({
    isPackaged: app.isPackaged,
    platform: process.platform,
    env: process.env,
    feedText: app.isPackaged ? readOptional(join(resourcesPath, 'app-update.yml')) : undefined,
    linuxPackageType: process.platform === 'linux' ? readOptional(join(resourcesPath, 'package-type')) : undefined,
  });
}

export function createUpdater(o: UpdaterOptions, support: UpdateSupport = detectUpdateSupport()): Updater {
  if (!support.enabled) {
    o.log.info('Update checks are off', { reason: support.reason });
    return { support, menuItem: () => undefined, check: () => undefined, install: () => undefined, dispose: () => undefined };
  }
  const feed = support.feed;
  // electron-updater is CommonJS: its autoUpdater is a getter on the module object.
  const updater = electronUpdater.autoUpdater;
  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = support.installOnQuit;
  updater.logger = { info: (m: unknown) => o.log.debug(String(m)), warn: (m: unknown) => o.log.warn(String(m)), error: (m: unknown) => o.log.warn(String(m)), debug: () => undefined };

  let state: UpdateState = { kind: 'idle' };
  const install = (): void => {
    if (state.kind !== 'ready') return;
    o.log.info('Restarting to install an update', { version: state.version });
    o.beforeInstall();
    updater.quitAndInstall();
  };
  const dispatch = (event: UpdateEvent): void => {
    const prev = state;
    state = nextUpdateState(prev, event);
    if (state === prev) return;
    if (state.kind === 'failed' && prev.kind !== 'failed') o.log.warn('Update check failed', { message: state.message });
    if (state.kind === 'ready' && prev.kind !== 'ready') o.log.info('Update downloaded', { version: state.version });
    const notice = updateNotice(prev, state, { language: o.language(), currentVersion: app.getVersion(), installOnQuit: support.installOnQuit });
    if (notice) {
      o.notify(notice, () => {
        if (notice.onClick === 'install') install();
        else if (notice.onClick === 'open-releases') o.openExternal(releasesPage(feed));
      });
    }
    o.onChange();
  };

  const onAvailable = (info: UpdateInfo): void => dispatch({ type: 'available', version: info.version });
  const onNotAvailable = (): void => dispatch({ type: 'not-available' });
  const onProgress = (p: ProgressInfo): void => dispatch({ type: 'progress', percent: p.percent });
  const onDownloaded = (info: UpdateInfo): void => dispatch({ type: 'downloaded', version: info.version });
  const onError = (err: Error): void => dispatch({ type: 'error', message: shortUpdateError(err) });
  updater.on('update-available', onAvailable);
  updater.on('update-not-available', onNotAvailable);
  updater.on('download-progress', onProgress);
  updater.on('update-downloaded', onDownloaded);
  updater.on('error', onError);

  const run = (manual: boolean): void => {
    if (!canCheck(state)) return;
    dispatch({ type: 'check', manual });
    // Failures also arrive as 'error' events; the state machine reports them once.
    updater.checkForUpdates().catch((err: unknown) => dispatch({ type: 'error', message: shortUpdateError(err) }));
  };
  const first = setTimeout(() => run(false), FIRST_CHECK_DELAY_MS);
  const every = setInterval(() => run(false), CHECK_INTERVAL_MS);
  first.unref();
  every.unref();
  o.log.info('Update checks are on', { feed: `${feed.owner}/${feed.repo}`, installOnQuit: support.installOnQuit });

  return {
    support,
    menuItem: (language) => updateMenuItem(state, language),
    check: () => run(true),
    install,
    dispose() {
      clearTimeout(first);
      clearInterval(every);
      updater.removeListener('update-available', onAvailable);
      updater.removeListener('update-not-available', onNotAvailable);
      updater.removeListener('download-progress', onProgress);
      updater.removeListener('update-downloaded', onDownloaded);
      updater.removeListener('error', onError);
    },
  };
}
