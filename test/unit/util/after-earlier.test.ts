import { afterEach, describe, expect, it, vi } from 'vitest';
import { AfterEarlier } from '../../../electron/core/util/after-earlier';

afterEach(() => vi.useRealTimers());

/** A promise the test settles. */
function pending(): { promise: Promise<void>; resolve(): void; reject(err: Error): void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('AfterEarlier', () => {
  it('runs a step after the work in flight when it was asked for, not after work tracked later, and steps in order', async () => {
    const order = new AfterEarlier(10_000);
    const done: string[] = [];
    const first = pending();
    void order.track(first.promise).then(() => done.push('work 1'));
    const a = order.run(async () => void done.push('step a'));
    const later = pending();
    void order.track(later.promise).catch(() => done.push('work 2 failed'));
    const b = order.run(async () => void done.push('step b'));
    await new Promise((r) => setImmediate(r));
    expect(done).toEqual([]);
    first.resolve();
    await a;
    expect(done).toEqual(['work 1', 'step a']);
    // b waits for the failed work too (a failure counts as settled), and after a.
    later.reject(new Error('disk full'));
    await b;
    expect(done).toEqual(['work 1', 'step a', 'work 2 failed', 'step b']);
  });

  it('waits at most maxWaitMs for stuck work, then for what `thenAlso` names; a failing step does not stop the next', async () => {
    vi.useFakeTimers();
    const order = new AfterEarlier(1_000);
    void order.track(new Promise(() => undefined));
    const ran: string[] = [];
    const failing = order.run(() => Promise.reject(new Error('boom')));
    const queue = pending();
    const next = order.run(
      async () => void ran.push('next'),
      () => queue.promise,
    );
    await expect(Promise.race([failing.then(() => 'ran'), vi.advanceTimersByTimeAsync(999).then(() => 'waiting')])).resolves.toBe('waiting');
    await vi.advanceTimersByTimeAsync(1);
    await expect(failing).rejects.toThrow('boom');
    queue.resolve();
    await vi.advanceTimersByTimeAsync(1_000);
    await next;
    expect(ran).toEqual(['next']);
  });
});
