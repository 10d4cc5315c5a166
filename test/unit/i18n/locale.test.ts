import { describe, expect, it, vi } from 'vitest';
import { localeLanguage, systemLocaleOf } from '../../../electron/core/i18n/locale';

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

  it('none set on Linux: C, without loading ICU locale data (megabytes for the life of a bridge)', () => {
    const collator = vi.spyOn(Intl, 'Collator');
    try {
      expect(systemLocaleOf('linux')()).toBe('C');
      expect(localeLanguage({}, systemLocaleOf('linux'))).toBe('en');
      expect(collator).not.toHaveBeenCalled();
    } finally {
      collator.mockRestore();
    }
  });

  it('none set on Windows and macOS: asks Intl for the system locale', () => {
    for (const platform of ['win32', 'darwin'] as const) expect(systemLocaleOf(platform)()).toBe(new Intl.Collator().resolvedOptions().locale);
  });
});
