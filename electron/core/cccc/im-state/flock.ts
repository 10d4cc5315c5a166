/**
 * CCCC's lock files, taken the way CCCC takes them.
 *
 * CCCC serializes its IM state with an exclusive BSD `flock()` on `state/im_state.lock`
 * (`msvcrt.locking` on one byte on Windows) and marks a running bridge by holding
 * `state/im_bridge.lock`. Node has no flock, and POSIX record locks (fcntl F_SETLK, e.g.
 * `os-lock`) do not exclude flock on Linux. A native binding (fs-ext) would have to be
 * rebuilt for every Electron ABI. So a tiny stdlib-only python3 helper takes the very same
 * lock CCCC takes (python3 exists wherever CCCC runs) and holds it while we do the
 * read-modify-write in Node; the lock belongs to the helper's open file, so it goes when the
 * helper does, or when we die. One helper serves a burst of writes and leaves when idle
 * (lock-helper.ts); reads need no lock because every writer replaces files atomically.
 *
 * Without a usable python the helper cannot start: writes then fail with
 * `cccc.python_missing` rather than ever writing unlocked (on Windows set the interpreter,
 * e.g. `py` or CCCC's own venv python, through `python`).
 */
import { BridgeError } from '../../errors';
import { LockHelper } from './lock-helper';

export type ProbeResult = 'free' | 'held' | 'absent';

export interface HeldLock {
  /** False once the helper is gone (then the lock is gone too): check before committing a write. */
  stillHeld(): boolean;
}

export interface LockOptions {
  /** How long to wait for CCCC to release the lock. */
  timeoutMs?: number;
}

export interface FileLocker {
  /** Runs `fn` while holding CCCC's exclusive lock on `lockPath` (created like CCCC does if missing). */
  withLock<T>(lockPath: string, fn: (lock: HeldLock) => Promise<T>, options?: LockOptions): Promise<T>;
  /** Non-blocking test: is someone holding `lockPath`? Never creates the file. */
  probe(lockPath: string): Promise<ProbeResult>;
}

export class PythonFlock implements FileLocker {
  /** The interpreter the helper runs on (for messages). */
  readonly python: string;
  private readonly helper: LockHelper;
  /** In-process queue per lock file, so our own writers wait in line instead of polling. */
  private readonly queues = new Map<string, Promise<unknown>>();

  /** `idleMs`: how long the helper stays without requests (writes come in bursts: a person typing /subscribe, then approving). */
  constructor(options: { python?: string; idleMs?: number } = {}) {
    this.python = options.python ?? (process.platform === 'win32' ? 'python' : 'python3');
    this.helper = new LockHelper(this.python, options.idleMs ?? 10_000);
  }

  withLock<T>(lockPath: string, fn: (lock: HeldLock) => Promise<T>, options: LockOptions = {}): Promise<T> {
    const prev = this.queues.get(lockPath) ?? Promise.resolve();
    const run = prev.then(() => this.holdAndRun(lockPath, fn, options.timeoutMs ?? 10_000));
    const tail = run.catch(() => undefined);
    this.queues.set(lockPath, tail);
    void tail.then(() => {
      if (this.queues.get(lockPath) === tail) this.queues.delete(lockPath);
    });
    return run;
  }

  private async holdAndRun<T>(lockPath: string, fn: (lock: HeldLock) => Promise<T>, timeoutMs: number): Promise<T> {
    const { answer, proc } = await this.helper.request('lock', lockPath, timeoutMs, timeoutMs + 5_000);
    if (answer === 'timeout') {
      throw new BridgeError({
        code: 'cccc.state_locked',
        message: "CCCC's IM state stayed locked; the change was not saved.",
        hint: 'Try again in a moment. If it persists, a CCCC process may be stuck: restart the CCCC daemon.',
        retryable: true,
        details: { lockPath, timeoutMs },
      });
    }
    if (answer !== 'locked') throw new Error(`lock helper answered "${answer}"`);
    try {
      return await fn({ stillHeld: () => proc.alive() && proc.held.has(lockPath) });
    } finally {
      await this.helper.release(lockPath, proc);
    }
  }

  async probe(lockPath: string): Promise<ProbeResult> {
    const { answer } = await this.helper.request('probe', lockPath, 0, 10_000);
    if (answer === 'free' || answer === 'held' || answer === 'absent') return answer;
    throw new Error(`lock helper answered "${answer}"`);
  }
}
