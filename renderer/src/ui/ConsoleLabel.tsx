/**
 * A label of the DingTalk developer console. The console is Chinese first, so the Chinese text
 * is always shown as it appears there, with the English name beside it, whatever the UI language.
 */
export function ConsoleLabel({ zh, en }: { zh: string; en: string }) {
  return (
    <span className="console-label">
      <span lang="zh-CN" className="console-zh">
        {zh}
      </span>{' '}
      <span lang="en" className="console-en">
        ({en})
      </span>
    </span>
  );
}

/** A click path in the console, e.g. 应用开发 → 企业内部应用 → 创建应用. */
export function ConsolePath({ steps }: { steps: ReadonlyArray<readonly [zh: string, en: string]> }) {
  return (
    <span className="console-path">
      {steps.map(([zh, en], i) => (
        <span key={zh}>
          {i > 0 && (
            <span className="console-sep" aria-hidden="true">
              {' → '}
            </span>
          )}
          <ConsoleLabel zh={zh} en={en} />
        </span>
      ))}
    </span>
  );
}

/** The console labels the wizard refers to, in one place. */
export const CONSOLE = {
  openPlatform: ['钉钉开放平台', 'DingTalk Open Platform'],
  devConsole: ['开发者后台', 'Developer Console'],
  appDev: ['应用开发', 'Application Development'],
  internal: ['企业内部应用', 'Internal Development'],
  create: ['创建应用', 'Create Application'],
  appName: ['应用名称', 'Application Name'],
  appDesc: ['应用描述', 'Application Description'],
  appIcon: ['应用图标', 'Application Icon'],
  confirm: ['确定', 'Confirm'],
  permissions: ['权限管理', 'Permissions'],
  capabilities: ['添加应用能力', 'Application Capabilities'],
  robot: ['机器人', 'Robot'],
  robotConfig: ['机器人配置', 'Robot Configuration'],
  receiveMode: ['消息接收模式', 'Message receiving mode'],
  streamMode: ['Stream 模式', 'Stream mode'],
  publish: ['发布', 'Publish'],
  versions: ['版本管理与发布', 'Version Management and Release'],
  newVersion: ['创建新版本', 'Create a new version'],
  visibility: ['可见范围', 'Visibility'],
  allStaff: ['全部员工', 'All employees'],
  departments: ['部分部门', 'Specific departments'],
  users: ['部分员工', 'Specific users'],
  credentials: ['凭证与基础信息', 'Credentials & Basic Info'],
  groupSettings: ['群设置', 'Group settings'],
  addRobot: ['添加机器人', 'Add robot'],
} as const satisfies Record<string, readonly [string, string]>;
