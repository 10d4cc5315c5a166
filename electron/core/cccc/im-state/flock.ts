/**
 * CCCC's lock files, taken the way CCCC takes them.
 *
 * CCCC serializes its IM state with an exclusive BSD `flock()` on `state/im_state.lock`
 * (`msvcrt.locking` on one byte on Windows) and marks a running bridge by holding
 * `state/im_bridge.lock`. Node has no flock, and POSIX record locks (fcntl F_SETLK, e.g.
 * `os-lock`) do not exclude flock on Linux. A native binding (fs-ext) would have to be
 * rebuilt for every Electron ABI. So a tiny stdlib-only python3 helper takes the very same
 * lock CCCC takes (python3 exists wherever CCCC runs) and holds it while we do the
 * read-modify-write in Node; it releases when we close its stdin — or when we die, since the
 * lock belongs to its open file. One short process per write (~30–70 ms): writes are rare
 * (a person typing /subscribe or /pause); reads need no lock because every writer replaces
 * files atomically.
 *
 * Without a usable python the helper cannot start: writes then fail with
 * `cccc.python_missing` rather than ever writing unlocked (on Windows set the interpreter,
 * e.g. `py` or CCCC's own venv python, through `python`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BridgeError } from '../../errors';

const HELPER = `
import os, sys, time
mode, path, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
def say(s):
    sys.stdout.write(s + "\\n"); sys.stdout.flush()
if os.name == "nt":
    import msvcrt
    def try_lock(fd):
        os.lseek(fd, 0, 0)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1); return True
        except OSError:
            return False
    def lock(fd):
        deadline = time.monotonic() + timeout
        while not try_lock(fd):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True
    def unlock(fd):
        os.lseek(fd, 0, 0); msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl, signal
    def try_lock(fd):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB); return True
        except BlockingIOError:
            return False
    class Late(Exception):
        pass
    def late(signum, frame):
        raise Late()
    def lock(fd):
        # Blocking flock, like CCCC's own writers, so the kernel queues us fairly; an alarm bounds the wait.
        signal.signal(signal.SIGALRM, late)
        signal.setitimer(signal.ITIMER_REAL, max(timeout, 0.001))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            return True
        except Late:
            return False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    def unlock(fd):
        fcntl.flock(fd, fcntl.LOCK_UN)
if mode == "probe":
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        say("absent"); sys.exit(0)
    if try_lock(fd):
        unlock(fd); say("free")
    else:
        say("held")
    sys.exit(0)
os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
if os.fstat(fd).st_size == 0:
    os.write(fd, b"\\0")
if not lock(fd):
    say("timeout"); sys.exit(3)
say("locked")
sys.stdin.buffer.read()
unlock(fd)
`;

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

function pythonMissing(python: string, cause: unknown): BridgeError {
  return new BridgeError(
    {
      code: 'cccc.python_missing',
      message: `Cannot run "${python}" to lock CCCC's state files.`,
      hint: 'Install Python 3 (CCCC needs it too) or set the Python path in the bridge settings.',
      retryable: false,
    },
    { cause },
  );
}

/** The first line the helper prints, or an error if it dies first or takes too long. */
function firstLine(child: ChildProcess, python: string, deadlineMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => finish(new Error(`lock helper gave no answer in ${deadlineMs} ms`)), deadlineMs);
    const finish = (e: Error | null, line?: string): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('error', onError);
      child.off('close', onClose);
      if (e) reject(e);
      else resolve(line as string);
    };
    const onData = (d: Buffer): void => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl !== -1) finish(null, out.slice(0, nl).trim());
    };
    const onError = (e: NodeJS.ErrnoException): void => finish(e.code === 'ENOENT' || e.code === 'EACCES' ? pythonMissing(python, e) : e);
    const onClose = (code: number | null): void => finish(new Error(`lock helper exited (${code}) without an answer: ${err.trim().split('\n').pop() ?? ''}`));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', onData);
    child.on('error', onError);
    // 'close', not 'exit': the answer may still be in the pipe when the process has exited.
    child.on('close', onClose);
  });
}

export class PythonFlock implements FileLocker {
  /** The interpreter the helper runs on (for messages). */
  readonly python: string;
  /** In-process queue per lock file, so our own writers wait in line instead of polling. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(options: { python?: string } = {}) {
    this.python = options.python ?? (process.platform === 'win32' ? 'python' : 'python3');
  }

  private spawnHelper(mode: 'hold' | 'probe', lockPath: string, timeoutMs: number): { child: ChildProcess; exited: Promise<void> } {
    // -I -S: no user site, no site-packages, no env influence: a fast, predictable stdlib-only run.
    const child = spawn(this.python, ['-I', '-S', '-c', HELPER, mode, lockPath, String(timeoutMs / 1000)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    // Closing stdin of a helper that already died must not become an unhandled 'error'.
    child.stdin?.on('error', () => undefined);
    const exited = new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.once('error', () => resolve());
    });
    return { child, exited };
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
    const { child, exited } = this.spawnHelper('hold', lockPath, timeoutMs);
    let answer: string;
    try {
      answer = await firstLine(child, this.python, timeoutMs + 5_000);
    } catch (err) {
      child.kill();
      await exited;
      throw err;
    }
    try {
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
      return await fn({ stillHeld: () => child.exitCode === null && child.signalCode === null });
    } finally {
      child.stdin?.end();
      await exited;
    }
  }

  async probe(lockPath: string): Promise<ProbeResult> {
    const { child, exited } = this.spawnHelper('probe', lockPath, 0);
    child.stdin?.end();
    try {
      const answer = await firstLine(child, this.python, 10_000);
      if (answer === 'free' || answer === 'held' || answer === 'absent') return answer;
      throw new Error(`lock helper answered "${answer}"`);
    } finally {
      if (child.exitCode === null) child.kill();
      await exited;
    }
  }
}
