import { describe, expect, it } from 'vitest';
import { localeLanguage } from '../../../electron/core/i18n/locale';

const system = (locale: string) => () => locale;

describe('localeLanguage (the CLI follows the locale)', () => {
  it('LANG=zh_CN.UTF-8 is 中文; en_US, C and POSIX are English', () => {
    expect(localeLanguage({ LANG: 'zh_CN.UTF-8' }, system('en-US'))).toBe('zh');
    expect(localeLanguage({ LANG: 'zh_TW.UTF-8' }, system('en-US'))).toBe('zh');
    expect(localeLanguage({ LANG: 'en_US.UTF-8' }, system('zh-CN'))).toBe('en');
    expect(localeLanguage({ LANG: 'C' }, system('zh-CN'))).toBe('en');
    expect(localeLanguage({ LANG: 'POSIX' }, system('zh-CN'))).toBe('en');
  });

  it('LC_ALL wins over LC_MESSAGES, which wins over LANG; empty ones do not count', () => {
    expect(localeLanguage({ LC_ALL: 'en_US.UTF-8', LC_MESSAGES: 'zh_CN.UTF-8', LANG: 'zh_CN.UTF-8' }, system('zh-CN'))).toBe('en');
    expect(localeLanguage({ LC_MESSAGES: 'zh_CN.UTF-8', LANG: 'en_US.UTF-8' }, system('en-US'))).toBe('zh');
    expect(localeLanguage({ LC_ALL: ' ', LC_MESSAGES: '', LANG: 'zh_CN.UTF-8' }, system('en-US'))).toBe('zh');
  });

  it("none set (Windows, macOS terminals): the system's locale", () => {
    expect(localeLanguage({}, system('zh-Hans-CN'))).toBe('zh');
    expect(localeLanguage({}, system('de-DE'))).toBe('en');
  });
});
