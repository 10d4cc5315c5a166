/**
 * The language a command-line user reads, from the locale: the first of LC_ALL, LC_MESSAGES and
 * LANG that is set (POSIX precedence), else the system's locale as Node sees it (Windows and
 * macOS terminals often set none of them). 中文 for any `zh…`, English otherwise (also for C/POSIX).
 */
import type { Language } from '../../shared/api';

export function localeLanguage(env: NodeJS.ProcessEnv, systemLocale: () => string = () => Intl.DateTimeFormat().resolvedOptions().locale): Language {
  const chosen = [env['LC_ALL'], env['LC_MESSAGES'], env['LANG']].map((v) => v?.trim()).find((v) => v);
  return (chosen ?? systemLocale()).toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
