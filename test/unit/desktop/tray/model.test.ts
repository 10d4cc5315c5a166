import { describe, expect, it } from 'vitest';
import type { BridgeStatusView, ProblemView } from '../../../../electron/shared/api';
import { appTrayState, bridgeTrayState, TrayNotifier, trayModel } from '../../../../electron/desktop/tray/model';

function status(state: BridgeStatusView['state'], dingtalk: BridgeStatusView['dingtalk']['status'] = 'idle'): BridgeStatusView {
  return { state, dingtalk: { status: dingtalk }, cccc: { status: 'up' }, outboxDepth: 0, inboxDepth: 0 };
}

describe('tray state', () => {
  it('maps each bridge state to an icon state', () => {
    expect(bridgeTrayState(status('stopped'))).toBe('stopped');
    expect(bridgeTrayState(status('starting', 'connecting'))).toBe('connecting');
    expect(bridgeTrayState(status('running', 'connected'))).toBe('connected');
    expect(bridgeTrayState(status('running', 'reconnecting'))).toBe('connecting');
    expect(bridgeTrayState(status('degraded', 'reconnecting'))).toBe('connecting');
    expect(bridgeTrayState(status('degraded', 'connected'))).toBe('error');
    expect(bridgeTrayState(status('error', 'error'))).toBe('error');
  });

  it('shows the worst state of all bridges', () => {
    expect(appTrayState([])).toBe('stopped');
    expect(appTrayState([{ status: status('stopped') }, { status: status('running', 'connected') }])).toBe('connected');
    expect(appTrayState([{ status: status('starting') }, { status: status('running', 'connected') }])).toBe('connecting');
    expect(appTrayState([{ status: status('error') }, { status: status('starting') }])).toBe('error');
  });
});

describe('tray menu', () => {
  const bridges = [
    { id: 'a', name: 'Alpha', status: status('running', 'connected') },
    { id: 'b', name: 'Beta', status: status('stopped') },
  ];

  it('has a status line and Start/Stop per bridge, then the app entries', () => {
    const m = trayModel({ bridges, language: 'en', launchAtLogin: true });
    expect(m.state).toBe('connected');
    expect(m.tooltip).toBe('Connected (1/2)');
    expect(m.items.slice(0, 4)).toEqual([
      { kind: 'status', label: 'Alpha — Connected' },
      { kind: 'action', label: 'Stop Alpha', action: { type: 'stop', bridgeId: 'a' } },
      { kind: 'status', label: 'Beta — Stopped' },
      { kind: 'action', label: 'Start Beta', action: { type: 'start', bridgeId: 'b' } },
    ]);
    const labels = m.items.filter((i) => i.kind !== 'separator').map((i) => i.label);
    expect(labels.slice(4)).toEqual(['Open dashboard', 'View logs', 'Settings…', 'Launch at login', 'Quit']);
    expect(m.items.find((i) => i.kind === 'checkbox')).toEqual({
      kind: 'checkbox',
      label: 'Launch at login',
      checked: true,
      action: { type: 'launch-at-login', enabled: false },
    });
  });

  it('speaks Chinese and offers set-up when there is no bridge', () => {
    const m = trayModel({ bridges: [], language: 'zh', launchAtLogin: false });
    expect(m.state).toBe('stopped');
    expect(m.items[0]).toEqual({ kind: 'status', label: '尚未设置桥接' });
    expect(m.items[1]).toMatchObject({ kind: 'action', action: { type: 'open', view: 'dashboard' } });
    expect(m.items.at(-1)).toEqual({ kind: 'action', label: '退出', action: { type: 'quit' } });
  });
});

describe('desktop notifications', () => {
  const problem = (code: string, retryable: boolean): ProblemView => ({ code, message: `${code} happened`, hint: 'do this', retryable });
  const name = (id: string) => (id === 'a' ? 'Alpha' : undefined);

  it('tells about problems only the user can fix, once until the bridge connects again', () => {
    const n = new TrayNotifier();
    const bad = { type: 'problem', bridgeId: 'a', problem: problem('dingtalk.invalid_credentials', false) } as const;
    expect(n.notice(bad, 'en', name)).toEqual({
      key: 'problem:a:dingtalk.invalid_credentials',
      title: 'Alpha: DingTalk rejected the AppKey/AppSecret',
      body: 'dingtalk.invalid_credentials happened — do this',
      view: 'dashboard',
    });
    expect(n.notice(bad, 'en', name)).toBeUndefined();
    expect(n.notice({ type: 'bridge-status', bridgeId: 'a', status: status('running', 'connected') }, 'en', name)).toBeUndefined();
    expect(n.notice(bad, 'en', name)).toBeDefined();
  });

  it('covers missing permissions, CCCC down and other dead ends, not what heals itself', () => {
    const n = new TrayNotifier();
    const title = (code: string, retryable: boolean) => n.notice({ type: 'problem', bridgeId: 'x', problem: problem(code, retryable) }, 'zh', name)?.title;
    expect(title('dingtalk.no_permission', false)).toBe('x: 钉钉应用缺少权限');
    expect(title('cccc.not_running', true)).toBe('x: CCCC 未运行');
    expect(title('cccc.own_bridge_running', false)).toBe('x: 桥接需要处理');
    expect(title('dingtalk.rate_limited', true)).toBeUndefined();
    expect(n.notice({ type: 'bridges-changed' }, 'en', name)).toBeUndefined();
  });

  it('tells once that CCCC is down, from a status, and again after it came back and went down', () => {
    const n = new TrayNotifier();
    const down: BridgeStatusView = { ...status('degraded', 'connected'), cccc: { status: 'down', problem: problem('cccc.not_running', true) } };
    const event = (s: BridgeStatusView) => ({ type: 'bridge-status', bridgeId: 'a', status: s }) as const;
    expect(n.notice(event(down), 'en', name)).toMatchObject({ title: 'Alpha: CCCC is not running', body: 'cccc.not_running happened — do this' });
    expect(n.notice(event(down), 'en', name)).toBeUndefined();
    // The same problem as an event is the same notice.
    expect(n.notice({ type: 'problem', bridgeId: 'a', problem: problem('cccc.not_running', true) }, 'en', name)).toBeUndefined();
    expect(n.notice(event(status('running', 'connected')), 'en', name)).toBeUndefined();
    expect(n.notice(event(down), 'en', name)).toBeDefined();
  });

  it('announces each subscribe request once', () => {
    const n = new TrayNotifier();
    const pending = {
      type: 'pending',
      bridgeId: 'a',
      pending: { key: 'k1', chatId: 'cid1', chatTitle: 'Team', senderNick: 'Li Lei', createdAt: 1, expiresAt: 2 },
    } as const;
    expect(n.notice(pending, 'en', name)).toMatchObject({
      title: 'A DingTalk chat asks to subscribe',
      body: 'Li Lei · Team — approve or reject it in the dashboard.',
    });
    expect(n.notice(pending, 'en', name)).toBeUndefined();
  });
});
