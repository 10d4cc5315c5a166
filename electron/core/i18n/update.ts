/** What the app says about updates (tray entry, notifications), in English and 中文 (see README.md). */

export const UPDATE_TEXT = {
  en: {
    check: 'Check for updates…',
    checking: 'Checking for updates…',
    downloading: (v: string, p: number) => `Downloading ${v}… ${p}%`,
    restart: (v: string) => `Restart to update to ${v}`,
    upToDate: 'You are up to date',
    upToDateBody: (v: string) => `${v} is the newest version.`,
    readyTitle: (v: string) => `Update ${v} is ready`,
    readyBody: 'Click to restart now, or it installs when you quit the app.',
    readyBodyNoQuit: 'Click to restart and install it now.',
    failedTitle: 'Could not update',
    failedBody: (m: string) => `${m} — click to download the new version from the releases page.`,
    blockedMenu: (v: string) => `Update ${v}: download it by hand…`,
    blockedTitle: (v: string) => `Update ${v} was not installed`,
    blockedBody: {
      'unsigned-build':
        'This copy of the app is unsigned, so it cannot verify the signed update. Click to download it from the releases page and install it by hand.',
      'unsigned-update':
        'The update is not signed, unlike this copy of the app, so it was not installed. Click to download it from the releases page if you trust it, and install it by hand.',
    },
  },
  zh: {
    check: '检查更新…',
    checking: '正在检查更新…',
    downloading: (v: string, p: number) => `正在下载 ${v}… ${p}%`,
    restart: (v: string) => `重启以更新到 ${v}`,
    upToDate: '已是最新版本',
    upToDateBody: (v: string) => `${v} 是最新版本。`,
    readyTitle: (v: string) => `更新 ${v} 已就绪`,
    readyBody: '点击立即重启；也会在退出应用时自动安装。',
    readyBodyNoQuit: '点击立即重启并安装。',
    failedTitle: '无法更新',
    failedBody: (m: string) => `${m} — 点击到发布页面下载新版本。`,
    blockedMenu: (v: string) => `更新 ${v}：请手动下载…`,
    blockedTitle: (v: string) => `未安装更新 ${v}`,
    blockedBody: {
      'unsigned-build': '当前应用未签名，无法验证已签名的更新。点击到发布页面下载，并手动安装。',
      'unsigned-update': '该更新未签名，而当前应用已签名，因此没有安装。若你信任它，点击到发布页面下载并手动安装。',
    },
  },
} as const;
