/**
 * Runs the real `cccc-dingtalk` (bin/cccc-dingtalk.js, as `npx` would) in child processes
 * against a fake DingTalk and a fake CCCC daemon living in the test process. Always async
 * spawn: a synchronous one would block the fakes the CLI is talking to.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeCcccDaemon } from '../../fakes/cccc/daemon';
import { startFakeDingTalk, type FakeDingTalk, type FakeDingTalkOptions } from '../../fakes/dingtalk';
import { killAfter, waitFor } from '../../helpers/wait';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'cccc-dingtalk.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface World {
  dt: FakeDingTalk;
  cccc: FakeCcccDaemon;
  groupId: string;
  configHome: string;
  env: NodeJS.ProcessEnv;
  appSecret: string;
  /** Runs the CLI to completion (killed after `timeoutMs`). */
  cli(args: string[], options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CliResult>;
  /** `set` with the usual env var names. */
  configure(extra?: string[]): Promise<CliResult>;
  close(): Promise<void>;
}

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  /** What it printed so far. */
  stdout(): string;
  done: Promise<CliResult>;
}

/** The CLI running, to read and signal while it runs; `done` rejects when it had to be killed after `timeoutMs`. */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdin.end();
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    const cancelKill = killAfter(child, timeoutMs);
    child.once('error', reject);
    // Only killAfter holds this child to kill it: killed by SIGKILL means it timed out.
    child.once('exit', (_code, signal) => {
      if (signal === 'SIGKILL') reject(new Error(`cccc-dingtalk ${args.join(' ')} did not finish in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
    child.once('close', (code) => {
      cancelKill();
      resolve({ code, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, done };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<CliResult> {
  return spawnCli(args, env, timeoutMs).done;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Live pids named by our instance lock files (one bridge holds two: its group's and its app's). */
export async function livePidsInLocks(ccccHome: string): Promise<number[]> {
  const root = join(ccccHome, 'locks', 'cccc-dingtalk');
  const pids: number[] = [];
  for (const sub of await readdir(root).catch(() => [] as string[])) {
    for (const f of await readdir(join(root, sub)).catch(() => [] as string[])) {
      const owner = JSON.parse(await readFile(join(root, sub, f), 'utf8').catch(() => '{}')) as { pid?: number; released?: boolean };
      if (owner.pid && !owner.released && isAlive(owner.pid) && !pids.includes(owner.pid)) pids.push(owner.pid);
    }
  }
  return pids;
}

export async function startWorld(options: { dingtalk?: FakeDingTalkOptions; cccc?: { im?: Record<string, unknown> } } = {}): Promise<World> {
  const dt = await startFakeDingTalk({ qpsLimit: 1000, ...options.dingtalk });
  const cccc = await FakeCcccDaemon.start();
  const groupId = await cccc.createGroup({ title: 'Demo project', actors: ['boss', 'helper'], ...(options.cccc?.im ? { im: options.cccc.im } : {}) });
  const configHome = await mkdtemp(join(tmpdir(), 'cli-home-'));
  const app = dt.apps[0]!;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: configHome,
    CCCC_HOME: cccc.home,
    CCCC_DINGTALK_HOME: configHome,
    DINGTALK_API_BASE: dt.apiBase,
    DINGTALK_OAPI_BASE: dt.oapiBase,
    DINGTALK_APP_KEY: app.appKey,
    DINGTALK_APP_SECRET: app.appSecret,
  };
  const world: World = {
    dt,
    cccc,
    groupId,
    configHome,
    env,
    appSecret: app.appSecret,
    cli: (args, o = {}) => runCli(args, { ...env, ...o.env }, o.timeoutMs),
    configure: (extra = []) => world.cli(['set', '--group', groupId, '--app-key-env', 'DINGTALK_APP_KEY', '--app-secret-env', 'DINGTALK_APP_SECRET', ...extra]),
    async close() {
      // Whatever a failed test left running: stop it gracefully, then for sure.
      for (const pid of await livePidsInLocks(cccc.home)) {
        try {
          process.kill(pid, 'SIGTERM');
          await waitFor(() => !isAlive(pid), `pid ${pid} to exit`, 10_000).catch(() => process.kill(pid, 'SIGKILL'));
        } catch {
          // already gone
        }
      }
      await dt.close();
      await cccc.close();
      await rm(configHome, { recursive: true, force: true });
    },
  };
  return world;
}
