/**
 * Every catalogue of electron/core/i18n has the same texts in 中文 and English: the same keys at
 * every level, a function where the other language has one (the compiler checks this only for
 * the catalogues typed by one language's shape).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const DIR = new URL('../../../electron/core/i18n/', import.meta.url);
const modules = await Promise.all(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.ts'))
    .map(async (f) => [f, (await import(new URL(f, DIR).href)) as Record<string, unknown>] as const),
);

/** Each leaf's path and kind (`function`, `string`, …; arrays by their length). */
function shape(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return [`${path}: array of ${value.length}`, ...value.flatMap((v, i) => shape(v, `${path}[${i}]`))];
  if (value !== null && typeof value === 'object')
    return Object.keys(value)
      .sort()
      .flatMap((k) => shape((value as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  return [`${path}: ${typeof value}`];
}

const catalogues = modules.flatMap(([file, exports]) =>
  Object.entries(exports)
    .filter(
      ([, v]) =>
        v !== null &&
        typeof v === 'object' &&
        Object.keys(v as object)
          .sort()
          .join() === 'en,zh',
    )
    .map(([name, v]) => ({ name: `${file} ${name}`, ...(v as { en: unknown; zh: unknown }) })),
);

describe('the 中文 and English catalogues', () => {
  it('are found (one per area)', () => {
    expect(catalogues.map((c) => c.name)).toEqual(
      expect.arrayContaining(['cli-options.ts CLI_OPTIONS_TEXT', 'cli-cards.ts CLI_CARDS_TEXT', 'tray.ts TRAY_TEXT']),
    );
  });

  it.each(catalogues)('$name: the same keys and kinds of text in both languages', ({ en, zh }) => {
    expect(shape(zh)).toEqual(shape(en));
  });
});
