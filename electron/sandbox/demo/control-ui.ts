/**
 * The demo's control UI: `cccc-dingtalk serve` in a child process (it runs the bridge too),
 * with the renderer built first when this checkout has no current build of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { z } from 'zod';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RENDERER_SRC = join(ROOT, 'renderer');
const RENDERER_OUT = join(ROOT, 'out', 'renderer', 'index.html');
const SERVE_CHILD = fileURLToPath(new URL('./serve-child.ts', import.meta.url));

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** Whether out/renderer is missing or older than the renderer's sources. */
async function rendererStale(): Promise<boolean> {
  const built = await stat(RENDERER_OUT).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  return built === 0 || (await newestMtime(RENDERER_SRC)) > built;
}

const BUILD_LOCK = join(ROOT, 'out', '.demo-build.lock');
const BUILD_TIMEOUT_MS = 180_000;

/**
 * Builds the renderer when it is missing or stale. Two demos starting at once (two terminals,
 * parallel tests) build one after the other: a lock folder, taken over when it is older than a
 * build can take.
 */
export async function ensureRenderer(onBuild: () => void): Promise<void> {
  await mkdir(join(ROOT, 'out'), { recursive: true });
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      await mkdir(BUILD_LOCK);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const age = await stat(BUILD_LOCK).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > BUILD_TIMEOUT_MS) await rm(BUILD_LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error('another demo has been building the control UI for too long');
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (await rendererStale()) {
      onBuild();
      await buildRenderer();
    }
  } finally {
    await rm(BUILD_LOCK, { recursive: true, force: true });
  }
}

/** `electron-vite build` (a few seconds); the output is shown only when it fails. */
function buildRenderer(timeoutMs = BUILD_TIMEOUT_MS): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`building the control UI failed (exit ${code}):\n${output.slice(-4_000)}`));
    });
  });
}

const serveLine = z.object({ url: z.string().url(), origin: z.string().url(), port: z.number(), token: z.string() });

export interface ServeProcess {
  readonly child: ChildProcess;
  /** The page with its token: `http://127.0.0.1:PORT/#token=…`. */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `serve` in its own process group, so a Ctrl-C in the terminal reaches only the demo,
 * which then stops it once, cleanly. Its warnings and errors go to `onLog`.
 */
export function startServe(env: NodeJS.ProcessEnv, onLog: (line: string) => void, timeoutMs = 30_000): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVE_CHILD], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', onLog);
  const lines = createInterface({ input: child.stdout! });
  return new Promise<ServeProcess>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`the control UI did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    const stop = async (graceMs = 15_000): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(kill);
      }
      if (child.connected) child.disconnect();
    };
    function fail(err: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop(2_000).then(() => reject(err));
    }
    void exited.then((code) => fail(new Error(`the control UI exited before it started (code ${code})`)));
    lines.once('line', (line) => {
      let parsed;
      try {
        parsed = serveLine.safeParse(JSON.parse(line));
      } catch {
        return fail(new Error(`unexpected output from the control UI: ${line.slice(0, 200)}`));
      }
      if (!parsed.success) return fail(new Error(`unexpected output from the control UI: ${line.slice(0, 200)}`));
      settled = true;
      clearTimeout(timer);
      const { url, origin, token } = parsed.data;
      resolve({ child, url, origin, token, exited, stop });
    });
  });
}
