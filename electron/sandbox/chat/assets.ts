/**
 * The chat page's files. The page is TypeScript + CSS under web/. A build (electron-vite) bundles
 * it once into `sandbox-page.json` beside the main bundle, so the desktop app needs neither
 * esbuild nor the sources at run time; from a checkout it is bundled with esbuild when the
 * sandbox first starts (about a tenth of a second), so no build step is needed there.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export interface PageAssets {
  html: string;
  js: string;
  css: string;
  icon: string;
}

const pageAssetsSchema = z.object({ html: z.string(), js: z.string(), css: z.string(), icon: z.string() });

/** Where a build leaves the bundled page, relative to the module that includes this file. */
export const PREBUILT_PAGE = 'sandbox-page.json';

const WEB = fileURLToPath(new URL('./web/', import.meta.url));

/** Bundles the page from its sources (needs esbuild, a development dependency). */
export async function bundlePage(): Promise<PageAssets> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [`${WEB}app.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'chrome110',
    outdir: '/assets',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const out = (ext: string): string => result.outputFiles.find((f) => f.path.endsWith(ext))?.text ?? '';
  const [html, icon] = await Promise.all([readFile(`${WEB}index.html`, 'utf8'), readFile(`${WEB}favicon.svg`, 'utf8')]);
  return { html, js: out('.js'), css: out('.css'), icon };
}

async function prebuilt(): Promise<PageAssets | undefined> {
  try {
    return pageAssetsSchema.parse(JSON.parse(await readFile(new URL(`./${PREBUILT_PAGE}`, import.meta.url), 'utf8')));
  } catch {
    return undefined;
  }
}

let cached: Promise<PageAssets> | undefined;

export function pageAssets(): Promise<PageAssets> {
  cached ??= (async () => (await prebuilt()) ?? (await bundlePage()))().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}
