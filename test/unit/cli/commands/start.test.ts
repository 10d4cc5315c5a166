import { describe, expect, it } from 'vitest';
import { childEnv } from '../../../../electron/cli/commands/start';

describe('childEnv (the detached bridge)', () => {
  it('limits glibc to two malloc arenas and keeps the rest of the environment', () => {
    expect(childEnv({ PATH: '/bin', CCCC_HOME: '/h' })).toEqual({ PATH: '/bin', CCCC_HOME: '/h', MALLOC_ARENA_MAX: '2' });
  });

  it("leaves a user's own MALLOC_ARENA_MAX alone", () => {
    expect(childEnv({ MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX).toBe('8');
  });
});
