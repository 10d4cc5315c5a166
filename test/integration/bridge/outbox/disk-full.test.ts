import { afterEach, describe, expect, it, vi } from 'vitest';
import { Journal } from '../../../../electron/core/util/journal';
import { waitFor } from '../../../helpers/wait';
import { contentsFor, groupChat, startHarness, textItem, type Harness } from './harness';

let h: Harness;
afterEach(async () => {
  vi.restoreAllMocks();
  await h.close();
});

const noSpace = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('outbox when its journal cannot be written', () => {
  it('an item sent while its done mark cannot be written is never sent again, and the chat goes on by itself', async () => {
    h = await startHarness({ qpsLimit: 1000 });
    const localFailures: unknown[] = [];
    const box = await h.outbox({ onLocalFailure: (err) => localFailures.push(err) });
    const chat = groupChat('F');
    const real = Journal.prototype.markDone;
    let failures = 3;
    vi.spyOn(Journal.prototype, 'markDone').mockImplementation(function (this: Journal<unknown>, ids) {
      return failures-- > 0 ? Promise.reject(noSpace()) : real.call(this, ids);
    });
    await box.enqueue([textItem(chat, 'one'), textItem(chat, 'two')]);
    await waitFor(() => contentsFor(h.dt.sentMessages(), chat).length >= 2, 'both sent', 10_000);
    await box.idle();
    expect(contentsFor(h.dt.sentMessages(), chat)).toEqual(['one', 'two']);
    expect(h.failures).toEqual([]);
    expect(localFailures).toHaveLength(3);
  });
});
