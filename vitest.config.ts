import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Renderer component tests are .tsx: type-checked with the renderer (tsconfig.web.json).
    include: ['test/**/*.test.ts', 'test/unit/renderer/**/*.test.tsx'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Network tests bind loopback ports; two cores here, so keep parallelism modest.
    maxWorkers: 2,
    // electron-store imports 'electron' itself: inline it so the tests' vi.mock('electron') reaches it.
    server: { deps: { inline: ['electron-store'] } },
  },
});
