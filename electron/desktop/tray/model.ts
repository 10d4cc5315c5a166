/**
 * What the tray shows, as plain data: one icon state for the app, a status line and Start/Stop
 * per bridge, and the desktop notifications worth interrupting someone for. Main turns these
 * into Electron's Tray, Menu and Notification; the decisions live here, testable without them.
 */
import type { ApiEvent, BridgeStatusView, BridgeSummary, Language, ProblemView } from '../../shared/api';
import { TRAY_TEXT, type TrayText } from '../../core/i18n/tray';
import type { UpdateMenuItem } from '../update';

export const TRAY_STATES = ['stopped', 'connecting', 'connected', 'error'] as const;
export type TrayState = (typeof TRAY_STATES)[number];

/** One bridge's tray state: red only when it needs someone, amber while it is on its way. */
export function bridgeTrayState(status: BridgeStatusView): TrayState {
  switch (status.state) {
    case 'stopped':
      return 'stopped';
    case 'error':
      return 'error';
    case 'starting':
      return 'connecting';
    case 'running':
      return status.dingtalk.status === 'connected' ? 'connected' : 'connecting';
    case 'degraded':
      // A link that is reconnecting heals itself; anything else degraded needs a look.
      return status.dingtalk.status === 'connecting' || status.dingtalk.status === 'reconnecting' ? 'connecting' : 'error';
  }
}

/** The app's icon: the worst of its bridges (error, then connecting, then connected). */
export function appTrayState(bridges: readonly Pick<BridgeSummary, 'status'>[]): TrayState {
  const states = new Set(bridges.map((b) => bridgeTrayState(b.status)));
  for (const s of ['error', 'connecting', 'connected'] as const) if (states.has(s)) return s;
  return 'stopped';
}

export type TrayView = Extract<ApiEvent, { type: 'navigate' }>['view'];

export type TrayAction =
  | { type: 'start'; bridgeId: string }
  | { type: 'stop'; bridgeId: string }
  | { type: 'open'; view: TrayView }
  | { type: 'launch-at-login'; enabled: boolean }
  | { type: 'check-updates' }
  | { type: 'install-update' }
  | { type: 'quit' };

export type TrayMenuItem =
  | { kind: 'status'; label: string }
  | { kind: 'action'; label: string; action: TrayAction }
  | { kind: 'checkbox'; label: string; checked: boolean; action: TrayAction }
  | { kind: 'separator' };

export function trayText(language: Language): TrayText {
  return TRAY_TEXT[language];
}

/** While a check or download runs the entry only reports progress. */
function updateItem(u: UpdateMenuItem): TrayMenuItem {
  if (!u.action) return { kind: 'status', label: u.label };
  return { kind: 'action', label: u.label, action: { type: u.action === 'install' ? 'install-update' : 'check-updates' } };
}

export interface TrayModelInput {
  bridges: readonly Pick<BridgeSummary, 'id' | 'name' | 'status'>[];
  language: Language;
  launchAtLogin: boolean;
  /** The update entry (electron/desktop/update); absent when this build does not update itself. */
  update?: UpdateMenuItem;
}

export interface TrayModel {
  state: TrayState;
  tooltip: string;
  items: TrayMenuItem[];
}

export function trayModel({ bridges, language, launchAtLogin, update }: TrayModelInput): TrayModel {
  const t = trayText(language);
  const state = appTrayState(bridges);
  const items: TrayMenuItem[] = [];
  if (bridges.length === 0) {
    items.push({ kind: 'status', label: t.none }, { kind: 'action', label: t.setUp, action: { type: 'open', view: 'dashboard' } });
  }
  for (const b of bridges) {
    const s = bridgeTrayState(b.status);
    items.push({ kind: 'status', label: `${b.name} — ${t[s]}` });
    const running = b.status.state !== 'stopped';
    items.push({
      kind: 'action',
      label: `${running ? t.stop : t.start} ${b.name}`,
      action: running ? { type: 'stop', bridgeId: b.id } : { type: 'start', bridgeId: b.id },
    });
  }
  items.push(
    { kind: 'separator' },
    { kind: 'action', label: t.dashboard, action: { type: 'open', view: 'dashboard' } },
    { kind: 'action', label: t.logs, action: { type: 'open', view: 'logs' } },
    { kind: 'action', label: t.settings, action: { type: 'open', view: 'settings' } },
    { kind: 'separator' },
    { kind: 'checkbox', label: t.launchAtLogin, checked: launchAtLogin, action: { type: 'launch-at-login', enabled: !launchAtLogin } },
    ...(update ? [updateItem(update)] : []),
    { kind: 'separator' },
    { kind: 'action', label: t.quit, action: { type: 'quit' } },
  );
  const connected = bridges.filter((b) => bridgeTrayState(b.status) === 'connected').length;
  const tooltip = bridges.length === 0 ? t.none : `${t[state]} (${connected}/${bridges.length})`;
  return { state, tooltip, items };
}

export interface TrayNotice {
  /** Same key, same notice: shown once until the bridge connects again. */
  key: string;
  title: string;
  body: string;
  /** Where a click on it leads. */
  view: TrayView;
}

/** Problems nobody but the user can fix; anything retryable on its own stays in the UI. */
function noticeTitle(problem: ProblemView, t: TrayText): string | undefined {
  if (problem.code === 'dingtalk.invalid_credentials') return t.badCredentials;
  if (problem.code === 'dingtalk.no_permission') return t.noPermission;
  if (problem.code === 'cccc.not_running') return t.ccccDown;
  if (!problem.retryable) return t.needsYou;
  return undefined;
}

/**
 * Decides which events become desktop notifications, each once: a problem until its bridge is
 * running and connected again (CCCC reported down by a status counts as a problem), a subscribe
 * request once per request.
 */
export class TrayNotifier {
  private readonly shown = new Set<string>();

  notice(event: ApiEvent, language: Language, bridgeName: (id: string) => string | undefined): TrayNotice | undefined {
    const t = trayText(language);
    if (event.type === 'bridge-status') {
      const s = event.status;
      if (s.cccc.status === 'down') {
        const body = s.cccc.problem ? [s.cccc.problem.message, s.cccc.problem.hint].filter(Boolean).join(' — ') : '';
        return this.once(`problem:${event.bridgeId}:cccc.not_running`, {
          title: `${bridgeName(event.bridgeId) ?? event.bridgeId}: ${t.ccccDown}`,
          body,
          view: 'dashboard',
        });
      }
      // Healthy again: the next failure is news.
      if (s.state === 'running' && s.dingtalk.status === 'connected') {
        for (const key of [...this.shown]) if (key.startsWith(`problem:${event.bridgeId}:`)) this.shown.delete(key);
      }
      return undefined;
    }
    if (event.type === 'problem') {
      const title = noticeTitle(event.problem, t);
      if (!title) return undefined;
      return this.once(`problem:${event.bridgeId}:${event.problem.code}`, {
        title: `${bridgeName(event.bridgeId) ?? event.bridgeId}: ${title}`,
        body: [event.problem.message, event.problem.hint].filter(Boolean).join(' — '),
        view: 'dashboard',
      });
    }
    if (event.type === 'pending') {
      const p = event.pending;
      const who = [p.senderNick, p.chatTitle ?? p.chatId].filter(Boolean).join(' · ');
      return this.once(`pending:${event.bridgeId}:${p.key}`, { title: t.subscribe, body: t.subscribeBody(who), view: 'dashboard' });
    }
    return undefined;
  }

  private once(key: string, notice: Omit<TrayNotice, 'key'>): TrayNotice | undefined {
    if (this.shown.has(key)) return undefined;
    this.shown.add(key);
    return { key, ...notice };
  }
}
