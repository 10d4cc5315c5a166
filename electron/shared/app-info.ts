/** Facts about the app that main, preload and renderer all show. */
export const APP_NAME = 'CCCC DingTalk Bridge';
export const DINGTALK_CONSOLE_URL = 'https://open-dev.dingtalk.com/';
export const CCCC_PROJECT_URL = 'https://github.com/ChesterRa/cccc';

export interface AppInfo {
  name: string;
  version: string;
  platform: string;
}
