/**
 * Renders tray.svg into every tray icon (see electron/desktop/tray/icons.ts for the files).
 * Run `npm run icons` after changing tray.svg and commit the result; a unit test fails while
 * the committed icons differ from what this renders.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { retinaSibling, TRAY_ICON_SIZE, trayIconFile, WINDOWS_ICO_SIZES } from '../../electron/desktop/tray/icons';
import { TRAY_STATES, type TrayState } from '../../electron/desktop/tray/model';

export const TRAY_ASSETS = import.meta.dirname;

export interface Palette {
  glyph: string;
  idle: string;
  badge: Record<Exclude<TrayState, 'stopped'>, string>;
}

/** macOS template images: black only, the OS tints them. */
export const TEMPLATE: Palette = { glyph: '#000', idle: '#000', badge: { connecting: '#000', connected: '#000', error: '#000' } };
/** DingTalk blue, a neutral grey for stopped, traffic-light badges readable on light and dark bars. */
export const COLOUR: Palette = { glyph: '#1677ff', idle: '#7d7d7d', badge: { connecting: '#f5a623', connected: '#22a55b', error: '#e5484d' } };

/** The source with only this state's elements shown, in this palette. */
export function stateSvg(source: string, state: TrayState, palette: Palette): string {
  const badge = state === 'stopped' ? palette.idle : palette.badge[state];
  const style =
    `<style>[data-state]{display:none}[data-state~="${state}"]{display:inline}` +
    `.glyph{fill:${palette.glyph}}.glyph-line{stroke:${palette.idle}}.badge{fill:${badge}}.badge-line{stroke:${badge}}</style>`;
  return source.replace(/<svg\b[^>]*>/, (open) => `${open}${style}`);
}

function png(svg: string, size: number): Buffer {
  return new Resvg(svg, { fitTo: { mode: 'width', value: size } }).render().asPng();
}

/** An .ico whose entries are PNGs (read by Windows Vista and later). */
export function ico(images: readonly { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1: icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(({ size, png: data }, i) => {
    const at = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, at);
    header.writeUInt8(size >= 256 ? 0 : size, at + 1);
    header.writeUInt8(0, at + 2); // no palette
    header.writeUInt8(0, at + 3);
    header.writeUInt16LE(1, at + 4); // colour planes
    header.writeUInt16LE(32, at + 6); // bits per pixel
    header.writeUInt32LE(data.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...images.map((i) => i.png)]);
}

/** Every icon file, by its path relative to assets/tray. */
export function renderTrayIcons(source: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const state of TRAY_STATES) {
    for (const platform of ['darwin', 'linux'] as const) {
      const svg = stateSvg(source, state, platform === 'darwin' ? TEMPLATE : COLOUR);
      const file = trayIconFile(platform, state);
      files.set(file, png(svg, TRAY_ICON_SIZE));
      files.set(retinaSibling(file), png(svg, TRAY_ICON_SIZE * 2));
    }
    const svg = stateSvg(source, state, COLOUR);
    files.set(trayIconFile('win32', state), ico(WINDOWS_ICO_SIZES.map((size) => ({ size, png: png(svg, size) }))));
  }
  return files;
}

export function readTraySource(): string {
  return readFileSync(join(TRAY_ASSETS, 'tray.svg'), 'utf8');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  for (const [file, data] of renderTrayIcons(readTraySource())) {
    mkdirSync(dirname(join(TRAY_ASSETS, file)), { recursive: true });
    writeFileSync(join(TRAY_ASSETS, file), data);
    console.log(`assets/tray/${file}`);
  }
}
