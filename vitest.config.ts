import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Unit and integration test files that replace no module (no vi.mock, vi.doMock) share one module
 * cache per worker: importing the code under test anew for every file took more CPU than most of
 * their tests. Each file still closes what it opens (servers, bridges, processes, fake timers).
 * Files that mock modules get a fresh cache each, as do the end-to-end and packaging tests.
 */
const sharedModules = ['unit', 'integration'].flatMap((dir) => {
  const root = fileURLToPath(new URL(`test/${dir}/`, import.meta.url));
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.test\.tsx?$/.test(f) && !/\bvi\.(mock|doMock)\(/.test(readFileSync(root + f, 'utf8')))
    .map((f) => `test/${dir}/${f.replaceAll('\\', '/')}`);
});

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
      { extends: true, test: { name: 'shared', include: sharedModules, isolate: false } },
      // Renderer component tests are .tsx: type-checked with the renderer (tsconfig.web.json).
      { extends: true, test: { name: 'isolated', include: ['test/**/*.test.ts', 'test/unit/renderer/**/*.test.tsx'], exclude: sharedModules } },
    ],
  },
});
