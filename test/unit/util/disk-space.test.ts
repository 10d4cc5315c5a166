import { describe, expect, it } from 'vitest';
import { DiskSpace } from '../../../electron/core/util/disk-space';
import { waitFor } from '../../helpers/wait';

const noSpace = Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });

describe('DiskSpace', () => {
  it('starts one episode on the first ENOSPC, ignores other errors, and ends it once there is room', async () => {
    let free = 0;
    const events: string[] = [];
    const space = new DiskSpace({ dir: '/state', pollMs: 5, roomBytes: 100, freeBytes: async () => free });
    space.on('full', () => events.push('full'));
    space.on('freed', () => events.push('freed'));
    expect(space.noteFailure(new Error('EACCES'))).toBe(false);
    expect(space.noteFailure(noSpace)).toBe(true);
    expect(space.noteFailure(new Error('wrapped', { cause: noSpace }))).toBe(true);
    expect(events).toEqual(['full']);
    expect(space.full).toBe(true);
    free = 1_000;
    await waitFor(() => !space.full, 'freed');
    space.noteFailure(noSpace);
    expect(events).toEqual(['full', 'freed', 'full']);
    space.stop();
    expect(space.full).toBe(false);
  });
});
