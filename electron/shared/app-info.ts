/** Facts about the app that main, preload and renderer all show. */
export const APP_NAME = 'CCCC DingTalk Bridge';
export const DINGTALK_CONSOLE_URL = 'https://open-dev.dingtalk.com/';
/** The console's card platform (卡片平台), where an organization makes its card templates. */
export const DINGTALK_CARD_PLATFORM_URL = 'https://open-dev.dingtalk.com/fe/card';
/** The button-card template the sandbox's card platform has (the only one besides DingTalk's public AI card). */
export const SANDBOX_BUTTON_TEMPLATE = 'cccc-sandbox-buttons.schema';
export const CCCC_PROJECT_URL = 'https://github.com/ChesterRa/cccc';

export interface AppInfo {
  name: string;
  version: string;
  platform: string;
}
