import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { bundlePage, PREBUILT_PAGE } from './electron/sandbox/chat/assets';

/** Bundles the sandbox chat page into the main build, so the app needs no esbuild at run time. */
function sandboxPage(): Plugin {
  return {
    name: 'cccc-sandbox-page',
    async generateBundle() {
      this.emitFile({ type: 'asset', fileName: PREBUILT_PAGE, source: JSON.stringify(await bundlePage()) });
    },
  };
}

export default defineConfig({
  main: {
    plugins: [sandboxPage()],
    build: {
      outDir: 'out/main',
      // esbuild only bundles the sandbox page from sources (a checkout); the build ships the page prebuilt.
      rollupOptions: { input: { index: resolve('electron/main/index.ts') }, external: ['esbuild'] },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads must be a single CommonJS file that requires nothing but 'electron':
      // bundle every dependency instead of leaving a require() the sandbox cannot satisfy.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve('electron/preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
