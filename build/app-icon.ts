/**
 * The installers' and the app's icon, rendered at build time from the tray's one source
 * (assets/tray/tray.svg): its chat bubble in white on a DingTalk-blue rounded square. Writes
 * build/icons/ (not committed): icon.icns (macOS), icon.ico (Windows), NxN.png (Linux) and a
 * 1024 px icon.png. `npm run icons:app` runs it; the `dist` scripts run it before packaging.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { ico, readTraySource } from '../assets/tray/generate';

export const APP_ICON_DIR = join(import.meta.dirname, 'icons');

/** Linux hicolor sizes (electron-builder installs each NxN.png into the icon theme). */
export const LINUX_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;
/** Windows shell sizes, 256 being the largest Explorer shows. */
export const WINDOWS_APP_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256] as const;

/**
 * macOS icon types holding PNG data, by pixel size: the 1× types and their @2x twins
 * (ic11 = 16@2x, ic12 = 32@2x, ic13 = 128@2x, ic14 = 256@2x, ic10 = 512@2x).
 */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['ic11', 32],
  ['ic12', 64],
  ['ic07', 128],
  ['ic13', 256],
  ['ic08', 256],
  ['ic14', 512],
  ['ic09', 512],
  ['ic10', 1024],
] as const;

const BLUE_TOP = '#3d8bff';
const BLUE_BOTTOM = '#1677ff';

/**
 * The app icon as SVG. macOS draws icons on Apple's grid (an 824 px square inside 1024 with
 * room for the shadow); Windows and Linux icons fill their square.
 */
export function appIconSvg(traySource: string, style: 'mac' | 'full'): string {
  const inset = style === 'mac' ? 100 : 24;
  const side = 1024 - 2 * inset;
  const radius = Math.round(side * 0.225);
  const glyph = Math.round(side * 0.72);
  const glyphAt = Math.round((1024 - glyph) / 2);
  // Only the solid bubble: every state-specific element (badges and the gap cut for them) is hidden.
  const bubble = traySource
    .replace(/^[\s\S]*?(?=<svg\b)/, '')
    .replace(
      /<svg\b[^>]*>/,
      `<svg x="${glyphAt}" y="${glyphAt + Math.round(glyph * 0.03)}" width="${glyph}" height="${glyph}" viewBox="0 0 16 16">` +
        '<style>[data-state]{display:none}.glyph{display:inline;fill:#fff}</style>',
    );
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1024 1024" width="1024" height="1024">' +
    `<defs><linearGradient id="app-bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${BLUE_TOP}"/><stop offset="1" stop-color="${BLUE_BOTTOM}"/></linearGradient></defs>` +
    `<rect x="${inset}" y="${inset}" width="${side}" height="${side}" rx="${radius}" fill="url(#app-bg)"/>` +
    bubble +
    '</svg>'
  );
}

export function renderPng(svg: string, size: number): Buffer {
  return new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng();
}

/** An .icns file: the 'icns' header, then one (type, length, PNG) record per entry. */
export function icns(entries: readonly { type: string; png: Buffer }[]): Buffer {
  const records = entries.map(({ type, png }) => {
    const header = Buffer.alloc(8);
    header.write(type, 0, 'ascii');
    header.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([header, png]);
  });
  const header = Buffer.alloc(8);
  header.write('icns', 0, 'ascii');
  header.writeUInt32BE(8 + records.reduce((n, r) => n + r.length, 0), 4);
  return Buffer.concat([header, ...records]);
}

/** Every app icon file, by its path relative to build/icons. */
export function renderAppIcons(traySource: string): Map<string, Buffer> {
  const mac = appIconSvg(traySource, 'mac');
  const full = appIconSvg(traySource, 'full');
  const files = new Map<string, Buffer>();
  files.set('icon.icns', icns(ICNS_TYPES.map(([type, size]) => ({ type, png: renderPng(mac, size) }))));
  files.set('icon.ico', ico(WINDOWS_APP_ICON_SIZES.map((size) => ({ size, png: renderPng(full, size) }))));
  files.set('icon.png', renderPng(full, 1024));
  for (const size of LINUX_ICON_SIZES) files.set(join('linux', `${size}x${size}.png`), renderPng(full, size));
  return files;
}

export function writeAppIcons(dir: string = APP_ICON_DIR): string[] {
  const written: string[] = [];
  for (const [file, data] of renderAppIcons(readTraySource())) {
    const path = join(dir, file);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, data);
    written.push(path);
  }
  return written;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  for (const path of writeAppIcons()) console.log(path);
}
