/**
 * The language a command-line user reads, from the locale: the first of LC_ALL, LC_MESSAGES and
 * LANG that is set (POSIX precedence), else the system's locale (Windows and macOS terminals often
 * set none of them). 中文 for any `zh…`, English otherwise (also for C/POSIX).
 */
import type { Language } from '../../shared/api';

/**
 * The locale when no variable names one. Windows and macOS keep it outside the environment, so
 * Node is asked there (a Collator: the cheapest Intl object that knows it, ~3 MB of ICU data
 * instead of a DateTimeFormat's ~8 MB — the detached bridge keeps it for weeks). Elsewhere ICU
 * reads the same variables as above, so with none set the answer is POSIX's own default, C.
 */
export function systemLocaleOf(platform: NodeJS.Platform): () => string {
  return platform === 'win32' || platform === 'darwin' ? () => new Intl.Collator().resolvedOptions().locale : () => 'C';
}

export function localeLanguage(env: NodeJS.ProcessEnv, systemLocale: () => string = systemLocaleOf(process.platform)): Language {
  const chosen = [env['LC_ALL'], env['LC_MESSAGES'], env['LANG']].map((v) => v?.trim()).find((v) => v);
  return (chosen ?? systemLocale()).toLowerCase().startsWith('zh') ? 'zh' : 'en';
}
