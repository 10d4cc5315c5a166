/**
 * The chat page's files. The page is TypeScript + CSS under web/, bundled with esbuild when the
 * sandbox first starts (about a tenth of a second), so a fresh checkout needs no build step.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface PageAssets {
  html: string;
  js: string;
  css: string;
  icon: string;
}

const WEB = fileURLToPath(new URL('./web/', import.meta.url));

let cached: Promise<PageAssets> | undefined;

async function bundle(): Promise<PageAssets> {
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

export function pageAssets(): Promise<PageAssets> {
  cached ??= bundle().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}
