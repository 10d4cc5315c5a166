/**
 * Where each tray icon lives under assets/tray, per platform. The generator (assets/tray/
 * generate.ts) writes these files; main loads them. macOS gets template images (black + alpha,
 * the `Template` suffix tells the OS to tint them for light and dark menu bars) with an @2x twin,
 * Windows one .ico holding every size its DPI settings use, Linux a PNG with an @2x twin.
 */
import { join } from 'node:path';
import type { TrayState } from './model';

export const TRAY_ICON_SIZE = 16;
/** Windows tray sizes at 100–300 % display scaling. */
export const WINDOWS_ICO_SIZES = [16, 20, 24, 32, 40, 48] as const;

export type IconPlatform = 'mac' | 'win' | 'linux';

export function iconPlatform(platform: NodeJS.Platform): IconPlatform {
  return platform === 'darwin' ? 'mac' : platform === 'win32' ? 'win' : 'linux';
}

/** The file to load for a state; for PNGs the @2x sibling is found by name. */
export function trayIconFile(platform: NodeJS.Platform, state: TrayState): string {
  const p = iconPlatform(platform);
  if (p === 'mac') return join('mac', `${state}Template.png`);
  if (p === 'win') return join('win', `${state}.ico`);
  return join('linux', `${state}.png`);
}

/** The @2x sibling of a PNG icon (`connected.png` → `connected@2x.png`). */
export function retinaSibling(file: string): string {
  return file.replace(/\.png$/, '@2x.png');
}
