import { describe, expect, it } from 'vitest';
import { V8_FLAGS } from '../../../../bin/v8-flags.js';
import { CHILD_MALLOC_ENV, childEnv, childNodeFlags } from '../../../../electron/cli/commands/start';

describe('childEnv (the detached bridge)', () => {
  it("sets glibc's malloc settings and keeps the rest of the environment", () => {
    expect(childEnv({ PATH: '/bin', CCCC_HOME: '/h' })).toEqual({
      PATH: '/bin',
      CCCC_HOME: '/h',
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '131072',
      MALLOC_TRIM_THRESHOLD_: '131072',
    });
  });

  it("leaves a user's own malloc settings alone", () => {
    const own = { MALLOC_ARENA_MAX: '8', MALLOC_MMAP_THRESHOLD_: '65536', MALLOC_TRIM_THRESHOLD_: '0' };
    expect(childEnv(own)).toEqual(own);
    expect(Object.keys(own).sort()).toEqual(Object.keys(CHILD_MALLOC_ENV).sort());
  });
});

describe('childNodeFlags (the detached bridge)', () => {
  it("puts the launcher's V8 settings on the command line, where V8 reads them before sizing its heap", () => {
    expect(V8_FLAGS.length).toBeGreaterThan(0);
    expect(childNodeFlags([])).toEqual(V8_FLAGS);
  });

  it("keeps the caller's node flags after them, so the caller's own win, and names none twice", () => {
    expect(childNodeFlags(['--import', 'tsx', V8_FLAGS[0]!])).toEqual([...V8_FLAGS.slice(1), '--import', 'tsx', V8_FLAGS[0]]);
  });
});
