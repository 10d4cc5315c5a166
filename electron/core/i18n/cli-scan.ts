/** `cccc-dingtalk set --scan` (one-scan setup, docs/dingtalk-protocol.md §11): what it says, in English and 中文. */
import type { Language } from '../../shared/api';

const CONSOLE = 'https://open-dev.dingtalk.com';

const en = {
  asking: 'Asking DingTalk for a code to scan…',
  scanThis: 'Scan this QR code with DingTalk on your phone (an enterprise admin) and confirm creating the app:',
  orOpen: (url: string) => `Or open DingTalk's page for it: ${url}`,
  code: (code: string) => `Code: ${code}`,
  waiting: (until: string) => `Waiting for the scan, until ${until} (Ctrl-C cancels)…`,
  created: (appKey: string) => `DingTalk created the app ${appKey} (a robot with Stream mode).`,
  secretOnce: 'Its Client Secret is shown this once only and kept nowhere else. Put both in the environment that starts the bridge:',
  readWith: (keyEnv: string, secretEnv: string) =>
    `The bridge reads them with --app-key-env ${keyEnv} --app-secret-env ${secretEnv} (give other names with these options).`,
  next: 'Then `cccc-dingtalk doctor` checks what one scan cannot set up — the permissions to send messages and files, the published version, Stream mode — and says how to fix each in the developer console.',
  refused: 'DingTalk does not offer one-scan setup here.',
  failed: 'The scan did not create an app.',
  expired: 'The QR code expired before it was scanned.',
  error: 'One-scan setup did not work this time.',
  cancelled: 'Scan cancelled; nothing was changed.',
  manual: `Create the app by hand instead in the DingTalk developer console (${CONSOLE}), then: cccc-dingtalk set --group … --app-key-env … --app-secret-env …`,
  again: 'Run `cccc-dingtalk set --scan` again for a new code.',
};

export type CliScanText = typeof en;

const zh: CliScanText = {
  asking: '正在向钉钉申请二维码…',
  scanThis: '请用手机钉钉（企业管理员）扫描此二维码，并确认创建应用：',
  orOpen: (url: string) => `或打开钉钉为它准备的页面：${url}`,
  code: (code: string) => `验证码：${code}`,
  waiting: (until: string) => `正在等待扫码，有效期至 ${until}（按 Ctrl-C 取消）…`,
  created: (appKey: string) => `钉钉已创建应用 ${appKey}（开启 Stream 模式的机器人）。`,
  secretOnce: '它的 Client Secret 只显示这一次，不会保存在任何地方。请把两者都放进启动桥接的环境中：',
  readWith: (keyEnv: string, secretEnv: string) => `桥接通过 --app-key-env ${keyEnv} --app-secret-env ${secretEnv} 读取它们（可用这两个选项改用其他名字）。`,
  next: '然后运行 `cccc-dingtalk doctor`：它会检查扫码无法完成的设置——发送消息和文件的权限、已发布的版本、Stream 模式——并说明如何在开发者后台逐项修正。',
  refused: '钉钉在这里不支持扫码创建应用。',
  failed: '扫码没有创建应用。',
  expired: '二维码在扫描前已过期。',
  error: '这次扫码创建没有成功。',
  cancelled: '已取消扫码，没有做任何更改。',
  manual: `请改为在钉钉开发者后台（${CONSOLE}）手动创建应用，然后运行：cccc-dingtalk set --group … --app-key-env … --app-secret-env …`,
  again: '再次运行 `cccc-dingtalk set --scan` 获取新的二维码。',
};

export const CLI_SCAN_TEXT: Record<Language, CliScanText> = { en, zh };
