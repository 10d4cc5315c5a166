/** A delay that an AbortSignal ends early (it resolves then too: callers check the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (signal?.aborted) return done();
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Waits for `work` to settle (either way) for at most `ms`; never rejects. True: it settled in
 * time; false: the time ran out first.
 */
export async function waitAtMost(work: Promise<unknown>, ms: number): Promise<boolean> {
  const done = new AbortController();
  const settled = await Promise.race([
    work.then(
      () => true,
      () => true,
    ),
    sleep(ms, done.signal).then(() => false),
  ]);
  done.abort();
  return settled;
}
