/** The tray menu's and its notifications' words, in English and 中文 (one catalogue per area: see README.md). */
import type { Language } from '../../shared/api';

export const TRAY_TEXT = {
  en: {
    stopped: 'Stopped',
    connecting: 'Connecting…',
    connected: 'Connected',
    error: 'Needs attention',
    start: 'Start',
    stop: 'Stop',
    none: 'No bridge set up yet',
    setUp: 'Set up a bridge…',
    dashboard: 'Open dashboard',
    logs: 'View logs',
    settings: 'Settings…',
    launchAtLogin: 'Launch at login',
    quit: 'Quit',
    badCredentials: 'DingTalk rejected the AppKey/AppSecret',
    noPermission: 'The DingTalk app lacks a permission',
    ccccDown: 'CCCC is not running',
    needsYou: 'A bridge needs your attention',
    subscribe: 'A DingTalk chat asks to subscribe',
    subscribeBody: (who: string) => `${who} — approve or reject it in the dashboard.`,
  },
  zh: {
    stopped: '已停止',
    connecting: '正在连接…',
    connected: '已连接',
    error: '需要处理',
    start: '启动',
    stop: '停止',
    none: '尚未设置桥接',
    setUp: '设置桥接…',
    dashboard: '打开仪表盘',
    logs: '查看日志',
    settings: '设置…',
    launchAtLogin: '登录时启动',
    quit: '退出',
    badCredentials: '钉钉拒绝了 AppKey/AppSecret',
    noPermission: '钉钉应用缺少权限',
    ccccDown: 'CCCC 未运行',
    needsYou: '桥接需要处理',
    subscribe: '有钉钉会话请求订阅',
    subscribeBody: (who: string) => `${who} — 请在仪表盘中批准或拒绝。`,
  },
} as const;

export type TrayText = (typeof TRAY_TEXT)[Language];
