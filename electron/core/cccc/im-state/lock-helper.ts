/**
 * The python process that takes CCCC's locks for us (why python: see flock.ts).
 *
 * One helper serves its requests one at a time over stdin/stdout (a JSON line in, a word out) and
 * stays while requests keep coming: starting python costs ~30 ms, and ~300 ms through a pyenv
 * shim, which every write paid when each write had its own helper. Idle for `idleMs` with no lock
 * held, it is told to exit, so no python lingers beside a quiet bridge; while idle it does not keep
 * Node running either. Every lock belongs to the helper's open files: if Node dies, the helper
 * reads end-of-file and exits, and the kernel drops its locks.
 *
 * The helper reports its real interpreter (`sys.executable`) when it starts; later helpers start
 * that directly, skipping launchers and shims (pyenv, `py`) that would resolve it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { BridgeError } from '../../errors';

const HELPER = `
import json, os, sys, time
def say(s):
    sys.stdout.buffer.write((s.replace("\\n", " ") + "\\n").encode("utf-8", "backslashreplace"))
    sys.stdout.buffer.flush()
if os.name == "nt":
    import msvcrt
    def try_lock(fd):
        os.lseek(fd, 0, 0)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1); return True
        except OSError:
            return False
    def lock(fd, timeout):
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
    signal.signal(signal.SIGALRM, late)
    def lock(fd, timeout):
        # Blocking flock, like CCCC's own writers, so the kernel queues us fairly; an alarm bounds the wait.
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
held = {}
def take(path, timeout):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    if os.fstat(fd).st_size == 0:
        os.write(fd, b"\\0")
    if not lock(fd, timeout):
        os.close(fd); return "timeout"
    held[path] = fd
    return "locked"
def release(path):
    fd = held.pop(path)
    unlock(fd); os.close(fd)
    return "unlocked"
def probe(path):
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return "absent"
    try:
        if try_lock(fd):
            unlock(fd); return "free"
        return "held"
    finally:
        os.close(fd)
say("ready " + (sys.executable or ""))
for line in iter(sys.stdin.buffer.readline, b""):
    try:
        op, path, timeout = json.loads(line.decode("utf-8"))
        say(take(path, timeout) if op == "lock" else release(path) if op == "unlock" else probe(path))
    except Exception as e:
        say("error %s: %s" % (type(e).__name__, e))
`;

export type HelperOp = 'lock' | 'unlock' | 'probe';

/** The interpreter each configured python command turned out to be (see the top of this file). */
const interpreters = new Map<string, string>();

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

/** One running helper process: its answers in order, and the locks it holds. */
export class HelperProcess {
  /** Paths this process holds locked; they go with it. */
  readonly held = new Set<string>();
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  private buffered = '';
  private stderr = '';
  private failure: Error | undefined;
  private taker: ((line: string | Error) => void) | undefined;

  constructor(
    private readonly python: string,
    private readonly command: string,
  ) {
    // -I -S: no user site, no site-packages, no env influence: a fast, predictable stdlib-only run.
    this.child = spawn(command, ['-I', '-S', '-c', HELPER], { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    // Writing to a helper that already died must not become an unhandled 'error'.
    this.child.stdin?.on('error', () => undefined);
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-2_000)));
    this.child.stdout?.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      for (let nl = this.buffered.indexOf('\n'); nl !== -1; nl = this.buffered.indexOf('\n')) {
        this.deliver(this.buffered.slice(0, nl).trim());
        this.buffered = this.buffered.slice(nl + 1);
      }
    });
    this.exited = new Promise<void>((resolve) => {
      this.child.once('error', (e: NodeJS.ErrnoException) => {
        this.fail(e.code === 'ENOENT' || e.code === 'EACCES' ? pythonMissing(python, e) : e);
        resolve();
      });
      // 'close', not 'exit': the last answer may still be in the pipe when the process has exited.
      this.child.once('close', (code: number | null) => {
        this.fail(new Error(`lock helper exited (${code}) without an answer: ${this.stderr.trim().split('\n').pop() ?? ''}`));
        resolve();
      });
    });
  }

  /** Starts a helper and waits until it is ready; remembers the interpreter it reports. */
  static async start(python: string): Promise<HelperProcess> {
    const command = interpreters.get(python) ?? python;
    const proc = new HelperProcess(python, command);
    try {
      const exe = (await proc.next(10_000)).replace(/^ready ?/, '');
      if (isAbsolute(exe)) interpreters.set(python, exe);
      return proc;
    } catch (err) {
      await proc.kill();
      // The interpreter found earlier may be gone (uninstalled, upgraded): look it up again.
      if (command !== python && err instanceof BridgeError && err.code === 'cccc.python_missing') {
        interpreters.delete(python);
        return HelperProcess.start(python);
      }
      throw err;
    }
  }

  /** False once the process has exited or failed: then whatever it held is released. */
  alive(): boolean {
    return this.failure === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends one request and waits for its answer; no answer within `deadlineMs` kills the helper. */
  async ask(op: HelperOp, path: string, timeoutMs: number, deadlineMs: number): Promise<string> {
    this.child.stdin?.write(`${JSON.stringify([op, path, timeoutMs / 1000])}\n`);
    try {
      return await this.next(deadlineMs);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }

  /** Whether an idle helper keeps Node's event loop alive. */
  setRef(on: boolean): void {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as unknown as { ref?(): void; unref?(): void }[]) {
      if (on) handle?.ref?.();
      else handle?.unref?.();
    }
  }

  /** Asks the helper to exit (it does once its stdin ends). */
  end(): void {
    this.child.stdin?.end();
  }

  async kill(): Promise<void> {
    if (this.alive()) this.child.kill();
    await this.exited;
  }

  private next(deadlineMs: number): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => take(new Error(`lock helper gave no answer in ${deadlineMs} ms`)), deadlineMs);
      const take = (got: string | Error): void => {
        clearTimeout(timer);
        this.taker = undefined;
        if (typeof got === 'string') resolve(got);
        else reject(got);
      };
      this.taker = take;
    });
  }

  private deliver(line: string): void {
    if (this.taker) this.taker(line);
    else this.lines.push(line);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.held.clear();
    this.taker?.(this.failure);
  }
}

/** The helper of one locker: started on demand, one request at a time, gone when idle. */
export class LockHelper {
  private proc: HelperProcess | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly python: string,
    private readonly idleMs: number,
  ) {}

  /** Runs `op` on the current helper (starting one if needed); answers with the process that ran it. */
  request(op: HelperOp, path: string, timeoutMs: number, deadlineMs: number): Promise<{ answer: string; proc: HelperProcess }> {
    return this.queued(async () => {
      if (!this.proc?.alive()) this.proc = await HelperProcess.start(this.python);
      const proc = this.proc;
      const answer = await proc.ask(op, path, timeoutMs, deadlineMs);
      if (op === 'lock' && answer === 'locked') proc.held.add(path);
      return { answer, proc };
    });
  }

  /** Releases `path` if `proc` still holds it; a helper that cannot is killed, which releases it too. */
  release(path: string, proc: HelperProcess): Promise<void> {
    return this.queued(async () => {
      if (!proc.alive() || !proc.held.has(path)) return;
      proc.held.delete(path);
      const answer = await proc.ask('unlock', path, 0, 5_000).catch(() => 'no answer');
      if (answer !== 'unlocked') await proc.kill();
    });
  }

  private queued<T>(work: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.settle();
    const run = this.tail.then(work).finally(() => {
      this.inFlight--;
      this.settle();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Busy (a request queued or a lock held): stay, and keep Node running. Idle: let Node go, and exit after a while. */
  private settle(): void {
    clearTimeout(this.idleTimer);
    const proc = this.proc;
    if (!proc?.alive()) return;
    const busy = this.inFlight > 0 || proc.held.size > 0;
    proc.setRef(busy);
    if (busy) return;
    this.idleTimer = setTimeout(() => {
      if (this.proc === proc && this.inFlight === 0 && proc.held.size === 0) {
        this.proc = undefined;
        proc.end();
      }
    }, this.idleMs);
    this.idleTimer.unref();
  }
}
