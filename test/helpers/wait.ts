/**
 * The only place tests touch the clock to wait. Everything else waits on a fact (`waitFor`),
 * asserts that nothing more happens (`expectQuietFor`), or bounds a child process or a promise
 * (`killAfter`, `within`). Timer logic itself is tested with fake timers.
 */

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5_000, everyMs = 10): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await pause(everyMs);
  }
}

/**
 * "Nothing more happens": `holds` stays true for `ms` (checked every 10 ms); fails with `what` the
 * moment it does not. For the absence of an event, which no condition can wait for.
 */
export async function expectQuietFor(ms: number, what: string, holds: () => boolean | Promise<boolean>): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (!(await holds())) throw new Error(`Expected ${what} for ${ms} ms, but it changed`);
    if (Date.now() >= until) return;
    await pause(Math.min(10, until - Date.now()));
  }
}

/** Kills `child` with SIGKILL unless it ended within `ms`; returns the cancel for when it did. */
export function killAfter(child: { kill(signal: NodeJS.Signals): unknown }, ms: number): () => void {
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return () => clearTimeout(timer);
}

/** `promise`, or a rejection naming `what` once `ms` passed without it settling. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
