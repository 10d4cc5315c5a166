/** Light/dark: the setting, or the OS preference when it is `system` (followed live). */
import { useEffect, useState } from 'react';
import type { AppSettingsView } from '../../electron/shared/api';

const QUERY = '(prefers-color-scheme: dark)';

export function useSystemDark(): boolean {
  const [dark, setDark] = useState(() => window.matchMedia(QUERY).matches);
  useEffect(() => {
    const mq = window.matchMedia(QUERY);
    const on = (e: MediaQueryListEvent): void => setDark(e.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return dark;
}

export function resolveTheme(theme: AppSettingsView['theme'], systemDark: boolean): 'light' | 'dark' {
  return theme === 'system' ? (systemDark ? 'dark' : 'light') : theme;
}
