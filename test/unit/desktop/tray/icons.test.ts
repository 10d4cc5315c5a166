import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { COLOUR, readTraySource, renderTrayIcons, stateSvg, TEMPLATE, TRAY_ASSETS } from '../../../../assets/tray/generate';
import { retinaSibling, trayIconFile, WINDOWS_ICO_SIZES } from '../../../../electron/desktop/tray/icons';
import { TRAY_STATES } from '../../../../electron/desktop/tray/model';

const source = readTraySource();
const rendered = renderTrayIcons(source);

function pngSize(png: Buffer): { width: number; height: number; colourType: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colourType: png.readUInt8(25) };
}

describe('tray icons generated from assets/tray/tray.svg', () => {
  it('the committed icons are exactly what the generator renders from the source', () => {
    expect(rendered.size).toBe(TRAY_STATES.length * 5);
    for (const [file, data] of rendered) expect(readFileSync(join(TRAY_ASSETS, file)).equals(data), `${file}: run npm run icons`).toBe(true);
  });

  it('macOS: template images named …Template.png with an @2x twin, RGBA', () => {
    for (const state of TRAY_STATES) {
      const file = trayIconFile('darwin', state);
      expect(file).toBe(join('mac', `${state}Template.png`));
      expect(pngSize(rendered.get(file)!)).toEqual({ width: 16, height: 16, colourType: 6 });
      expect(pngSize(rendered.get(retinaSibling(file))!)).toMatchObject({ width: 32, height: 32 });
    }
  });

  it('macOS template images are black plus alpha only, and each state looks different', () => {
    const shapes = new Set<string>();
    for (const state of TRAY_STATES) {
      const pixels = new Resvg(stateSvg(source, state, TEMPLATE), { fitTo: { mode: 'width', value: 32 } }).render().pixels;
      let opaque = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        expect([pixels[i], pixels[i + 1], pixels[i + 2]]).toEqual([0, 0, 0]);
        if (pixels[i + 3]! > 0) opaque++;
      }
      expect(opaque).toBeGreaterThan(50);
      shapes.add(Buffer.from(pixels).toString('base64'));
    }
    expect(shapes.size).toBe(TRAY_STATES.length);
  });

  it('Linux: coloured PNGs at 1× and 2×; the badge colour tells the state', () => {
    for (const state of TRAY_STATES) {
      const file = trayIconFile('linux', state);
      expect(file).toBe(join('linux', `${state}.png`));
      expect(pngSize(rendered.get(file)!)).toMatchObject({ width: 16, height: 16 });
      expect(pngSize(rendered.get(retinaSibling(file))!)).toMatchObject({ width: 32, height: 32 });
    }
    const hasColour = (state: (typeof TRAY_STATES)[number], hex: string): boolean => {
      const pixels = new Resvg(stateSvg(source, state, COLOUR), { fitTo: { mode: 'width', value: 32 } }).render().pixels;
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 3] === 255 && pixels[i] === r && pixels[i + 1] === g && pixels[i + 2] === b) return true;
      return false;
    };
    expect(hasColour('connected', COLOUR.badge.connected)).toBe(true);
    expect(hasColour('connecting', COLOUR.badge.connecting)).toBe(true);
    expect(hasColour('error', COLOUR.badge.error)).toBe(true);
    expect(hasColour('stopped', COLOUR.badge.connected)).toBe(false);
  });

  it('Windows: one .ico per state holding a PNG for every DPI size', () => {
    for (const state of TRAY_STATES) {
      const file = trayIconFile('win32', state);
      expect(file).toBe(join('win', `${state}.ico`));
      const ico = rendered.get(file)!;
      expect([ico.readUInt16LE(0), ico.readUInt16LE(2), ico.readUInt16LE(4)]).toEqual([0, 1, WINDOWS_ICO_SIZES.length]);
      WINDOWS_ICO_SIZES.forEach((size, i) => {
        const at = 6 + 16 * i;
        expect([ico.readUInt8(at), ico.readUInt8(at + 1), ico.readUInt16LE(at + 6)]).toEqual([size, size, 32]);
        const length = ico.readUInt32LE(at + 8);
        const offset = ico.readUInt32LE(at + 12);
        expect(offset + length).toBeLessThanOrEqual(ico.length);
        expect(pngSize(ico.subarray(offset, offset + length))).toMatchObject({ width: size, height: size });
      });
    }
  });
});
