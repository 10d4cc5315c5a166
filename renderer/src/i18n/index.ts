/** i18next set up with the two dictionaries; the language follows the settings, else the OS. */
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import type { Language } from '../../../electron/shared/api';
import { en, type Dictionary } from './en';
import { zh } from './zh';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

export const dictionaries: Record<Language, Dictionary> = { zh, en };

/** The explicit choice, else the first OS/browser language we have (Chinese of any region → zh). */
export function resolveLanguage(choice: Language | undefined, preferred: readonly string[]): Language {
  if (choice) return choice;
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'zh') return 'zh';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export function systemLanguages(): readonly string[] {
  return navigator.languages.length > 0 ? navigator.languages : [navigator.language];
}

export async function createI18n(lng: Language): Promise<I18n> {
  const instance = i18next.createInstance();
  await instance.use(initReactI18next).init({
    lng,
    fallbackLng: 'en',
    resources: { zh: { translation: zh }, en: { translation: en } },
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return instance;
}

export function currentLanguage(i18n: I18n): Language {
  return i18n.language === 'zh' ? 'zh' : 'en';
}

/** The whole dictionary of the current language, for maps keyed by codes with dots in them (permission codes, problem codes). */
export function useDict(): Dictionary {
  const { i18n } = useTranslation();
  return dictionaries[currentLanguage(i18n)];
}

/** <html lang> for screen readers and CJK font selection. */
export function htmlLang(lng: Language): string {
  return lng === 'zh' ? 'zh-CN' : 'en';
}
