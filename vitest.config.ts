import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Unit test files that replace no module (no vi.mock, vi.doMock) share one module cache per
 * worker: importing the code under test anew for every file took more CPU than the tests
 * themselves. Files that mock modules need a fresh cache each; integration and end-to-end tests
 * stay isolated too: they start servers, processes and timers whose leftovers must not meet the
 * next file.
 */
const unitDir = fileURLToPath(new URL('test/unit/', import.meta.url));
const sharedModules = readdirSync(unitDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.test\.tsx?$/.test(f) && !/\bvi\.(mock|doMock)\(/.test(readFileSync(unitDir + f, 'utf8')))
  .map((f) => `test/unit/${f.replaceAll('\\', '/')}`);

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Network tests bind loopback ports; two cores here, so keep parallelism modest.
    maxWorkers: 2,
    // electron-store imports 'electron' itself: inline it so the tests' vi.mock('electron') reaches it.
    server: { deps: { inline: ['electron-store'] } },
    projects: [
      { extends: true, test: { name: 'unit', include: sharedModules, isolate: false } },
      // Renderer component tests are .tsx: type-checked with the renderer (tsconfig.web.json).
      { extends: true, test: { name: 'isolated', include: ['test/**/*.test.ts', 'test/unit/renderer/**/*.test.tsx'], exclude: sharedModules } },
    ],
  },
});
