/**
 * "Check for updates" against the GitHub releases feed, with electron-updater. Off unless the
 * app is packaged with a feed (never in development, see electron/desktop/update). An update
 * downloads in the background, then the tray offers "Restart to update"; automatic checks run
 * shortly after start and every few hours and stay quiet unless an update is ready.
 * electron-updater is imported only when updates are on: development never loads it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { app } from 'electron';
import type { AppUpdater, ProgressInfo, UpdateInfo } from 'electron-updater';
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
} from '../desktop/update';
import { detectSignedness, signatureVerdict, updateSignedness, type Signedness } from '../desktop/update/signature';
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
  /** Whether this build is code-signed; default: detectSignedness(). */
  signedness?: () => Promise<Signedness>;
  /** Default process.platform. */
  platform?: NodeJS.Platform;
}

export interface Updater {
  readonly support: UpdateSupport;
  /** Settles once electron-updater is loaded and listened to (or failed to load). */
  readonly ready: Promise<void>;
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
  // Unpackaged (development, tests) there is no resources folder to look into.
  const packaged = app.isPackaged;
  return updateSupport({
    isPackaged: packaged,
    platform: process.platform,
    env: process.env,
    feedText: packaged ? readOptional(join(resourcesPath, 'app-update.yml')) : undefined,
    linuxPackageType: packaged && process.platform === 'linux' ? readOptional(join(resourcesPath, 'package-type')) : undefined,
  });
}

/** electron-updater, loaded only when updates are on (it is CommonJS: autoUpdater is a getter on the module). */
export async function loadAutoUpdater(): Promise<AppUpdater> {
  return (await import('electron-updater')).default.autoUpdater;
}

export function createUpdater(o: UpdaterOptions, support: UpdateSupport = detectUpdateSupport(), load: () => Promise<AppUpdater> = loadAutoUpdater): Updater {
  if (!support.enabled) {
    o.log.info('Update checks are off', { reason: support.reason });
    return { support, ready: Promise.resolve(), menuItem: () => undefined, check: () => undefined, install: () => undefined, dispose: () => undefined };
  }
  const feed = support.feed;
  let updater: AppUpdater | undefined;
  let disposed = false;

  const platform = o.platform ?? process.platform;
  let running: Signedness = 'unsigned';
  let state: UpdateState = { kind: 'idle' };
  const install = (): void => {
    if (state.kind === 'blocked') {
      o.openExternal(releasesPage(feed));
      return;
    }
    if (state.kind !== 'ready' || !updater) return;
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

  /** False (and never installed on quit) when the update's signature does not match this build's. */
  const allowed = (info: UpdateInfo): boolean => {
    const verdict = signatureVerdict(platform, running, updateSignedness(info));
    if (verdict.install) return true;
    if (updater) updater.autoInstallOnAppQuit = false;
    if (state.kind !== 'blocked' || state.version !== info.version)
      o.log.warn('Update not installed: its signature does not match this build', { version: info.version, why: verdict.why });
    dispatch({ type: 'blocked', version: info.version, why: verdict.why });
    return false;
  };
  const onAvailable = (info: UpdateInfo): void => {
    if (allowed(info)) dispatch({ type: 'available', version: info.version });
  };
  const onNotAvailable = (): void => dispatch({ type: 'not-available' });
  const onProgress = (p: ProgressInfo): void => dispatch({ type: 'progress', percent: p.percent });
  const onDownloaded = (info: UpdateInfo): void => {
    if (allowed(info)) dispatch({ type: 'downloaded', version: info.version });
  };
  const onError = (err: Error): void => {
    // A signed build refusing an unsigned download (Windows): said like any other refusal, never only logged.
    if ((err as { code?: unknown }).code === 'ERR_UPDATER_INVALID_SIGNATURE' && state.kind === 'downloading') {
      o.log.warn("Update not installed: it is not signed by this build's publisher", { version: state.version });
      dispatch({ type: 'blocked', version: state.version, why: 'unsigned-update' });
    } else dispatch({ type: 'error', message: shortUpdateError(err) });
  };

  const ready = Promise.all([
    load(),
    (o.signedness ?? (() => detectSignedness({ platform, resourcesPath: process.resourcesPath, execPath: process.execPath })))().catch(
      (): Signedness => 'unsigned',
    ),
  ]).then(
    ([u, signed]) => {
      if (disposed) return;
      running = signed;
      updater = u;
      u.autoDownload = true;
      u.autoInstallOnAppQuit = support.installOnQuit;
      u.logger = {
        info: (m: unknown) => o.log.debug(String(m)),
        warn: (m: unknown) => o.log.warn(String(m)),
        error: (m: unknown) => o.log.warn(String(m)),
        debug: () => undefined,
      };
      u.on('update-available', onAvailable);
      u.on('update-not-available', onNotAvailable);
      u.on('download-progress', onProgress);
      u.on('update-downloaded', onDownloaded);
      u.on('error', onError);
    },
    (err: unknown) => o.log.warn('Could not load the updater', { message: shortUpdateError(err) }),
  );

  const run = (manual: boolean): void => {
    if (!canCheck(state)) return;
    dispatch({ type: 'check', manual });
    const checkNow = (): void => {
      if (!updater) {
        dispatch({ type: 'error', message: 'The updater is not available' });
        return;
      }
      // Failures also arrive as 'error' events; the state machine reports them once.
      updater.checkForUpdates().catch((err: unknown) => dispatch({ type: 'error', message: shortUpdateError(err) }));
    };
    if (updater) checkNow();
    else void ready.then(checkNow);
  };
  const first = setTimeout(() => run(false), FIRST_CHECK_DELAY_MS);
  const every = setInterval(() => run(false), CHECK_INTERVAL_MS);
  first.unref();
  every.unref();
  o.log.info('Update checks are on', { feed: `${feed.owner}/${feed.repo}`, installOnQuit: support.installOnQuit });

  return {
    support,
    ready,
    menuItem: (language) => updateMenuItem(state, language),
    check: () => run(true),
    install,
    dispose() {
      disposed = true;
      clearTimeout(first);
      clearInterval(every);
      if (!updater) return;
      updater.removeListener('update-available', onAvailable);
      updater.removeListener('update-not-available', onNotAvailable);
      updater.removeListener('download-progress', onProgress);
      updater.removeListener('update-downloaded', onDownloaded);
      updater.removeListener('error', onError);
    },
  };
}
