/**
 * "Check for updates", decided here as plain data: whether this build can update itself at all
 * (never in development), what the tray shows while a check runs, and which outcomes deserve a
 * desktop notification. electron/main/updater.ts drives electron-updater with these; the feed
 * is the GitHub releases feed electron-builder writes into the app as app-update.yml.
 */
import { parse as parseYaml } from 'yaml';
import type { Language } from '../../shared/api';
import { UPDATE_TEXT } from '../../core/i18n/update';

/** Set to 1 to turn update checks off (e.g. a managed machine that deploys versions itself). */
export const NO_UPDATES_ENV = 'CCCC_DINGTALK_NO_UPDATES';
/** The first automatic check waits until start-up work is done; then one every few hours. */
export const FIRST_CHECK_DELAY_MS = 60_000;
export const CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

export interface UpdateFeed {
  owner: string;
  repo: string;
}

/** The GitHub feed in electron-builder's app-update.yml; undefined when it names none. */
export function parseUpdateFeed(text: string): UpdateFeed | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const { provider, owner, repo } = doc as Record<string, unknown>;
  if (provider !== 'github' || typeof owner !== 'string' || typeof repo !== 'string' || !owner || !repo) return undefined;
  return { owner, repo };
}

/** Where people download a release by hand (an update that cannot install itself points here). */
export function releasesPage(feed: UpdateFeed): string {
  return `https://github.com/${encodeURIComponent(feed.owner)}/${encodeURIComponent(feed.repo)}/releases/latest`;
}

export type UpdateSupport =
  { enabled: true; feed: UpdateFeed; installOnQuit: boolean } | { enabled: false; reason: 'dev' | 'disabled' | 'no-feed' | 'unsupported-package' };

export interface UpdateSupportInput {
  /** Electron's app.isPackaged: false when run from the checkout. */
  isPackaged: boolean;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** resources/app-update.yml, if the build has one. */
  feedText: string | undefined;
  /** resources/package-type on Linux (electron-builder writes `deb` there for the .deb). */
  linuxPackageType: string | undefined;
}

/**
 * Whether this copy of the app checks for updates. Never in development; on Linux only the
 * AppImage and the .deb can replace themselves. A .deb installs through pkexec, so it never
 * installs silently on quit: only when the user asks for it.
 */
export function updateSupport(o: UpdateSupportInput): UpdateSupport {
  if (!o.isPackaged) return { enabled: false, reason: 'dev' };
  if (o.env[NO_UPDATES_ENV] === '1') return { enabled: false, reason: 'disabled' };
  const feed = o.feedText === undefined ? undefined : parseUpdateFeed(o.feedText);
  if (!feed) return { enabled: false, reason: 'no-feed' };
  if (o.platform === 'linux') {
    const packageType = o.linuxPackageType?.trim();
    if (o.env.APPIMAGE) return { enabled: true, feed, installOnQuit: true };
    if (packageType === 'deb') return { enabled: true, feed, installOnQuit: false };
    return { enabled: false, reason: 'unsupported-package' };
  }
  return { enabled: true, feed, installOnQuit: true };
}

/** What the updater is doing; `manual` marks a check the user asked for (it reports every outcome). */
export type UpdateState =
  | { kind: 'idle' }
  | { kind: 'checking'; manual: boolean }
  | { kind: 'downloading'; version: string; percent: number; manual: boolean }
  | { kind: 'ready'; version: string }
  /** Downloaded or found, but its signature does not match this build's: installed by hand only. */
  | { kind: 'blocked'; version: string; why: 'unsigned-build' | 'unsigned-update' }
  | { kind: 'failed'; manual: boolean; message: string };

export type UpdateEvent =
  | { type: 'check'; manual: boolean }
  | { type: 'available'; version: string }
  | { type: 'not-available' }
  | { type: 'progress'; percent: number }
  | { type: 'downloaded'; version: string }
  | { type: 'blocked'; version: string; why: 'unsigned-build' | 'unsigned-update' }
  | { type: 'error'; message: string };

export function nextUpdateState(state: UpdateState, event: UpdateEvent): UpdateState {
  // A downloaded update stays ready: later automatic checks must not hide the restart item.
  if (state.kind === 'ready' && event.type !== 'downloaded') return state;
  // A refused version stays refused (its download finishing changes nothing); a newer one is judged again.
  if (state.kind === 'blocked' && (event.type !== 'available' || event.version === state.version) && event.type !== 'blocked') return state;
  const manual = state.kind === 'checking' || state.kind === 'downloading' || state.kind === 'failed' ? state.manual : false;
  switch (event.type) {
    case 'check':
      return { kind: 'checking', manual: event.manual || (state.kind === 'checking' && state.manual) };
    case 'available':
      return { kind: 'downloading', version: event.version, percent: 0, manual };
    case 'progress':
      return state.kind === 'downloading' ? { ...state, percent: Math.max(0, Math.min(100, Math.round(event.percent))) } : state;
    case 'downloaded':
      return { kind: 'ready', version: event.version };
    case 'blocked':
      return { kind: 'blocked', version: event.version, why: event.why };
    case 'not-available':
      return { kind: 'idle' };
    case 'error':
      return { kind: 'failed', manual, message: event.message };
  }
}

/** A check may start unless one is running or an update waits for its restart. */
export function canCheck(state: UpdateState): boolean {
  return state.kind === 'idle' || state.kind === 'failed' || state.kind === 'blocked';
}

export type UpdateMenuAction = 'check' | 'install';

export interface UpdateMenuItem {
  label: string;
  /** Absent while a check or download runs (the item is shown greyed out). */
  action?: UpdateMenuAction;
}

/** The tray's update entry for a state. */
export function updateMenuItem(state: UpdateState, language: Language): UpdateMenuItem {
  const t = UPDATE_TEXT[language];
  switch (state.kind) {
    case 'checking':
      return { label: t.checking };
    case 'downloading':
      return { label: t.downloading(state.version, state.percent) };
    case 'ready':
      return { label: t.restart(state.version), action: 'install' };
    case 'blocked':
      // "install" here opens the releases page: the update is installed by hand.
      return { label: t.blockedMenu(state.version), action: 'install' };
    case 'idle':
    case 'failed':
      return { label: t.check, action: 'check' };
  }
}

export interface UpdateNotice {
  title: string;
  body: string;
  /** What a click on the notification does. */
  onClick?: 'install' | 'open-releases';
}

/**
 * The notification for moving from `prev` to `next`, if any: a ready update always (once per
 * version); "up to date" and failures only when the user asked (automatic checks stay quiet).
 */
export function updateNotice(
  prev: UpdateState,
  next: UpdateState,
  o: { language: Language; currentVersion: string; installOnQuit: boolean },
): UpdateNotice | undefined {
  const t = UPDATE_TEXT[o.language];
  if (next.kind === 'ready' && !(prev.kind === 'ready' && prev.version === next.version)) {
    return { title: t.readyTitle(next.version), body: o.installOnQuit ? t.readyBody : t.readyBodyNoQuit, onClick: 'install' };
  }
  if (next.kind === 'idle' && prev.kind === 'checking' && prev.manual) {
    return { title: t.upToDate, body: t.upToDateBody(o.currentVersion) };
  }
  // Never silent, manual check or not: the person must learn why and how to update by hand.
  if (next.kind === 'blocked' && !(prev.kind === 'blocked' && prev.version === next.version)) {
    return { title: t.blockedTitle(next.version), body: t.blockedBody[next.why], onClick: 'open-releases' };
  }
  if (next.kind === 'failed' && next.manual && prev.kind !== 'failed') {
    return { title: t.failedTitle, body: t.failedBody(next.message), onClick: 'open-releases' };
  }
  return undefined;
}

/** electron-updater's errors can be long (HTTP bodies, stack traces): one short line for people. */
export function shortUpdateError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = text.split('\n')[0]?.trim() ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}…` : line || 'Unknown error';
}
